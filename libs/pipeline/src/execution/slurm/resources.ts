/**
 * What a Slurm job asks for: `resources:` of a stage instance in the pipeline, merged over its stage's default and
 * under the profile's `resources:` for that instance, then command-line overrides (partition, account). Resources are
 * read from the pipeline spec here, at submission, and never pass through expansion or planning: where a job runs
 * does not change what it computes, so they must not enter content keys (a result built on a GPU node is the same
 * result as far as the store is concerned).
 */
import type { PipelineSpec, SlurmResources } from '../../definition/pipeline-spec';

/** Train backends that need a GPU (`tensorflow-gpu` is tfjs-node-gpu, CUDA). `auto` may pick it but does not need it. */
const GPU_BACKENDS = new Set(['tensorflow-gpu']);

/**
 * Per-stage defaults: one core for the single-threaded steps, two for the FAISS graph build, memory from the default
 * profile's measured peaks with room to spare (docs/slurm.md), and a wall-time limit well above the default profile's
 * runs, so that a stuck job ends instead of holding a node.
 */
const STAGE_DEFAULTS: Record<string, SlurmResources> = {
  ingest: { cpus: 1, mem: '4G', time: '2:00:00' },
  extract: { cpus: 1, mem: '4G', time: '4:00:00' },
  graph: { cpus: 2, mem: '4G', time: '2:00:00' },
  noise: { cpus: 1, mem: '2G', time: '0:30:00' },
  train: { cpus: 1, mem: '4G', time: '24:00:00' },
  evaluate: { cpus: 1, mem: '4G', time: '2:00:00' },
  report: { cpus: 1, mem: '4G', time: '1:00:00' },
};

/** The default for stages not listed above (fixtures, stages added later). */
const FALLBACK: SlurmResources = { cpus: 1 };

/** Command-line overrides, applied last. */
export interface ResourceOverrides {
  readonly partition?: string;
  readonly account?: string;
}

/** The default resources of a stage, given the instance's merged params (a GPU only where the backend needs one). */
export function defaultResources(stage: string, params: Readonly<Record<string, unknown>>): SlurmResources {
  const base = STAGE_DEFAULTS[stage] ?? FALLBACK;
  if (stage === 'train' && GPU_BACKENDS.has(String(params.backend))) return { ...base, gpus: 1 };
  return { ...base };
}

/**
 * The resources of one concrete instance (`base` is its name in the file): stage default < `stages.<base>.resources`
 * < `profiles.<profile>.<base>.resources` < overrides. Keys merge one by one; `extra` lists are concatenated.
 */
export function resourcesFor(
  spec: Pick<PipelineSpec, 'stages' | 'profiles'>,
  profile: string,
  inst: { readonly base: string; readonly stage: string; readonly params: Readonly<Record<string, unknown>> },
  overrides: ResourceOverrides = {},
): SlurmResources {
  const layers = [defaultResources(inst.stage, inst.params), spec.stages[inst.base]?.resources, spec.profiles?.[profile]?.[inst.base]?.resources, overrides];
  const out: { -readonly [K in keyof SlurmResources]: SlurmResources[K] } = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer) as Array<[keyof SlurmResources, unknown]>) {
      if (v === undefined) continue;
      if (k === 'extra') out.extra = [...(out.extra ?? []), ...(v as string[])];
      else (out as Record<string, unknown>)[k] = v;
    }
  }
  return out;
}

/** sbatch options for `res`, one argument each (`--mem=4G`), never a shell string. `gpus: 0` asks for none. */
export function sbatchResourceArgs(res: SlurmResources): string[] {
  const args: string[] = [];
  if (res.cpus !== undefined) args.push(`--cpus-per-task=${res.cpus}`);
  if (res.mem !== undefined) args.push(`--mem=${res.mem}`);
  if (res.time !== undefined) args.push(`--time=${res.time}`);
  if (res.gpus) args.push(`--gpus=${res.gpus}`);
  if (res.partition) args.push(`--partition=${res.partition}`);
  if (res.account) args.push(`--account=${res.account}`);
  if (res.qos) args.push(`--qos=${res.qos}`);
  args.push(...(res.extra ?? []));
  return args;
}
