/**
 * Slurm state of submitted instances for `alsg status`: the submission record beside each instance, squeue for jobs
 * Slurm still remembers, the job's own outcome record for those it forgot. A machine without the Slurm client still
 * gets a status (the records alone), never an error.
 */
import { classifyJob, querySlurmJobs, readSubmission, type JobPhase, type PlannedInstance, type SlurmJobState, type SubmissionRecord } from '@ldl-alsg/pipeline';

export interface SlurmStatus {
  readonly jobId: string;
  /** Slurm's word (PENDING, RUNNING, FAILED, ...) or, when Slurm forgot the job, the phase in capitals. */
  readonly state: string;
  readonly phase: JobPhase;
  readonly detail: string;
  readonly log: string;
}

/** Address -> Slurm status, for the instances among `insts` that have a submission for their current key. */
export async function slurmStates(storeDir: string, insts: readonly PlannedInstance[]): Promise<Map<string, SlurmStatus>> {
  const submitted: Array<{ inst: PlannedInstance; rec: SubmissionRecord }> = [];
  for (const inst of insts) {
    const rec = readSubmission(storeDir, inst);
    if (rec && rec.key === inst.key) submitted.push({ inst, rec });
  }
  const out = new Map<string, SlurmStatus>();
  if (submitted.length === 0) return out;
  let states: Map<string, SlurmJobState> | undefined;
  try {
    states = await querySlurmJobs([...new Set(submitted.map((s) => s.rec.jobId))]);
  } catch {
    states = undefined;
  }
  for (const { inst, rec } of submitted) {
    const job = classifyJob(storeDir, inst, rec, states?.get(rec.jobId));
    const detail = states ? job.detail : `${job.detail} (squeue not reachable: from the store's records only)`;
    out.set(inst.address, { jobId: rec.jobId, state: job.slurmState ?? job.phase.toUpperCase(), phase: job.phase, detail, log: rec.log });
  }
  return out;
}
