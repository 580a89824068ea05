/**
 * `alsg run --executor slurm`: submits the plan's missing instances as Slurm jobs (libs/pipeline execution/slurm) and,
 * with --wait, follows them to the end. Loaded only when the executor is slurm, so the local path pays nothing for it.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSummaryLine } from './run-summary';
import { followJobs, submitPlan, DEFAULT_PROFILE, type FailurePolicy, type PipelineSpec, type Plan, type PlannedInstance, type StageRegistry } from '@ldl-alsg/pipeline';

export interface SlurmRunOptions {
  readonly select?: readonly PlannedInstance[];
  readonly policy: FailurePolicy;
  readonly wait: boolean;
  readonly partition?: string;
  readonly account?: string;
}

/** The `alsg` entry the jobs run: this checkout's bin/alsg.mjs (tools/cli/src/commands -> four levels up). */
export function cliEntry(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bin', 'alsg.mjs');
}

export async function runOnSlurm(plan: Plan, spec: PipelineSpec, registry: StageRegistry, options: SlurmRunOptions): Promise<number> {
  const ctx = {
    pipelineFile: resolve(plan.file),
    profile: plan.profile,
    storeDir: resolve(plan.storeDir),
    workspaceRoot: resolve(registry.layout.root),
    node: process.execPath,
    cliEntry: cliEntry(),
  };
  const overrides = { partition: options.partition, account: options.account };
  const { submitted, cached, seconds } = await submitPlan(plan, spec, ctx, { select: options.select, overrides });
  const name = `${plan.pipeline}${plan.profile === DEFAULT_PROFILE ? '' : ` (${plan.profile})`}`;
  const fresh = submitted.filter((s) => !s.reused).length;
  process.stderr.write(
    `${name}: ${submitted.length} job(s) (${fresh} submitted${submitted.length > fresh ? `, ${submitted.length - fresh} already queued` : ''}), ${cached.length} cached; ` +
      `submitting took ${seconds.toFixed(1)}s${fresh ? ` (${((seconds / fresh) * 1000).toFixed(0)} ms per job)` : ''}\n`,
  );
  // The job ids on stdout, one per line with the address, for scripts (scancel, squeue -j).
  if (submitted.length) process.stdout.write(`${submitted.map((s) => `${s.record.jobId}\t${s.instance.address}`).join('\n')}\n`);
  if (!options.wait) {
    if (submitted.length) process.stderr.write(`follow with: alsg status ${plan.file}${plan.profile === DEFAULT_PROFILE ? '' : ` --profile ${plan.profile}`}; stop with: alsg cancel ${plan.file}\n`);
    return 0;
  }
  // Poll interval for --wait: tests set a short one.
  const pollMs = process.env.ALSG_SLURM_POLL_MS ? Number(process.env.ALSG_SLURM_POLL_MS) : undefined;
  const summary = await followJobs(plan, submitted, { onFailure: options.policy, pollMs, cached });
  process.stderr.write(runSummaryLine(plan, summary, 'slurm'));
  return 0;
}
