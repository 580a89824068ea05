// Fault injection for the engine (docs/reliability.md, "Store, engine and command line"): a parent killed alone, damaged
// inputs, and what failure messages point at.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStageRegistry } from '../definition/stage-registry';
import { loadPipeline } from '../definition/validate-pipeline';
import { resolveWorkspaceLayout } from '../definition/workspace';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '../fixtures/fixture-workspace';
import { planPipeline, planStatus } from '../planning/plan';
import { scratchDirOf } from '../store/artifact-store';
import { sourceFingerprinter } from '../planning/source-fingerprint';
import { verifyInstance } from '../store/output-integrity';
import { pidAlive } from '../store/process-owner';
import { runPlan } from './run-plan';

async function setup(yaml: string) {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline('p', yaml);
  const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
  const pipeline = await loadPipeline(file, registry);
  const sources = {
    storeDir: registry.layout.storeDir,
    codeVersionOf: (s: string) => registry.codeVersion(s).version,
    sourcesOf: sourceFingerprinter((s) => pipeline.metas.get(s)?.sourceParams, ws.root),
  };
  return { ws, file, registry, sources, plan: planPipeline(pipeline, sources) };
}

const quiet = { log: () => undefined };
const waitFor = async (cond: () => boolean, ms: number): Promise<boolean> => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};

describe('engine faults', () => {
  it('a file added to (or touched in) a source folder after a run makes the instance stale, says why, and re-runs it', async () => {
    const { ws, registry, plan, file } = await setup('stages:\n  data: { stage: source, params: { label: a, dir: dataset } }\n  twice: { stage: double, inputs: { data: data } }\n');
    mkdirSync(join(ws.root, 'dataset'));
    writeFileSync(join(ws.root, 'dataset', 'a.png'), 'aaaa');
    const replan = async () => {
      const pipeline = await loadPipeline(file, registry);
      return planPipeline(pipeline, { storeDir: registry.layout.storeDir, codeVersionOf: (s) => registry.codeVersion(s).version, sourcesOf: sourceFingerprinter((s) => pipeline.metas.get(s)?.sourceParams, ws.root) });
    };
    const first = await replan();
    expect(first.byName.get('data')?.sources).toMatchObject([{ param: 'dir', path: 'dataset', files: 1, bytes: 4, exists: true }]);
    expect(first.byName.get('data')?.key).not.toBe(plan.byName.get('data')?.key); // the folder's content is part of the key
    await runPlan(first, registry, quiet);
    expect(planStatus(await replan()).map((s) => s.status)).toEqual(['done', 'done']);

    writeFileSync(join(ws.root, 'dataset', 'b.png'), 'bb');
    const second = await replan();
    expect(planStatus(second).map((s) => [s.status, s.reason])).toEqual([
      ['stale', 'source dir dataset changed: 1 -> 2 files, 4 -> 6 bytes'],
      ['stale', 'inputs changed'],
    ]);
    expect((await runPlan(second, registry, quiet)).ran).toEqual(['p/data', 'p/twice']);
    const record = JSON.parse(readFileSync(join(second.byName.get('data')?.dir as string, 'stage.json'), 'utf8'));
    expect(record.record).toEqual({ count: 3, files: 2 });
    expect(record.sources[0]).toMatchObject({ param: 'dir', files: 2 });

    // Same names and sizes, another modification time: still noticed (stat only, no reads).
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(ws.root, 'dataset', 'a.png'), later, later);
    expect(planStatus(await replan())[0]).toMatchObject({ status: 'stale', reason: 'source dir dataset changed: same 2 files and size, but names or modification times differ' });
  }, 60_000);

  it('a stage child stops when its `alsg run` parent alone is SIGKILLed, leaves no job file, and the re-run completes', async () => {
    const { ws, file, plan } = await setup('stages:\n  s: { stage: slow }\n');
    const inst = plan.byName.get('s');
    const pidFile = join(scratchDirOf(plan.storeDir, inst as never), 'pid');
    const env = { ...process.env, ALSG_WORKSPACE: ws.root };
    // The child inherits the parent's stderr: a file outlives the parent, so the child's last words can be read.
    const stderrFile = join(ws.root, 'parent-stderr.txt');
    const stderrFd = openSync(stderrFile, 'w');
    const parent = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', file], { env, stdio: ['ignore', 'ignore', stderrFd] });
    closeSync(stderrFd);
    const exited = new Promise((r) => parent.on('exit', r));
    expect(await waitFor(() => existsSync(pidFile), 30_000)).toBe(true);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(parent.pid as number, 'SIGKILL'); // the parent only: the child is not in the signal's way
    await exited;
    expect(await waitFor(() => !pidAlive(childPid), 5000)).toBe(true);
    expect(readFileSync(stderrFile, 'utf8')).toContain('[p/s] the alsg run that started this stage is gone; stopping without committing\n');
    expect(readdirSync(join(plan.storeDir, '.jobs'))).toEqual([]);
    expect(planStatus(plan)[0].status).toBe('missing');

    await runPlan(plan, createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} })), quiet);
    const record = JSON.parse(readFileSync(join(inst?.dir as string, 'stage.json'), 'utf8'));
    expect(record.record).toEqual({ attempts: 2 });
  }, 60_000);

  it('a stage child that blocks its event loop still stops when its parent alone is SIGKILLed (watcher thread)', async () => {
    const { ws, file, plan } = await setup('stages:\n  s: { stage: slow, params: { busy: true, waitMs: 30000 } }\n');
    const pidFile = join(scratchDirOf(plan.storeDir, plan.byName.get('s') as never), 'pid');
    const stderrFile = join(ws.root, 'parent-stderr.txt');
    const stderrFd = openSync(stderrFile, 'w');
    const parent = spawn(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), 'run', file], { env: { ...process.env, ALSG_WORKSPACE: ws.root }, stdio: ['ignore', 'ignore', stderrFd] });
    closeSync(stderrFd);
    const exited = new Promise((r) => parent.on('exit', r));
    expect(await waitFor(() => existsSync(pidFile), 30_000)).toBe(true);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(parent.pid as number, 'SIGKILL');
    await exited;
    expect(await waitFor(() => !pidAlive(childPid), 5000)).toBe(true); // not 30 s later, when the loop ends
    // Written by the watcher thread (the main thread is busy), before it kills the process.
    expect(readFileSync(stderrFile, 'utf8')).toContain('[p/s] the alsg run that started this stage is gone; stopping without committing\n');
  }, 60_000);

  it('records size and sha256 of every output in stage.json, and names a damaged input with how to rebuild it', async () => {
    const yaml = 'stages:\n  data: { stage: source, params: { label: a, size: 4 } }\n  twice: { stage: double, inputs: { data: data }, params: { factor: 2 } }\n';
    const { ws, registry, sources, plan } = await setup(yaml);
    await runPlan(plan, registry, quiet);
    const data = plan.byName.get('data');
    const valuesFile = join(data?.dir as string, 'values.json');
    const bytes = readFileSync(valuesFile);
    const record = JSON.parse(readFileSync(join(data?.dir as string, 'stage.json'), 'utf8'));
    expect(record.outputs).toEqual({ 'values.json': { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } });
    expect(await verifyInstance(plan.storeDir, data as never, 'hash')).toEqual({ state: 'ok', problems: [] });

    // Overwritten with the same size: the cheap size check passes, a hash check names it.
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 2] = flipped[flipped.length - 2] === 0x31 ? 0x32 : 0x31;
    writeFileSync(valuesFile, flipped);
    expect((await verifyInstance(plan.storeDir, data as never, 'hash')).problems[0]).toMatch(/^values\.json has sha256 .* \(same size: overwritten\)/);
    const plan2 = planPipeline(await loadPipeline(ws.writePipeline('p', yaml.replace('factor: 2', 'factor: 3')), registry), sources);
    const hashErr = await runPlan(plan2, registry, { ...quiet, verifyInputs: 'hash' }).catch((e: unknown) => e);
    expect(hashErr).toMatchObject({ code: 'E_ARTIFACT' });

    // Truncated: every run notices before reading it.
    truncateSync(valuesFile, 3);
    const err = (await runPlan(plan2, registry, quiet).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'E_ARTIFACT' });
    expect(err.message).toContain(`p/twice: input p/data (${data?.dir}) is damaged:\n  - values.json has 3 bytes, but stage.json recorded ${bytes.length}`);
    expect(err.message).toContain(`rebuild it: rm -rf ${data?.dir} && alsg run `);
    expect(planStatus(plan2).find((s) => s.instance.name === 'twice')?.status).not.toBe('done');
  }, 60_000);

  it('a failed stage names the command that retries it, not the job file the child has already removed', async () => {
    const { plan, registry } = await setup('stages:\n  bad: { stage: fail, params: { mode: throw } }\n');
    const err = (await runPlan(plan, registry, quiet).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^p\/bad: stage failed \(exit status 1\): fixture failure on purpose/);
    expect(err.message).toMatch(/\n {2}retry: alsg run \S+p\.yaml --only bad$/);
    expect(err.message).not.toContain('.jobs');
    expect(readdirSync(join(plan.storeDir, '.jobs'))).toEqual([]);
  }, 60_000);
});
