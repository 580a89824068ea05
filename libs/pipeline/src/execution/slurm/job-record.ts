/**
 * What the store keeps about Slurm jobs, beside the instance they build: `<store>/<stage>/<key>.slurm/` holds the job
 * script, one log per job (`job-<id>.log`), `submission.json` (the latest job submitted for this key) and one
 * `outcome-<id>.json` per job that got far enough to say how it ended. Slurm forgets finished jobs after MinJobAge
 * (300 s by default) and accounting (sacct) is often disabled, so the store is where outcomes are read back from.
 * The folder sits beside `<key>/` rather than inside it: the result folder appears only by an atomic rename of a
 * complete temporary folder, and a log written while the job runs must not make it exist early.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import { artifactDir, type StoreLocation } from '../../store/artifact-store';

/** The latest job submitted for one key. */
export interface SubmissionRecord {
  readonly jobId: string;
  /** Address of the instance that submitted it (another pipeline may share the key). */
  readonly address: string;
  readonly pipelineFile: string;
  readonly profile: string;
  readonly instance: string;
  readonly stage: string;
  readonly key: string;
  /** Job ids this job waits for (afterok). */
  readonly dependencies: readonly string[];
  readonly submittedAt: string;
  readonly submittedFrom: string;
  /** The job's log file (what `alsg status` names for a failed job). */
  readonly log: string;
  readonly script: string;
}

/** How a job ended, written by the job itself (`alsg run-instance`). */
export interface OutcomeRecord {
  readonly jobId: string;
  /** done: built and committed; cached: already in the store when the job started; failed: see message. */
  readonly state: 'done' | 'cached' | 'failed';
  readonly message?: string;
  readonly host: string;
  readonly finishedAt: string;
  readonly seconds: number;
}

/** `<store>/<stage>/<key>.slurm/`. */
export function slurmDirOf(storeDir: string, loc: StoreLocation): string {
  return `${artifactDir(storeDir, loc)}.slurm`;
}

/** The log file of job `jobId` (`%j` when handed to sbatch before the id exists). */
export function jobLogFile(storeDir: string, loc: StoreLocation, jobId: string): string {
  return join(slurmDirOf(storeDir, loc), `job-${jobId}.log`);
}

export function writeSubmission(storeDir: string, loc: StoreLocation, record: SubmissionRecord): void {
  mkdirSync(slurmDirOf(storeDir, loc), { recursive: true });
  writeJsonAtomic(join(slurmDirOf(storeDir, loc), 'submission.json'), record);
}

export function readSubmission(storeDir: string, loc: StoreLocation): SubmissionRecord | undefined {
  return readJson<SubmissionRecord>(join(slurmDirOf(storeDir, loc), 'submission.json'));
}

export function writeOutcome(storeDir: string, loc: StoreLocation, record: OutcomeRecord): void {
  mkdirSync(slurmDirOf(storeDir, loc), { recursive: true });
  writeJsonAtomic(join(slurmDirOf(storeDir, loc), `outcome-${record.jobId}.json`), record);
}

export function readOutcome(storeDir: string, loc: StoreLocation, jobId: string): OutcomeRecord | undefined {
  return readJson<OutcomeRecord>(join(slurmDirOf(storeDir, loc), `outcome-${jobId}.json`));
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
