/**
 * @ldl-alsg/common: errors with stable codes, seeded RNG, progress, edit distance, and the hooks a stage CLI may
 * declare. These named exports are the public API; everything else is internal.
 */
export { isAlsgError, type AlsgErrorCode, type AlsgErrorDetails, AlsgError } from './errors';
export { Rng } from './rng';
export { startProgress, writeAboveProgress, MIN_RATE_SECONDS, type ProgressOptions, type ProgressStream, type Progress } from './progress';
export type { StageCliFlag, StageCliPrepareArgs, StageCliAlternative, StageCliHooks } from './cli-flags';
export { editDistance } from './edit-distance';
