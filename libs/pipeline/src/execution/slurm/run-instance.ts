/**
 * The inside of a Slurm job (`alsg run-instance`): the instance planned again on the compute node, its key checked
 * against the one it was submitted with, then run through the local executor (runPlan: input checks, the per-key
 * lock, a stage child, the atomic commit), so a job builds exactly what `alsg run` would. Its inputs must already be in
 * the store (afterok ran them); the job never builds upstream instances itself. How it ended is written to the
 * store beside the instance (job-record.ts), since Slurm forgets finished jobs.
 */
import { hostname } from 'node:os';
import { AlsgError, isAlsgError } from '@ldl-alsg/common';
import type { StageRegistry } from '../../definition/stage-registry';
import type { Plan, PlannedInstance } from '../../planning/plan';
import { isComplete } from '../../store/artifact-store';
import { runPlan, type RunOptions } from '../run-plan';
import { writeOutcome } from './job-record';

export interface RunSubmittedOptions {
  /** The key the instance was submitted with; a different key now means the code or the pipeline changed since. */
  readonly expectedKey?: string;
  /** SLURM_JOB_ID (default: from the environment); without it, no outcome record is written. */
  readonly jobId?: string;
  readonly log?: (line: string) => void;
  readonly verifyInputs?: RunOptions['verifyInputs'];
}

/** Runs one instance of `plan` as a Slurm job would. Resolves 'done' or 'cached'; rejects with the failure. */
export async function runSubmittedInstance(plan: Plan, registry: StageRegistry, name: string, options: RunSubmittedOptions = {}): Promise<'done' | 'cached'> {
  const started = Date.now();
  const jobId = options.jobId ?? process.env.SLURM_JOB_ID;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const inst = plan.byName.get(name);
  const record = (loc: PlannedInstance, state: 'done' | 'cached' | 'failed', message?: string): void => {
    if (!jobId) return;
    writeOutcome(plan.storeDir, loc, { jobId, state, message, host: hostname(), finishedAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 });
  };
  if (!inst) throw new AlsgError('E_USAGE', `${plan.file}: no instance '${name}' in profile ${plan.profile}`, { file: plan.file });
  try {
    if (options.expectedKey && options.expectedKey !== inst.key) {
      throw new AlsgError(
        'E_STAGE',
        `${inst.address}: its key is now ${inst.key}, but the job was submitted for ${options.expectedKey}: the code, the pipeline or its source data ` +
          `changed since submission; submit again (alsg run ${plan.file} --executor slurm)`,
        { stage: inst.address },
      );
    }
    // Another run (a second submission, a local alsg run, another host) may have built it while this job queued.
    if (isComplete(plan.storeDir, inst)) {
      log(`${inst.address}: cached (${inst.stage} ${inst.key}, built by another run)`);
      record(inst, 'cached');
      return 'cached';
    }
    const ups = [...new Set(Object.values(inst.inputs).flat())].map((n) => plan.byName.get(n) as PlannedInstance);
    const missing = ups.filter((u) => !isComplete(plan.storeDir, u));
    if (missing.length) {
      throw new AlsgError('E_ARTIFACT', `${inst.address}: inputs not in the store: ${missing.map((u) => `${u.address} (${u.dir})`).join(', ')}; a job runs one instance only`, {
        stage: inst.address,
      });
    }
    // The inputs are settled as cached by runPlan (and checked against their stage.json); only `inst` runs.
    const summary = await runPlan(plan, registry, { select: [...ups, inst], log, verifyInputs: options.verifyInputs });
    const state = summary.ran.includes(inst.address) ? 'done' : 'cached';
    record(inst, state);
    return state;
  } catch (err) {
    record(inst, 'failed', isAlsgError(err) ? err.message.split('\n')[0] : String(err));
    throw err;
  }
}
