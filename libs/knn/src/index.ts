/**
 * @ldl-alsg/knn: aKNN graphs over FAISS, landmark alignment and graph diagnostics (docs/graph.md). These named exports
 * are the public API; everything else is internal.
 */
export type { SearchInfo, RecallInfo } from './search';
export {
  defaultThreads,
  HNSW_DEFAULTS,
  withHnswDefaults,
  type KnnMode,
  type KnnBackend,
  type KnnGraphOptions,
  type ResolvedKnnOptions,
} from './options';
export { assertSearchableMagnitude, standardizeFeatures, type Standardization } from './features';
export { buildKnnGraph, type KnnGraph, type KnnGraphInfo, type BuildKnnGraphArgs } from './graph';
export { meanFaceSize, alignLandmarks, FACE_SIZE_MEASURE, type LandmarkAlignment } from './landmarks';
export {
  graphDiagnostics,
  describeDiagnostics,
  type SimilarityStats,
  type LabelAgreement,
  type DistributionDiagnostics,
  type GraphDiagnostics,
  type GraphDiagnosticsInput,
} from './diagnostics';
