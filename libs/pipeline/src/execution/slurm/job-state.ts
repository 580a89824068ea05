/**
 * Reading and ending Slurm jobs: `squeue --states=all` for the jobs Slurm still remembers, `scontrol show job` for
 * the exit code of one, `scancel` to end them. `sacct` is not used: accounting storage is disabled on many clusters
 * (and on the single-node test cluster), and finished jobs vanish from squeue after MinJobAge, so how a job ended is
 * also recorded in the store by the job itself (job-record.ts). Every call goes through execa with an argument array.
 */
import { execa } from 'execa';
import { AlsgError } from '@ldl-alsg/common';

/** What squeue says about one job. */
export interface SlurmJobState {
  readonly jobId: string;
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED, NODE_FAIL, OUT_OF_MEMORY, ... */
  readonly state: string;
  /** Why it is pending or how it ended (Dependency, Resources, NonZeroExitCode, ...). */
  readonly reason: string;
  /** Node(s) it runs or ran on. */
  readonly nodes: string;
}

/** States after which a job never runs again (unless Slurm requeues it, which shows as PENDING again). */
export const FINISHED_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'REVOKED', 'SPECIAL_EXIT']);

const SQUEUE_FORMAT = '%i|%T|%r|%N';

/** Parses `squeue -h -o '%i|%T|%r|%N'` output. */
export function parseSqueue(text: string): Map<string, SlurmJobState> {
  const out = new Map<string, SlurmJobState>();
  for (const line of text.split('\n')) {
    const [jobId, state, reason, nodes] = line.trim().split('|');
    if (!jobId || !state) continue;
    out.set(jobId, { jobId, state: state.replace(/\+$/, ''), reason: reason ?? '', nodes: nodes ?? '' });
  }
  return out;
}

/** A missing slurm client is a set-up problem, not a bug: say which command and how to get it. */
function clientError(command: string, err: unknown): AlsgError {
  const e = err as { code?: string; stderr?: string; shortMessage?: string };
  if (e.code === 'ENOENT') {
    return new AlsgError('E_DEPENDENCY', `${command} not found: the Slurm client commands must be on PATH (Debian: apt-get install slurm-client; docs/slurm.md)`, { cause: err });
  }
  return new AlsgError('E_STAGE', `${command} failed: ${(e.stderr || e.shortMessage || String(err)).trim()}`, { cause: err });
}

/**
 * States of `jobIds` that Slurm still knows (finished ones stay for MinJobAge); ids it forgot are absent from the map.
 * squeue refuses the whole list when one id is unknown to it on some versions, so that case falls back to one call
 * per id.
 */
export async function querySlurmJobs(jobIds: readonly string[]): Promise<Map<string, SlurmJobState>> {
  if (jobIds.length === 0) return new Map();
  const run = async (ids: readonly string[]): Promise<Map<string, SlurmJobState> | undefined> => {
    try {
      const r = await execa('squeue', ['-h', '--states=all', `--jobs=${ids.join(',')}`, `--format=${SQUEUE_FORMAT}`]);
      return parseSqueue(r.stdout);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw clientError('squeue', err);
      if (/Invalid job id/i.test(String((err as { stderr?: string }).stderr))) return undefined;
      throw clientError('squeue', err);
    }
  };
  const all = await run(jobIds);
  if (all) return all;
  const out = new Map<string, SlurmJobState>();
  for (const id of jobIds) for (const [k, v] of (await run([id])) ?? []) out.set(k, v);
  return out;
}

/** `ExitCode=3:0` of a job Slurm still knows, as "exit 3" / "signal 9", or undefined. */
export async function jobExitCode(jobId: string): Promise<string | undefined> {
  try {
    const r = await execa('scontrol', ['show', 'job', jobId]);
    const m = /\bExitCode=(\d+):(\d+)/.exec(r.stdout);
    if (!m) return undefined;
    return m[2] !== '0' ? `signal ${m[2]}` : `exit ${m[1]}`;
  } catch {
    return undefined;
  }
}

/** Cancels jobs (a no-op for jobs that already ended). */
export async function cancelSlurmJobs(jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  try {
    await execa('scancel', [...jobIds]);
  } catch (err) {
    // scancel exits non-zero when some of the ids already finished and were purged; the others are cancelled.
    if ((err as { code?: string }).code === 'ENOENT') throw clientError('scancel', err);
  }
}
