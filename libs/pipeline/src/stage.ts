/**
 * The contract between the pipeline engine and a stage. Each stage package (`stages/<name>`) exports one
 * `StageDefinition` from `src/stage.ts` (named export `stage`); the engine validates parameters against `paramsSchema`,
 * resolves inputs to completed upstream output folders, gives the stage a temporary `outDir`, and renames it into the
 * content-addressed store only when `run` resolves. Stages never write anywhere else.
 */
import type { Progress } from '@ldl-alsg/common';

export interface StageInputSpec {
  /** What this input is, shown in --help and schema descriptions. */
  description: string;
  /** Stage names whose outputs may feed this slot (e.g. ['ingest']). */
  from: readonly string[];
  /** Whether the slot must be wired. */
  required: boolean;
  /** Whether the slot takes a list of instances (e.g. several ingested datasets) or exactly one. */
  multiple: boolean;
}

export interface StageContext<P> {
  /** Instance address, `<pipeline>/<instance>`: used in every log line and error. */
  readonly address: string;
  /** Parameters after schema defaults are applied and matrix values substituted. */
  readonly params: P;
  /** Completed upstream output folders per input slot, in the order the pipeline lists them. */
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  /** Empty temporary folder to write outputs into; renamed into place by the engine on success. */
  readonly outDir: string;
  /**
   * Persistent scratch folder for this instance's key, kept across failed or killed attempts and deleted after success:
   * where resumable stages keep checkpoints (train) so a re-run continues instead of starting over.
   */
  readonly scratchDir: string;
  /** The instance's seed (its `seed` parameter when it has one, else the pipeline's seed). */
  readonly seed: number;
  /** Log a line prefixed with the address. */
  log(message: string): void;
  /** Progress reporting (TTY bar or periodic CI lines) for long loops. */
  progress(label: string, total: number | undefined, unit?: string): Progress;
  /** Extra provenance merged into stage.json (extractor name and version, TF.js backend, recall, ...). */
  record(info: Record<string, unknown>): void;
}

export interface StageDefinition<P = Record<string, unknown>> {
  /** Stage name as written in pipelines (`stage: graph`). */
  readonly name: string;
  /** One line on what the stage does. */
  readonly description: string;
  /** JSON Schema of `params` (type object, additionalProperties false, every property with description and default). */
  readonly paramsSchema: Record<string, unknown>;
  /** Named input slots. */
  readonly inputs: Readonly<Record<string, StageInputSpec>>;
  /**
   * Parameters holding paths of data the stage reads from outside the store (ingest: `['root']`). The engine adds a
   * fingerprint of each such file or folder (every file's relative path, size and mtime) to the instance's key, so a
   * changed dataset makes the instance stale (planning/source-fingerprint.ts). A list of names rather than a function:
   * it is stored with the stage's cached metadata, so planning never has to import stage code.
   */
  readonly sourceParams?: readonly string[];
  /** Produce outputs in ctx.outDir. Throw an AlsgError for user-facing failures. */
  run(ctx: StageContext<P>): Promise<void>;
}
