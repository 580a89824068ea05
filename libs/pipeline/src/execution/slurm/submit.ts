/**
 * Submitting one stage instance as one Slurm job. The job runs `alsg run-instance <pipeline> <instance> --key K`,
 * which re-plans, re-checks the key and runs the instance exactly as the local executor does (run-instance.ts).
 *
 * Why a script file per instance and not `sbatch --wrap`: --wrap takes one shell string, so the argv would have to be
 * quoted into a string anyway, and it would be invisible afterwards. The script (`<key>.slurm/job.sh`) holds the
 * properly quoted argv, can be read and re-submitted by hand (`sbatch job.sh`), and Slurm copies it at submission,
 * so a later submission rewriting it does not change a job already queued. sbatch itself is called with an argument
 * array (execa, no shell); its only shell is the job script's own `#!/bin/sh`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { AlsgError } from '@ldl-alsg/common';
import type { SlurmResources } from '../../definition/pipeline-spec';
import type { PlannedInstance } from '../../planning/plan';
import { jobLogFile, slurmDirOf, writeSubmission, type SubmissionRecord } from './job-record';
import { shellQuote } from '../shell-quote';
import { sbatchResourceArgs } from './resources';

// Still exported from here, where the package's API and slurm-builders.spec.ts have always found it.
export { shellQuote };

/** What every job of one submission shares. */
export interface JobContext {
  /** Absolute path of the pipeline file (on the shared file system). */
  readonly pipelineFile: string;
  readonly profile: string;
  readonly storeDir: string;
  /** Workspace root the job runs in (ALSG_WORKSPACE). */
  readonly workspaceRoot: string;
  /** Node binary and the `alsg` entry script (bin/alsg.mjs) the job runs. */
  readonly node: string;
  readonly cliEntry: string;
}

/** The job script for one instance: cd, the store and workspace made explicit, then exec the CLI. */
export function buildJobScript(ctx: JobContext, inst: Pick<PlannedInstance, 'address' | 'name' | 'key'>): string {
  const argv = [ctx.node, ctx.cliEntry, 'run-instance', ctx.pipelineFile, inst.name, '--profile', ctx.profile, '--key', inst.key];
  return [
    '#!/bin/sh',
    `# ${inst.address} (key ${inst.key}), written by alsg run --executor slurm; re-submit by hand with: sbatch <this file>`,
    `cd ${shellQuote(ctx.workspaceRoot)} || exit 1`,
    `export ALSG_STORE=${shellQuote(ctx.storeDir)}`,
    `export ALSG_WORKSPACE=${shellQuote(ctx.workspaceRoot)}`,
    `exec ${argv.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** sbatch's argument array (without the program name) for one instance. */
export function buildSbatchArgs(
  ctx: Pick<JobContext, 'storeDir' | 'workspaceRoot'>,
  inst: Pick<PlannedInstance, 'address' | 'stage' | 'key'>,
  resources: SlurmResources,
  dependencies: readonly string[],
  script: string,
): string[] {
  return [
    '--parsable',
    `--job-name=alsg:${inst.address}`,
    // %j: the id is not known before submission. Append: a requeued (pre-empted) job keeps its first attempt's lines.
    `--output=${jobLogFile(ctx.storeDir, inst, '%j')}`,
    '--open-mode=append',
    `--chdir=${ctx.workspaceRoot}`,
    ...sbatchResourceArgs(resources),
    ...(dependencies.length ? [`--dependency=afterok:${dependencies.join(':')}`, '--kill-on-invalid-dep=yes'] : []),
    script,
  ];
}

/**
 * Writes the job script, submits it and records the submission beside the instance. Resolves with the record.
 * An sbatch refusal (unknown partition, a request above the node's size) is an E_CONFIG naming the instance.
 */
export async function submitInstance(
  ctx: JobContext,
  inst: PlannedInstance,
  resources: SlurmResources,
  dependencies: readonly string[],
): Promise<SubmissionRecord> {
  const dir = slurmDirOf(ctx.storeDir, inst);
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'job.sh');
  writeFileSync(script, buildJobScript(ctx, inst), { mode: 0o755 });
  const args = buildSbatchArgs(ctx, inst, resources, dependencies, script);
  let stdout: string;
  try {
    stdout = (await execa('sbatch', args)).stdout;
  } catch (err) {
    const e = err as { code?: string; stderr?: string; shortMessage?: string };
    if (e.code === 'ENOENT') {
      throw new AlsgError('E_DEPENDENCY', 'sbatch not found: the Slurm client commands must be on PATH (Debian: apt-get install slurm-client; docs/slurm.md)', { cause: err });
    }
    throw new AlsgError('E_CONFIG', `${inst.address}: sbatch refused the job: ${(e.stderr || e.shortMessage || '').trim()}\n  sbatch ${args.map(shellQuote).join(' ')}`, {
      stage: inst.address,
      cause: err,
    });
  }
  // --parsable prints "<id>" or "<id>;<cluster>".
  const jobId = stdout.trim().split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new AlsgError('E_STAGE', `${inst.address}: sbatch printed '${stdout.trim()}' instead of a job id`, { stage: inst.address });
  const record: SubmissionRecord = {
    jobId,
    address: inst.address,
    pipelineFile: resolve(ctx.pipelineFile),
    profile: ctx.profile,
    instance: inst.name,
    stage: inst.stage,
    key: inst.key,
    dependencies: [...dependencies],
    submittedAt: new Date().toISOString(),
    submittedFrom: hostname(),
    log: jobLogFile(ctx.storeDir, inst, jobId),
    script,
  };
  writeSubmission(ctx.storeDir, inst, record);
  return record;
}
