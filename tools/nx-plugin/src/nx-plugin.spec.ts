import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';
import { createNxFixtureWorkspace } from './fixtures/nx-fixture-workspace';
import { createStageRegistry, resolveWorkspaceLayout } from '@ldl-alsg/pipeline/planner';
import { buildPipelineTargets } from './create-nodes';

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
  it('infers a target per instance and per pipeline with dependsOn, inputs, outputs and profile configurations', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const { targets, stages } = buildPipelineTargets('pipelines/one.yaml', parse(ONE), registry, {});
    expect(Object.keys(targets).sort()).toEqual(['one', 'one/data', 'one/twice@factor=2', 'one/twice@factor=3']);
    expect(stages.sort()).toEqual(['double', 'source']);
    const t = targets['one/twice@factor=3'];
    expect(t.cache).toBe(true);
    expect(t.dependsOn).toEqual(['one/data']);
    expect(t.options.command).toBe('node bin/alsg.mjs run pipelines/one.yaml --only twice@factor=3 --if-present');
    expect(t.configurations?.smoke.command).toContain('--profile smoke');
    expect(t.inputs).toContain('{workspaceRoot}/pipelines/one.yaml');
    expect(t.inputs).toContain('{workspaceRoot}/stages/double/src/stage.ts');
    expect(t.inputs).toContain('{workspaceRoot}/libs/common/src/errors.ts'); // imported library, transitively
    expect(t.inputs).toContainEqual({ dependentTasksOutputFiles: '**/stage.json', transitive: true });
    expect(t.outputs).toHaveLength(1);
    expect((t.outputs as string[])[0]).toMatch(/^\{workspaceRoot\}\/\.alsg\/store\/double\/[0-9a-f]{20}$/);
    expect(targets.one.dependsOn).toEqual(['one/data', 'one/twice@factor=2', 'one/twice@factor=3']);
  });

  it('trusts Nx\'s cache only where Nx sees what a result depends on: a store outside the workspace or a dataset folder turns it off', () => {
    const ws = createFixtureWorkspace();
    const outside = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, storeDir: mkdtempSync(join(tmpdir(), 'alsg-outside-store-')), env: {} }));
    const far = buildPipelineTargets('pipelines/one.yaml', parse(ONE), outside, {}).targets;
    for (const t of Object.values(far)) {
      expect(t.cache).toBe(false); // Nx would report success for a result deleted from that store
      expect(t.outputs).toEqual([]);
    }

    mkdirSync(join(ws.root, 'dataset'));
    writeFileSync(join(ws.root, 'dataset', 'a.png'), 'a');
    const inside = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const spec = parse('stages:\n  data: { stage: source, params: { label: a, dir: dataset } }\n  twice: { stage: double, inputs: { data: data } }\n');
    const sourceParams = (s: string) => (s === 'source' ? ['dir'] : undefined);
    const before = buildPipelineTargets('pipelines/d.yaml', spec, inside, {}, sourceParams).targets;
    expect(before['d/data'].cache).toBe(false); // alsg fingerprints the folder; Nx cannot
    expect(before['d/twice'].cache).toBe(true); // sees a changed dataset through data's stage.json
    writeFileSync(join(ws.root, 'dataset', 'b.png'), 'b');
    const after = buildPipelineTargets('pipelines/d.yaml', spec, inside, {}, sourceParams).targets;
    expect(after['d/data'].outputs).not.toEqual(before['d/data'].outputs); // the output is the fingerprinted key's folder
  });

  it('gives an invalid pipeline one target that runs `alsg validate`', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const { targets } = buildPipelineTargets('pipelines/bad.yaml', { stages: { x: { stage: 'nope' } } }, registry, {});
    expect(targets).toEqual({ bad: expect.objectContaining({ options: { command: 'node bin/alsg.mjs validate pipelines/bad.yaml', cwd: '{workspaceRoot}' } }) });
  });
});

describe('Nx with the plugin (real nx, throwaway workspace)', () => {
  it('rebuilds a result deleted from a store outside the workspace instead of reporting a cached success', () => {
    const store = mkdtempSync(join(tmpdir(), 'alsg-outside-store-'));
    const ws = createNxFixtureWorkspace({ one: ONE }, { env: { ALSG_STORE: store } });
    expect(ws.nx('run', 'pipelines:one/twice@factor=2', '--outputStyle=stream')).toMatch(/one\/twice@factor=2: done in/);
    const key = JSON.parse(ws.alsg('status', 'pipelines/one.yaml', '--json').replace(/^[^[]*/, '')).find((r: { address: string }) => r.address === 'one/twice@factor=2').key;
    rmSync(join(store, 'double', key), { recursive: true });
    const again = ws.nx('run', 'pipelines:one/twice@factor=2', '--outputStyle=stream');
    expect(again).toMatch(/one\/twice@factor=2: done in/); // ran again: Nx did not replay a cached success
    expect(existsSync(join(store, 'double', key, 'stage.json'))).toBe(true);
  });

  it('serves a second run of a finished pipeline from the cache, and `nx affected` selects exactly the pipelines a stage change reaches', () => {
    const ws = createNxFixtureWorkspace({ one: ONE, two: TWO });
    const first = ws.nx('run', 'pipelines:one', '--outputStyle=stream');
    // ws.nx throws on a non-zero exit. Nx's closing "Successfully ran target" line is not printed when CI is set, so the
    // check reads the pipeline target's own summary instead.
    expect(first).toMatch(/one: 3 instances: 0 ran, 3 cached, 0 failed/);
    expect(first).toMatch(/one\/twice@factor=3: done in/);
    const second = ws.nx('run', 'pipelines:one', '--outputStyle=stream');
    expect(second).toMatch(/Cache:\s+4\/4 hit/);

    appendFileSync(join(ws.root, 'stages/double/src/stage.ts'), '// touched\n');
    const affected = (): string[] =>
      Object.keys((JSON.parse(ws.nx('affected', '-t', 'one', 'two', '--base=main', '--graph=stdout')) as { tasks: { tasks: object } }).tasks.tasks)
        .filter((t) => !t.includes('/'))
        .sort();
    expect(affected()).toEqual(['pipelines:one']);
    execFileSync('git', ['checkout', '-q', 'stages'], { cwd: ws.root });
    appendFileSync(join(ws.root, 'stages/sum/src/stage.ts'), '// touched\n');
    expect(affected()).toEqual(['pipelines:two']);
    appendFileSync(join(ws.root, 'stages/source/src/stage.ts'), '// touched\n');
    expect(affected()).toEqual(['pipelines:one', 'pipelines:two']);
  });
});
