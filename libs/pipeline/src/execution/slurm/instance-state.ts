/**
 * Where a submitted instance stands, from the three places that know: the store (a committed result), the job's own
 * outcome record (how `alsg run-instance` ended) and Slurm (pending / running, or how a job it still remembers ended).
 * Used by `--wait` and by `alsg status`. A job Slurm no longer remembers and that left no outcome record ended
 * without reaching its own error handling (killed, node lost, out of memory): it reads as failed, with its log.
 */
import type { PlannedInstance } from '../../planning/plan';
import { isComplete } from '../../store/artifact-store';
import { readOutcome, type SubmissionRecord } from './job-record';
import { FINISHED_STATES, type SlurmJobState } from './job-state';

/** `skipped`: Slurm cancelled the job because a job it waits for failed (afterok never satisfied). */
export type JobPhase = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

export interface InstanceJobState {
  readonly phase: JobPhase;
  /** Slurm's state word when Slurm still knows the job (PENDING, RUNNING, FAILED, ...). */
  readonly slurmState?: string;
  /** A short human reason: Slurm's pending reason, the failure message, where it runs. */
  readonly detail: string;
}

/** Classifies one submitted instance. `slurm` is squeue's entry for its job, undefined when Slurm forgot it. */
export function classifyJob(storeDir: string, inst: PlannedInstance, record: SubmissionRecord, slurm: SlurmJobState | undefined): InstanceJobState {
  const outcome = readOutcome(storeDir, inst, record.jobId);
  if (isComplete(storeDir, inst)) {
    return { phase: 'done', slurmState: slurm?.state, detail: outcome?.state === 'cached' ? 'built by another run' : `job ${record.jobId}` };
  }
  if (slurm && !FINISHED_STATES.has(slurm.state)) {
    if (slurm.state === 'PENDING') return { phase: 'pending', slurmState: slurm.state, detail: `job ${record.jobId}, ${slurm.reason}` };
    return { phase: 'running', slurmState: slurm.state, detail: `job ${record.jobId} on ${slurm.nodes || '?'}` };
  }
  // After the live check: a requeued job (pre-emption) runs again under the same id after a failed attempt.
  if (outcome?.state === 'failed') return { phase: 'failed', slurmState: slurm?.state, detail: `${outcome.message ?? 'failed'}; log ${record.log}` };
  if (slurm?.state === 'CANCELLED' && /Dependency/i.test(slurm.reason)) {
    return { phase: 'skipped', slurmState: slurm.state, detail: `job ${record.jobId} cancelled by Slurm: a job it needs failed (${slurm.reason})` };
  }
  if (slurm?.state === 'CANCELLED') {
    return { phase: 'cancelled', slurmState: slurm.state, detail: `job ${record.jobId} cancelled${slurm.reason && slurm.reason !== 'None' ? ` (${slurm.reason})` : ''}; log ${record.log}` };
  }
  const how = slurm ? `${slurm.state}${slurm.reason && slurm.reason !== 'None' ? ` (${slurm.reason})` : ''}` : 'no longer known to Slurm, no outcome recorded';
  return { phase: 'failed', slurmState: slurm?.state, detail: `job ${record.jobId} ${how}; log ${record.log}` };
}
