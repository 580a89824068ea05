import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';
import { createNxFixtureWorkspace } from './fixtures/nx-fixture-workspace';
import { createStageRegistry, resolveWorkspaceLayout } from '@ldl-alsg/pipeline/planner';
import { buildPipelineTargets, PIPELINE_GLOB, stageCodeInputName } from './create-nodes';

const ONE = `stages:
  data: { stage: source, params: { label: a } }
  twice: { stage: double, inputs: { data: data }, matrix: { factor: [2, 3] } }
profiles:
  smoke:
    twice: { matrix: { factor: [2] } }
`;
const TWO = `stages:
  data: { stage: source, params: { label: a } }
  total: { stage: sum, inputs: { parts: [data] } }
`;

describe('buildPipelineTargets', () => {
  it('infers a target per instance and per pipeline, each one alsg run with profile configurations, the store as the only cache', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const { targets, stages, namedInputs } = buildPipelineTargets('pipelines/one.yaml', parse(ONE), registry, {});
    expect(Object.keys(targets).sort()).toEqual(['one', 'one/data', 'one/twice@factor=2', 'one/twice@factor=3']);
    expect(stages.sort()).toEqual(['double', 'source']);
    const t = targets['one/twice@factor=3'];
    expect(t.options.command).toBe('node bin/alsg.mjs run pipelines/one.yaml --jobs auto --only twice@factor=3 --if-present');
    expect(t.configurations?.smoke.command).toBe('node bin/alsg.mjs run pipelines/one.yaml --jobs auto --only twice@factor=3 --if-present --profile smoke');
    expect(targets.one.options.command).toBe('node bin/alsg.mjs run pipelines/one.yaml --jobs auto');
    expect(targets.one.configurations?.smoke.command).toBe('node bin/alsg.mjs run pipelines/one.yaml --jobs auto --profile smoke');
    // for `nx affected -t`, not for a cache: the file, and the stage's code as a named input of the project
    expect(t.inputs).toEqual(['{workspaceRoot}/pipelines/one.yaml', stageCodeInputName('double')]);
    expect(namedInputs[stageCodeInputName('double')]).toContain('{workspaceRoot}/stages/double/src/stage.ts');
    expect(namedInputs[stageCodeInputName('double')]).toContain('{workspaceRoot}/libs/common/src/errors.ts'); // imported library, transitively
    expect(targets.one.inputs?.sort()).toEqual(['{workspaceRoot}/pipelines/one.yaml', stageCodeInputName('double'), stageCodeInputName('source')].sort());
    expect(Object.keys(namedInputs).sort()).toEqual([stageCodeInputName('double'), stageCodeInputName('source')]);
    for (const target of Object.values(targets)) {
      // alsg checks its store per instance key: Nx's cache would re-run what alsg made, key on the whole file and copy
      // every result into .nx/cache a second time
      expect(target.cache).toBe(false);
      expect(target).not.toHaveProperty('outputs');
      expect(target).not.toHaveProperty('dependsOn'); // `alsg run --only` runs what an instance reads, in one process
    }
  });

  it('names a report\'s reference file among the inputs, so changing it makes that table affected', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const spec = parse('stages:\n  data: { stage: source, params: { label: a } }\nprofiles:\n  smoke:\n    data: { params: { reference: { file: pipelines/reference/r.json } } }\n');
    const { targets } = buildPipelineTargets('pipelines/r.yaml', spec, registry, {});
    expect(targets.r.inputs).toContain('{workspaceRoot}/pipelines/reference/r.json');
    expect(targets['r/data'].inputs).toContain('{workspaceRoot}/pipelines/reference/r.json');
  });

  it('reads YAML merge keys as alsg does and leaves ${VAR} values alone (names do not depend on them)', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const spec = parse('stages:\n  data: { stage: source, params: { label: a, dir: "${NOWHERE}" } }\n  twice: { stage: double, inputs: { data: data }, matrix: &f { factor: [2, 3] } }\n', { merge: true });
    expect(Object.keys(buildPipelineTargets('pipelines/m.yaml', spec, registry, {}).targets).sort()).toEqual(['m', 'm/data', 'm/twice@factor=2', 'm/twice@factor=3']);
  });

  it('gives an invalid pipeline one target that runs `alsg validate`', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const { targets } = buildPipelineTargets('pipelines/bad.yaml', { stages: { x: { stage: 'nope' } } }, registry, {});
    expect(targets).toEqual({ bad: expect.objectContaining({ options: { command: 'node bin/alsg.mjs validate pipelines/bad.yaml', cwd: '{workspaceRoot}' } }) });
  });
});

describe('plugin.cjs: inference kept under a key over what it reads', () => {
  const plugin = createRequire(import.meta.url)('../plugin.cjs') as {
    createNodesV2: [string, (files: string[], options: unknown, context: { workspaceRoot: string }) => Promise<Array<[string, { projects: Record<string, { targets: Record<string, { inputs?: string[] }>; namedInputs: Record<string, string[]> }> }]>>];
  };
  const projectOf = async (root: string) => (await plugin.createNodesV2[1](['pipelines/one.yaml'], {}, { workspaceRoot: root }))[0][1].projects.pipelines;
  const targetsOf = async (root: string): Promise<Record<string, { inputs?: string[] }>> => (await projectOf(root)).targets;

  it('has the glob of create-nodes.ts', () => {
    expect(plugin.createNodesV2[0]).toBe(PIPELINE_GLOB);
  });

  it('answers from .alsg/cache while nothing changed, and infers again when a pipeline or a code file changes', async () => {
    const ws = createFixtureWorkspace();
    writeFileSync(join(ws.root, 'pipelines/one.yaml'), ONE);
    const first = await targetsOf(ws.root);
    expect(Object.keys(first).sort()).toEqual(['one', 'one/data', 'one/twice@factor=2', 'one/twice@factor=3']);
    // a hit is read from the cache file: mark the cached result to see it come back
    const cacheFile = join(ws.root, '.alsg/cache/nx-plugin-nodes.json');
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    cached.result[0][1].projects.pipelines.targets.one.marker = true;
    writeFileSync(cacheFile, JSON.stringify(cached));
    expect((await targetsOf(ws.root)).one).toHaveProperty('marker', true);
    // a new source file of a stage: its code inputs change, so the key must
    writeFileSync(join(ws.root, 'stages/double/src/extra.ts'), 'export const extra = 1;\n');
    const again = await projectOf(ws.root);
    expect(again.targets.one).not.toHaveProperty('marker');
    expect(again.namedInputs[stageCodeInputName('double')]).toContain('{workspaceRoot}/stages/double/src/extra.ts');
    // an edited pipeline
    writeFileSync(join(ws.root, 'pipelines/one.yaml'), ONE.replace('factor: [2, 3]', 'factor: [2, 4]'));
    expect(Object.keys(await targetsOf(ws.root))).toContain('one/twice@factor=4');
  });
});

describe('Nx with the plugin (real nx, throwaway workspace)', () => {
  it('rebuilds a result deleted from a store outside the workspace instead of reporting a cached success', async () => {
    const store = mkdtempSync(join(tmpdir(), 'alsg-outside-store-'));
    const ws = createNxFixtureWorkspace({ one: ONE }, { env: { ALSG_STORE: store } });
    expect(await ws.nx('run', 'pipelines:one/twice@factor=2', '--outputStyle=stream')).toMatch(/one\/twice@factor=2: done in/);
    const key = JSON.parse((await ws.alsg('status', 'pipelines/one.yaml', '--json')).replace(/^[^[]*/, '')).find((r: { address: string }) => r.address === 'one/twice@factor=2').key;
    rmSync(join(store, 'double', key), { recursive: true });
    const again = await ws.nx('run', 'pipelines:one/twice@factor=2', '--outputStyle=stream');
    expect(again).toMatch(/one\/twice@factor=2: done in/); // ran again: Nx did not replay a cached success
    expect(existsSync(join(store, 'double', key, 'stage.json'))).toBe(true);
  });

  it('finds a finished pipeline in the store in one process, keeps other pipelines done when one changes, copies nothing into .nx/cache, and `nx affected` selects exactly the pipelines a stage change reaches', async () => {
    const ws = createNxFixtureWorkspace({ one: ONE, two: TWO });
    await ws.alsg('run', 'pipelines/one.yaml');
    await ws.alsg('run', 'pipelines/two.yaml');
    // after alsg run, Nx runs one `alsg run`, which finds every key in the store
    expect(await ws.nx('run', 'pipelines:one', '--outputStyle=stream')).toMatch(/one: 3 instances: 0 ran, 3 cached, 0 failed/);
    // a change to one pipeline's instance re-runs that instance only; the other pipeline stays done
    writeFileSync(join(ws.root, 'pipelines/one.yaml'), ONE.replace('factor: [2, 3]', 'factor: [2, 4]'));
    expect(await ws.nx('run', 'pipelines:one', '--outputStyle=stream')).toMatch(/one: 3 instances: 1 ran, 2 cached, 0 failed/);
    expect(await ws.nx('run', 'pipelines:two', '--outputStyle=stream')).toMatch(/two: 2 instances: 0 ran, 2 cached, 0 failed/);
    const nxCache = join(ws.root, '.nx/cache');
    const cached = existsSync(nxCache) ? readdirSync(nxCache).filter((n) => /^\d+$/.test(n)) : [];
    expect(cached).toEqual([]); // results live once, in the store
    execFileSync('git', ['checkout', '-q', 'pipelines'], { cwd: ws.root });

    appendFileSync(join(ws.root, 'stages/double/src/stage.ts'), '// touched\n');
    const affected = async (): Promise<string[]> =>
      Object.keys((JSON.parse(await ws.nx('affected', '-t', 'one', 'two', '--base=main', '--graph=stdout')) as { tasks: { tasks: object } }).tasks.tasks)
        .filter((t) => !t.includes('/'))
        .sort();
    expect(await affected()).toEqual(['pipelines:one']);
    execFileSync('git', ['checkout', '-q', 'stages'], { cwd: ws.root });
    appendFileSync(join(ws.root, 'stages/sum/src/stage.ts'), '// touched\n');
    expect(await affected()).toEqual(['pipelines:two']);
    appendFileSync(join(ws.root, 'stages/source/src/stage.ts'), '// touched\n');
    expect(await affected()).toEqual(['pipelines:one', 'pipelines:two']);
  });
});
