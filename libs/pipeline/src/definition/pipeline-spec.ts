/**
 * The pipeline file's shape, as written in YAML (see docs/pipelines.md). Checked by the JSON Schema
 * (`buildPipelineSchema`) and then by `validatePipeline` for what a schema cannot say (references, cycles, matrices).
 */

/** A value a matrix axis can take (objects are allowed; names show them as JSON). */
export type AxisValue = unknown;

export interface InstanceSpec {
  /** Stage name (`stages/<name>`). */
  stage: string;
  /** Free text shown by `alsg status` and in Nx. */
  description?: string;
  /** Stage parameters (checked against the stage's paramsSchema). */
  params?: Record<string, unknown>;
  /** Input slot -> one instance name (paired by shared matrix axes) or a list of names (each contributes all expansions). */
  inputs?: Record<string, string | string[]>;
  /** Parameter name -> values; the instance runs once per combination. */
  matrix?: Record<string, AxisValue[]>;
}

export interface ProfileOverride {
  /** Parameters merged over the instance's own (key by key). */
  params?: Record<string, unknown>;
  /** Axes replacing the instance's axes of the same name. */
  matrix?: Record<string, AxisValue[]>;
}

export interface PipelineSpec {
  /** yaml-language-server / editor hint, ignored by the engine. */
  $schema?: string;
  /** Pipeline name (default: the file name without extension); used in addresses `<pipeline>/<instance>`. */
  name?: string;
  description?: string;
  /** Seed handed to every instance that has no `seed` parameter of its own (default 0). */
  seed?: number;
  /** Instance name -> instance. */
  stages: Record<string, InstanceSpec>;
  /** Profile name -> instance name -> overrides. `default` is used when no profile is named. */
  profiles?: Record<string, Record<string, ProfileOverride>>;
  /** Claims checked by the report stage; copied into the `expect` param of every `report` instance. */
  expect?: unknown[];
}

/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'default';

/** Name of the stage that receives the pipeline's `expect:` block. */
export const REPORT_STAGE = 'report';

/** Pattern for instance, pipeline and profile names. */
export const NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*$';
