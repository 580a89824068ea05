import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
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

  it('gives an invalid pipeline one target that runs `alsg validate`', () => {
    const ws = createFixtureWorkspace();
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
    const { targets } = buildPipelineTargets('pipelines/bad.yaml', { stages: { x: { stage: 'nope' } } }, registry, {});
    expect(targets).toEqual({ bad: expect.objectContaining({ options: { command: 'node bin/alsg.mjs validate pipelines/bad.yaml', cwd: '{workspaceRoot}' } }) });
  });
});

describe('Nx with the plugin (real nx, throwaway workspace)', () => {
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
