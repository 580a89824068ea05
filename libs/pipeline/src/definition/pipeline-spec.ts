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
  /** What a Slurm job of this instance asks for (`--executor slurm`); never part of the content key. */
  resources?: SlurmResources;
}

/**
 * Slurm resources of one stage instance (docs/slurm.md). Each maps to one sbatch option; unset ones use the stage's
 * default (libs/pipeline/src/execution/slurm/resources.ts) or the cluster's.
 */
export interface SlurmResources {
  /** Cores for the task (`--cpus-per-task`). */
  readonly cpus?: number;
  /** Memory per node, with a unit as sbatch reads it: `4G`, `500M` (`--mem`). */
  readonly mem?: string;
  /** Wall-time limit as sbatch reads it: `MM`, `HH:MM:SS`, `D-HH` (`--time`). */
  readonly time?: string;
  /** GPUs for the job (`--gpus`); 0 asks for none. */
  readonly gpus?: number;
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  /** Further sbatch options, one argument each (`--constraint=a100`), appended as written. */
  readonly extra?: readonly string[];
}

export interface ProfileOverride {
  /** Parameters merged over the instance's own (key by key). */
  params?: Record<string, unknown>;
  /** Axes replacing the instance's axes of the same name. */
  matrix?: Record<string, AxisValue[]>;
  /** Slurm resources merged over the instance's own (key by key). */
  resources?: SlurmResources;
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
