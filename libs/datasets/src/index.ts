/**
 * @ldl-alsg/datasets: the manifest and real-dataset ingestion (docs/datasets.md). These named exports are the public
 * API; everything else is internal.
 */
export {
  readManifest,
  readManifests,
  writeManifest,
  type Split,
  SPLITS,
  MANIFEST_COLUMNS,
  type ManifestRow,
  type Manifest,
} from './manifest';
export type { SkipReason } from './class-names';
export type { SkipRecord } from './ingest-collector';
export {
  REAL_FORMATS,
  type RealFormat,
  PROTOCOLS,
  type Protocol,
  IMAGE_CHECKS,
  type ImageCheck,
  type IngestOptions,
  type ResolvedIngestOptions,
} from './ingest-types';
export { isFile } from './dataset-files';
export { isInside } from './adapters/safe-path';
export { imageSize } from './images';
export { ingestDataset, type IngestHooks, type ListedSkip, type IngestReport } from './ingest';
