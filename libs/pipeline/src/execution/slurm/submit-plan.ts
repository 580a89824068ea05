/**
 * The Slurm executor's submission side: every instance of a plan that is not in the store becomes one sbatch job,
 * chained to the jobs of the instances it reads with `--dependency=afterok`. Instances already in the store are never
 * submitted; an instance whose key already has a live job (an earlier `alsg run --executor slurm`, from this host or
 * another one sharing the store) is not submitted twice: the live job is reused, and dependents wait for it.
 */
import type { PipelineSpec } from '../../definition/pipeline-spec';
import type { Plan, PlannedInstance } from '../../planning/plan';
import { isComplete } from '../../store/artifact-store';
import { readSubmission, type SubmissionRecord } from './job-record';
import { FINISHED_STATES, querySlurmJobs } from './job-state';
import { resourcesFor, type ResourceOverrides } from './resources';
import { submitInstance, type JobContext } from './submit';

export interface SubmitOptions {
  /** Only these instances (with what they need, as selectWithUpstream gives); default all. */
  readonly select?: readonly PlannedInstance[];
  readonly overrides?: ResourceOverrides;
  readonly log?: (line: string) => void;
}

/** One instance handed to Slurm: a new job, or a live job submitted earlier for the same key. */
export interface Submitted {
  readonly instance: PlannedInstance;
  readonly record: SubmissionRecord;
  readonly reused: boolean;
}

export interface SubmitResult {
  readonly submitted: Submitted[];
  /** Addresses already in the store. */
  readonly cached: string[];
  /** Seconds spent submitting (for the per-instance figure in docs/slurm.md). */
  readonly seconds: number;
}

/** Submits what the plan still needs, upstream first. */
export async function submitPlan(plan: Plan, spec: Pick<PipelineSpec, 'stages' | 'profiles'>, ctx: JobContext, options: SubmitOptions = {}): Promise<SubmitResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const todo = options.select ?? plan.instances;
  const cached: string[] = [];
  const pending: PlannedInstance[] = [];
  for (const inst of todo) {
    if (isComplete(plan.storeDir, inst)) {
      cached.push(inst.address);
      log(`${inst.address}: cached (${inst.stage} ${inst.key})`);
    } else pending.push(inst);
  }
  // Earlier submissions for the same keys, and whether Slurm still runs or queues them: one squeue call for all.
  const earlier = new Map<string, SubmissionRecord>();
  for (const inst of pending) {
    const rec = readSubmission(plan.storeDir, inst);
    if (rec && rec.key === inst.key) earlier.set(inst.name, rec);
  }
  const states = await querySlurmJobs([...new Set([...earlier.values()].map((r) => r.jobId))]);

  const jobOf = new Map<string, string>();
  const submitted: Submitted[] = [];
  for (const inst of pending) {
    const prior = earlier.get(inst.name);
    const priorState = prior && states.get(prior.jobId);
    if (prior && priorState && !FINISHED_STATES.has(priorState.state)) {
      jobOf.set(inst.name, prior.jobId);
      submitted.push({ instance: inst, record: prior, reused: true });
      log(`${inst.address}: already submitted as job ${prior.jobId} (${priorState.state}, by ${prior.address}); not submitted again`);
      continue;
    }
    const deps: string[] = [];
    for (const up of new Set(Object.values(inst.inputs).flat())) {
      const id = jobOf.get(up);
      if (id) deps.push(id);
      // An upstream neither in the store nor submitted cannot happen with selectWithUpstream; the job's own input
      // check names it if it does.
    }
    const resources = resourcesFor(spec, plan.profile, inst, options.overrides);
    const record = await submitInstance(ctx, inst, resources, deps);
    jobOf.set(inst.name, record.jobId);
    submitted.push({ instance: inst, record, reused: false });
    log(`${inst.address}: submitted as job ${record.jobId}${deps.length ? ` (after ${deps.join(', ')})` : ''}; log ${record.log}`);
  }
  return { submitted, cached, seconds: (Date.now() - started) / 1000 };
}
