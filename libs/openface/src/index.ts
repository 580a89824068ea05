/**
 * @ldl-alsg/openface: auxiliary label spaces: OpenFace and the embedded face-api extractor (docs/extract.md). These
 * named exports are the public API; everything else is internal.
 */
export {
  parseOpenFaceCsv,
  readOpenFaceCsv,
  type OpenFaceRow,
  type OpenFaceCsvOptions,
  type OpenFaceCsv,
  type FaceObservation,
} from './csv-reader';
export { unreadable, type ExtractStatus, type ImageResult, type OpenFaceRunStats } from './openface-runner';
export {
  runExtraction,
  EXTRACTORS,
  type ExtractorName,
  type ExtractParams,
  type ExtractHooks,
  type ExtractReport,
} from './extract';
