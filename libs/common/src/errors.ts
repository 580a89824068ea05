/**
 * The project's one error class. `code` is stable (tests and scripts may match on it); structured fields say where the
 * problem is (file, line, JSON path inside a pipeline, stage address). The CLI prints `message` alone for these, and a
 * full stack only for anything else (a bug).
 */
export type AlsgErrorCode =
  | 'E_USAGE' // bad command line
  | 'E_CONFIG' // invalid pipeline YAML or parameters
  | 'E_INPUT' // bad user data: dataset files, CSVs, images, feature matrices
  | 'E_ARTIFACT' // a stored artifact is missing or malformed
  | 'E_STAGE' // a stage failed while running
  | 'E_DEPENDENCY' // an external tool or native module is missing (OpenFace, libfaiss, ...)
  | 'E_NUMERIC'; // NaN/Inf during training or in features

export interface AlsgErrorDetails {
  file?: string;
  line?: number;
  /** Path inside a structured file, e.g. `stages.train.params.lambda`. */
  path?: string;
  /** Stage instance address, e.g. `table1/train-baseline`. */
  stage?: string;
  cause?: unknown;
  [extra: string]: unknown;
}

export class AlsgError extends Error {
  readonly code: AlsgErrorCode;
  readonly details: AlsgErrorDetails;

  constructor(code: AlsgErrorCode, message: string, details: AlsgErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AlsgError';
    this.code = code;
    this.details = details;
  }
}

export function isAlsgError(err: unknown): err is AlsgError {
  return err instanceof AlsgError;
}
