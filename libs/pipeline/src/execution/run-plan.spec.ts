import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStageRegistry, type StageRegistry } from '../definition/stage-registry';
import { loadPipeline } from '../definition/validate-pipeline';
import { resolveWorkspaceLayout } from '../definition/workspace';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '../fixtures/fixture-workspace';
import { planPipeline, planStatus, type PlanSources } from '../planning/plan';
import { scratchDirOf } from '../store/artifact-store';
import { runPlan, StageFailedError } from './run-plan';

const PIPELINE = `
seed: 3
stages:
  data: { stage: source, params: { label: a, size: 4 } }
  twice: { stage: double, inputs: { data: data }, matrix: { factor: [2, 3] } }
  total: { stage: sum, inputs: { parts: [twice] } }
  rep: { stage: report, inputs: { results: [total] } }
expect:
  - { claim: total is positive, min: 0 }
`;

const sourcesOf = (registry: StageRegistry): PlanSources => ({
  storeDir: registry.layout.storeDir,
  codeVersionOf: (s) => registry.codeVersion(s).version,
});

async function setup(yaml: string) {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline('p', yaml);
  const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
  const pipeline = await loadPipeline(file, registry);
  return { ws, file, registry, plan: planPipeline(pipeline, sourcesOf(registry)) };
}

const quiet = { log: () => undefined };
const storeEntries = (root: string, stage: string): string[] =>
  existsSync(join(root, '.alsg/store', stage)) ? readdirSync(join(root, '.alsg/store', stage)) : [];

describe('runPlan', () => {
  it('runs instances in child processes, writes stage.json provenance, and skips them the second time', async () => {
    const { ws, registry, plan } = await setup(PIPELINE);
    const lines: string[] = [];
    const first = await runPlan(plan, registry, { log: (l) => lines.push(l), jobs: 2 });
    expect(first.ran).toHaveLength(5);
    expect(lines.some((l) => l.startsWith('p/twice@factor=3: running double'))).toBe(true);
    const total = plan.byName.get('total');
    const totalJson = JSON.parse(readFileSync(join(total?.dir as string, 'sum.json'), 'utf8'));
    expect(totalJson).toEqual({ total: (3000 + 3001 + 3002 + 3003) * 5, parts: 2 });
    const record = JSON.parse(readFileSync(join(plan.byName.get('data')?.dir as string, 'stage.json'), 'utf8'));
    expect(record).toMatchObject({ key: plan.byName.get('data')?.key, stage: 'source', seed: 3, params: { label: 'a', size: 4 }, record: { count: 4 } });
    expect(record.versions.node).toBe(process.version);
    expect(record.versions.codeVersion).toBe(registry.codeVersion('source').version);
    expect(typeof record.timings.seconds).toBe('number');
    const twice = JSON.parse(readFileSync(join(plan.byName.get('twice@factor=2')?.dir as string, 'stage.json'), 'utf8'));
    expect(twice.inputs.data[0]).toMatchObject({ instance: 'data', key: plan.byName.get('data')?.key });
    expect(twice.params).toEqual({ factor: 2, method: 'plain' }); // schema default applied
    const claims = JSON.parse(readFileSync(join(plan.byName.get('rep')?.dir as string, 'claims.json'), 'utf8'));
    expect(claims.expect).toEqual([{ claim: 'total is positive', min: 0 }]);
    expect(planStatus(plan).every((s) => s.status === 'done')).toBe(true);
    expect(existsSync(scratchDirOf(plan.storeDir, plan.byName.get('data') as never))).toBe(false);
    expect(ws.root).toBeTruthy();

    const second = await runPlan(plan, registry, quiet);
    expect(second.ran).toEqual([]);
    expect(second.cached).toHaveLength(5);
  });

  it('marks a changed instance stale, says why, and re-runs only it and what depends on it', async () => {
    const { ws, registry, plan } = await setup(PIPELINE);
    await runPlan(plan, registry, quiet);
    const file2 = ws.writePipeline('p', PIPELINE.replace('size: 4', 'size: 5'));
    const plan2 = planPipeline(await loadPipeline(file2, registry), sourcesOf(registry));
    const status = planStatus(plan2);
    expect(status.find((s) => s.instance.name === 'data')).toMatchObject({ status: 'stale', reason: 'param size: 4 -> 5' });
    const summary = await runPlan(plan2, registry, quiet);
    expect(summary.ran.sort()).toEqual(['p/data', 'p/rep', 'p/total', 'p/twice@factor=2', 'p/twice@factor=3']);
    const other = ws.writePipeline('q', PIPELINE.replace('size: 4', 'size: 5'));
    const planQ = planPipeline(await loadPipeline(other, registry), sourcesOf(registry));
    expect((await runPlan(planQ, registry, quiet)).ran).toEqual([]); // shared with pipeline p: nothing runs twice
  });

  it('turns a failing stage into a typed error with address, command and exit status, leaving nothing complete', async () => {
    const { ws, registry, plan } = await setup(`
stages:
  data: { stage: source, params: { label: a } }
  bad: { stage: fail, params: { mode: throw }, inputs: { data: [data] } }
  crash: { stage: fail, params: { mode: exit } }
  after: { stage: report, inputs: { results: [data] } }
`);
    const err = await runPlan(plan, registry, { ...quiet, onFailure: 'skip-dependents' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_STAGE' });
    expect((err as Error).message).toMatch(/^2 instances failed/);
    const only = planPipeline({ name: 'p', file: 'p.yaml', spec: { stages: { crash: { stage: 'fail', params: { mode: 'exit' } } } } }, sourcesOf(registry));
    const e2 = (await runPlan(only, registry, quiet).catch((e: unknown) => e)) as StageFailedError;
    expect(e2).toBeInstanceOf(StageFailedError);
    expect(e2.details).toMatchObject({ stage: 'p/crash', exitCode: 3, signal: null });
    expect(String(e2.details.command)).toContain('stage-child.ts');
    expect(e2.message).toMatch(/^p\/crash: stage failed \(exit status 3\)/);
    const thrown = planPipeline({ name: 'p', file: 'p.yaml', spec: { stages: { bad: { stage: 'fail', params: { mode: 'throw' } } } } }, sourcesOf(registry));
    const e3 = (await runPlan(thrown, registry, quiet).catch((e: unknown) => e)) as StageFailedError;
    expect(e3.message).toMatch(/^p\/bad: stage failed \(exit status 1\): fixture failure on purpose/);
    expect(storeEntries(ws.root, 'fail')).toEqual([]);
    // skip-dependents: the independent report still ran
    expect(planStatus(plan).find((s) => s.instance.name === 'after')?.status).toBe('done');
  });

  it('a stage SIGKILLed mid-write leaves nothing complete-looking, keeps its scratch, and the next run redoes it', async () => {
    const { ws, registry, plan } = await setup('stages:\n  s: { stage: slow }\n');
    const inst = plan.byName.get('s');
    const pidFile = join(scratchDirOf(plan.storeDir, inst as never), 'pid');
    const running = runPlan(plan, registry, quiet).catch((e: unknown) => e);
    while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    const err = (await running) as StageFailedError;
    expect(err.details).toMatchObject({ stage: 'p/s', signal: 'SIGKILL' });
    expect(storeEntries(ws.root, 'slow')).toEqual([]); // temp folder removed, no final folder, lock released
    expect(planStatus(plan)[0].status).toBe('missing');
    expect(readFileSync(join(scratchDirOf(plan.storeDir, inst as never), 'attempts'), 'utf8')).toBe('1');

    await runPlan(plan, registry, quiet);
    const record = JSON.parse(readFileSync(join(inst?.dir as string, 'stage.json'), 'utf8'));
    expect(record.record).toEqual({ attempts: 2 });
    expect(readFileSync(join(inst?.dir as string, 'data.txt'), 'utf8')).toBe('first half\nsecond half\n');
    expect(existsSync(scratchDirOf(plan.storeDir, inst as never))).toBe(false);
  });

  it('when the whole `alsg run` process group is SIGKILLed, the next run cleans up and completes', async () => {
    const { ws, file, plan } = await setup('stages:\n  s: { stage: slow }\n');
    const inst = plan.byName.get('s');
    const pidFile = join(scratchDirOf(plan.storeDir, inst as never), 'pid');
    const env = { ...process.env, ALSG_WORKSPACE: ws.root };
    const child = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', file], { env, detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    while (!existsSync(pidFile)) await new Promise((r) => setTimeout(r, 50));
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    const left = storeEntries(ws.root, 'slow');
    expect(left.some((n) => n.startsWith('.tmp-'))).toBe(true);
    expect(left.filter((n) => !n.startsWith('.'))).toEqual([]); // nothing under a key name
    expect(planStatus(plan)[0].status).toBe('missing');

    const rerun = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', file], { env, stdio: 'pipe' });
    let stderr = '';
    rerun.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => rerun.on('exit', r));
    expect(code).toBe(0);
    expect(stderr).toContain('removed 1 unfinished folder');
    expect(storeEntries(ws.root, 'slow')).toEqual([inst?.key]);
  });

  it('two concurrent runs that need the same instance build it once (per-key lock)', async () => {
    const { registry, plan } = await setup('stages:\n  s: { stage: slow, params: { waitMs: 1500 } }\n');
    const [a, b] = await Promise.all([runPlan(plan, registry, quiet), runPlan(plan, registry, quiet)]);
    expect([a.ran.length, b.ran.length].sort()).toEqual([0, 1]);
    expect([a.cached.length, b.cached.length].sort()).toEqual([0, 1]);
    const record = JSON.parse(readFileSync(join(plan.byName.get('s')?.dir as string, 'stage.json'), 'utf8'));
    expect(record.record).toEqual({ attempts: 1 });
  });
});
