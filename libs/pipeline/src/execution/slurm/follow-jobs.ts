/**
 * `alsg run --executor slurm --wait`: follows the submitted jobs until none is pending or running, printing each
 * instance's transitions and a progress line whenever the counts change, and ends like the local executor (same
 * summary, same failure policies). Slurm's afterok already keeps dependents of a failed job from starting; they are
 * cancelled here (and by `--kill-on-invalid-dep` in Slurm) so that they do not sit in the queue forever, and counted
 * as skipped. Policy `fail` also cancels every job that has not started yet; running ones finish, as locally.
 * Ctrl-C (SIGINT) or SIGTERM cancels every job this run submitted that has not finished, then rejects. Jobs reused
 * from an earlier submission (submit-plan.ts) are never cancelled from here: `alsg cancel` does that on purpose.
 */
import { AlsgError } from '@ldl-alsg/common';
import type { Plan } from '../../planning/plan';
import type { FailurePolicy, RunSummary } from '../run-plan';
import { classifyJob, type JobPhase } from './instance-state';
import { cancelSlurmJobs, querySlurmJobs } from './job-state';
import type { Submitted } from './submit-plan';

export interface FollowOptions {
  readonly onFailure?: FailurePolicy;
  /** How often to ask Slurm (default 5000 ms; squeue is cheap, but the controller is shared). */
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  /** Addresses already in the store before submission (reported as cached in the summary). */
  readonly cached?: readonly string[];
}

/** Consecutive failed squeue calls after which --wait gives up (the jobs themselves are not touched). */
const MAX_SQUEUE_FAILURES = 12;

/** Follows `submitted` to the end. Resolves with a RunSummary; rejects with the failures unless the policy is `ignore`. */
export async function followJobs(plan: Plan, submitted: readonly Submitted[], options: FollowOptions = {}): Promise<RunSummary> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const policy = options.onFailure ?? 'fail';
  const pollMs = options.pollMs ?? 5000;
  const phase = new Map<string, JobPhase | 'skipped'>();
  const failed: Array<{ address: string; error: AlsgError }> = [];
  let interrupted: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;

  const active = (): Submitted[] => submitted.filter((s) => !['done', 'failed', 'cancelled', 'skipped'].includes(phase.get(s.instance.name) ?? 'pending'));
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = sig;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /**
   * Marks `subs` skipped and cancels the jobs this run submitted. A reused job (queued earlier by another run, maybe
   * another user's) is left to the run that submitted it: this one only stops waiting for it.
   */
  const skip = async (subs: readonly Submitted[], why: string): Promise<void> => {
    if (subs.length === 0) return;
    await cancelSlurmJobs(subs.filter((s) => !s.reused).map((s) => s.record.jobId));
    for (const s of subs) {
      phase.set(s.instance.name, 'skipped');
      log(`${s.instance.address}: skipped, ${s.reused ? `not waiting for job ${s.record.jobId} (another run's)` : `job ${s.record.jobId} cancelled`} (${why})`);
    }
  };
  /** Every active submission that reads `name`, directly or through others. */
  const dependentsOf = (name: string): Submitted[] => {
    const out = new Set<Submitted>();
    const visit = (n: string): void => {
      for (const s of active()) {
        if (out.has(s)) continue;
        if (Object.values(s.instance.inputs).flat().includes(n)) {
          out.add(s);
          visit(s.instance.name);
        }
      }
    };
    visit(name);
    return [...out];
  };

  let lastCounts = '';
  let squeueFailures = 0;
  try {
    while (active().length > 0 && !interrupted) {
      let states;
      try {
        states = await querySlurmJobs([...new Set(active().map((s) => s.record.jobId))]);
        squeueFailures = 0;
      } catch (err) {
        // A controller restarting or briefly unreachable is not the jobs failing: ask again, give up after a while
        // (the jobs go on either way; alsg status reads them later).
        if (!(err instanceof AlsgError) || err.code === 'E_DEPENDENCY' || ++squeueFailures >= MAX_SQUEUE_FAILURES) throw err;
        log(`${plan.pipeline}: ${err.message.split('\n')[0]}; asking again (${squeueFailures}/${MAX_SQUEUE_FAILURES - 1})`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        continue;
      }
      for (const s of active()) {
        // A job cancelled earlier in this same pass (a dependent of a failure) is settled.
        if (phase.get(s.instance.name) === 'skipped') continue;
        const now = classifyJob(plan.storeDir, s.instance, s.record, states.get(s.record.jobId));
        const before = phase.get(s.instance.name);
        if (now.phase === before) continue;
        phase.set(s.instance.name, now.phase);
        if (now.phase === 'pending' && before === undefined) continue;
        log(`${s.instance.address}: ${now.phase === 'failed' ? 'FAILED' : now.phase} (${now.detail})`);
        if (now.phase === 'skipped') continue;
        if (now.phase === 'failed' || now.phase === 'cancelled') {
          failed.push({ address: s.instance.address, error: new AlsgError('E_STAGE', `${s.instance.address}: ${now.detail}`, { stage: s.instance.address, jobId: s.record.jobId, log: s.record.log }) });
          if (policy === 'fail') await skip(active().filter((a) => phase.get(a.instance.name) !== 'running'), `${s.instance.address} failed, --on-failure fail`);
          else await skip(dependentsOf(s.instance.name), `${s.instance.address} failed`);
        }
      }
      const count = (p: string): number => submitted.filter((s) => (phase.get(s.instance.name) ?? 'pending') === p).length;
      const counts = `${count('pending')} pending, ${count('running')} running, ${count('done')} done, ${count('failed') + count('cancelled')} failed, ${count('skipped')} skipped`;
      if (counts !== lastCounts) {
        log(`${plan.pipeline}: ${counts} (${((Date.now() - started) / 1000).toFixed(0)}s)`);
        lastCounts = counts;
      }
      if (active().length === 0 || interrupted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    if (interrupted) {
      const left = active().filter((s) => !s.reused);
      await cancelSlurmJobs(left.map((s) => s.record.jobId));
      throw new AlsgError('E_STAGE', `${plan.pipeline}: interrupted (${interrupted}); cancelled ${left.length} job(s): ${left.map((s) => s.record.jobId).join(', ') || 'none'}`, {
        signal: interrupted,
        cancelled: left.map((s) => s.record.jobId),
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const names = (p: string): string[] => submitted.filter((s) => phase.get(s.instance.name) === p).map((s) => s.instance.address);
  const summary: RunSummary = { ran: names('done'), cached: [...(options.cached ?? [])], failed, skipped: names('skipped'), seconds: (Date.now() - started) / 1000 };
  if (failed.length && policy !== 'ignore') {
    if (failed.length === 1) throw failed[0].error;
    throw new AlsgError('E_STAGE', `${failed.length} instances failed:\n${failed.map((f) => `  - ${f.error.message}`).join('\n')}`, {
      stage: failed[0].address,
      cause: failed[0].error,
      failed: failed.map((f) => f.address),
    });
  }
  return summary;
}
