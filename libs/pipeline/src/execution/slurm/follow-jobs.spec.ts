// --wait's decisions without a cluster: squeue and scancel are stand-in scripts on PATH that read job states from a file
// and record what was cancelled. (The real-cluster test is tools/slurm/slurm-executor.spec.ts.)
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStageRegistry } from '../../definition/stage-registry';
import { loadPipeline } from '../../definition/validate-pipeline';
import { resolveWorkspaceLayout } from '../../definition/workspace';
import { createFixtureWorkspace } from '../../fixtures/fixture-workspace';
import { planPipeline, type Plan, type PlannedInstance } from '../../planning/plan';
import { followJobs } from './follow-jobs';
import type { Submitted } from './submit-plan';

let fake: string;
const savedPath = process.env.PATH;

beforeEach(() => {
  fake = mkdtempSync(join(tmpdir(), 'alsg-fake-slurm-'));
  // squeue: fails while `fail-first` counts down (a controller restarting), then prints the states file.
  writeFileSync(
    join(fake, 'squeue'),
    `#!/bin/sh\nn=$(cat "${fake}/fail-first" 2>/dev/null || echo 0)\nif [ "$n" -gt 0 ]; then echo $((n - 1)) > "${fake}/fail-first"; echo "slurm_load_jobs error: Socket timed out on send/recv operation" >&2; exit 1; fi\ncat "${fake}/states"\n`,
  );
  writeFileSync(join(fake, 'scancel'), `#!/bin/sh\nfor id in "$@"; do echo "$id" >> "${fake}/cancelled"; done\n`);
  chmodSync(join(fake, 'squeue'), 0o755);
  chmodSync(join(fake, 'scancel'), 0o755);
  process.env.PATH = `${fake}:${savedPath}`;
});
afterEach(() => {
  process.env.PATH = savedPath;
});

async function setup(): Promise<{ plan: Plan; submitted: Submitted[] }> {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline(
    'p',
    'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, inputs: { data: data } }\n  other: { stage: source, params: { label: b } }\n',
  );
  const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
  const plan = planPipeline(await loadPipeline(file, registry), { storeDir: registry.layout.storeDir, codeVersionOf: (s) => registry.codeVersion(s).version });
  const ids: Record<string, string> = { data: '1', twice: '2', other: '3' };
  const submitted = plan.instances.map((inst: PlannedInstance) => ({
    instance: inst,
    reused: false,
    record: {
      jobId: ids[inst.name],
      address: inst.address,
      pipelineFile: file,
      profile: 'default',
      instance: inst.name,
      stage: inst.stage,
      key: inst.key,
      dependencies: inst.name === 'twice' ? ['1'] : [],
      submittedAt: '',
      submittedFrom: 'here',
      log: `/logs/job-${ids[inst.name]}.log`,
      script: '',
    },
  }));
  return { plan, submitted };
}

const cancelled = (): string[] => (existsSync(join(fake, 'cancelled')) ? readFileSync(join(fake, 'cancelled'), 'utf8').trim().split('\n') : []);

describe('followJobs (--wait)', () => {
  it('skip-dependents: a failed job cancels its dependents (skipped), other branches go on; the run fails naming the job and its log', async () => {
    const { plan, submitted } = await setup();
    writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n2|PENDING|Dependency|\n3|RUNNING|None|n1\n');
    const lines: string[] = [];
    const run = followJobs(plan, submitted, { onFailure: 'skip-dependents', pollMs: 50, log: (l) => lines.push(l) });
    // Let the running branch finish a moment later: it is followed to the end.
    setTimeout(() => writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n3|CANCELLED|None|n1\n'), 300);
    await expect(run).rejects.toThrow(/p\/data: job 1 FAILED \(NonZeroExitCode\); log \/logs\/job-1\.log/);
    expect(cancelled()).toEqual(['2']);
    expect(lines).toContain('p/twice: skipped, job 2 cancelled (p/data failed)');
    expect(lines).toContain('p/other: running (job 3 on n1)');
  });

  it('fail: the first failure cancels every job that has not started; ignore resolves with the failures listed', async () => {
    const { plan, submitted } = await setup();
    writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n2|PENDING|Dependency|\n3|PENDING|Resources|\n');
    await expect(followJobs(plan, submitted, { pollMs: 50, log: () => undefined })).rejects.toThrow(/p\/data/);
    expect(cancelled().sort()).toEqual(['2', '3']);
    writeFileSync(join(fake, 'cancelled'), '');
    writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n2|CANCELLED|DependencyNeverSatisfied|\n3|CANCELLED|None|\n');
    const summary = await followJobs(plan, submitted, { onFailure: 'ignore', pollMs: 50, log: () => undefined });
    expect(summary.failed.map((f) => f.address).sort()).toEqual(['p/data', 'p/other']);
    expect(summary.skipped).toEqual(['p/twice']);
  });

  it("never cancels a job reused from another run's submission: it only stops waiting for it", async () => {
    const { plan, submitted } = await setup();
    const mixed = submitted.map((s) => (s.instance.name === 'other' ? { ...s, reused: true } : s));
    writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n2|PENDING|Dependency|\n3|PENDING|Resources|\n');
    const lines: string[] = [];
    await expect(followJobs(plan, mixed, { pollMs: 50, log: (l) => lines.push(l) })).rejects.toThrow(/p\/data/);
    expect(cancelled()).toEqual(['2']);
    expect(lines).toContain("p/other: skipped, not waiting for job 3 (another run's) (p/data failed, --on-failure fail)");
  });

  it('rides out a few failed squeue calls (a controller restarting) instead of abandoning the jobs', async () => {
    const { plan, submitted } = await setup();
    writeFileSync(join(fake, 'fail-first'), '2');
    writeFileSync(join(fake, 'states'), '1|FAILED|NonZeroExitCode|n1\n2|CANCELLED|DependencyNeverSatisfied|\n3|FAILED|NonZeroExitCode|n1\n');
    const lines: string[] = [];
    const summary = await followJobs(plan, submitted, { onFailure: 'ignore', pollMs: 20, log: (l) => lines.push(l) });
    expect(lines.filter((l) => l.includes('asking again')), lines.join('\n')).toHaveLength(2);
    expect(lines[0]).toMatch(/^p: squeue failed: slurm_load_jobs error: Socket timed out/);
    expect(summary.failed).toHaveLength(2);
  });
});
