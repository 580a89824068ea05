import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAsync, type SpawnResult } from './fixtures/spawn-async';
import { createStageRegistry, expandPipeline, resolveWorkspaceLayout, validatePipelineFile } from '@ldl-alsg/pipeline';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';

function alsg(root: string, env: Record<string, string>, ...args: string[]): Promise<SpawnResult> {
  return spawnAsync(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ALSG_WORKSPACE: root, ALSG_STORE: '', DATA_ROOT: '', ...env }
  });
}

// The fixture stage `source` reads the folder in its `dir` param from outside the store, as ingest reads `root`.
const PIPELINE = 'stages:\n  data: { stage: source, params: { label: a, dir: "${DATA_ROOT}" } }\n  twice: { stage: double, inputs: { data: data } }\nprofiles:\n  small:\n    twice: { params: { factor: 1 } }\n';

describe('alsg validate / run on real-data wiring', () => {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline('wired', PIPELINE);

  it('names an unset variable and a folder that does not exist, with file, path and line, and accepts --profile', async () => {
    const unset = await alsg(ws.root, {}, 'validate', file);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('pipelines/wired.yaml stages.data.params.dir: environment variable DATA_ROOT must be set');
    expect(unset.stderr).toContain('(line 2)');

    const missing = await alsg(ws.root, { DATA_ROOT: join(ws.root, 'nowhere') }, 'validate', file, '--profile', 'small');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`stages.data.params.dir: dir must name an existing file or folder in profile small (stage source reads its data there), but got '${join(ws.root, 'nowhere')}', which does not exist (line 2)`);
    const run = await alsg(ws.root, { DATA_ROOT: join(ws.root, 'nowhere') }, 'run', file);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('which does not exist');

    mkdirSync(join(ws.root, 'there'));
    const ok = await alsg(ws.root, { DATA_ROOT: join(ws.root, 'there') }, 'validate', file, '--profile', 'small');
    expect(ok.stdout).toContain('pipelines/wired.yaml: valid (pipeline wired; profile small)');
    expect(ok.code).toBe(0);
    expect((await alsg(ws.root, { DATA_ROOT: join(ws.root, 'there') }, 'validate', file, '--profile', 'nope')).stderr).toContain("profile must be one of default, small, but got 'nope'");
  });
});

describe('pipelines/paper/table1.yaml', () => {
  it('takes its roots from the environment, writes the paper backbone once, and its smoke profile limits every ingest', async () => {
    const data = mkdtempSync(join(tmpdir(), 'alsg-paper-roots-'));
    const vars = ['AFFECTNET_ROOT', 'RAF_ROOT', 'SFEW_ROOT', 'CKPLUS_ROOT', 'CFEE_ROOT', 'MMI_ROOT', 'OULU_ROOT', 'CLEAN_AUX_ROOT'];
    const env = Object.fromEntries(vars.map((v) => [v, join(data, v)]));
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: CHECKOUT_ROOT, env: {} }));
    const file = join(CHECKOUT_ROOT, 'pipelines/paper/table1.yaml');
    const unset = await validatePipelineFile(file, registry, { env: {} });
    expect(unset.issues.map((i) => /environment variable (\w+)/.exec(i.message)?.[1]).sort()).toEqual([...vars].sort());
    const { pipeline, issues } = await validatePipelineFile(file, registry, { env });
    expect(issues).toEqual([]);
    const byName = (profile: string) => new Map(expandPipeline(pipeline!.spec, profile).instances.map((i) => [i.name, i]));
    const paper = byName('default');
    expect(paper.get('raf')?.params.root).toBe(join(data, 'RAF_ROOT'));
    for (const inst of paper.values()) {
      if (inst.stage === 'train') expect(inst.params).toMatchObject({ backbone: 'resnet50', inputSize: 224, backend: 'tensorflow-gpu' });
    }
    expect(paper.get('train-air@seed=2')?.params).toMatchObject({ method: 'air', air: { auxiliaryLabels: 'given' } });
    const smoke = byName('smoke');
    for (const inst of smoke.values()) {
      if (inst.stage === 'ingest') expect(inst.params.limit, inst.name).toBe(300);
      if (inst.stage === 'train') expect(inst.params, inst.name).toMatchObject({ backbone: 'mlp', backend: 'auto', epochs: inst.base === 'pretrain' ? 1 : 2, seed: 1 });
    }
    expect([...smoke.keys()].filter((n) => n.includes('seed=2'))).toEqual([]);
  });

  it('pipelines/table1.yaml\'s paper profile, written once through an alias, still reaches every train instance', async () => {
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: CHECKOUT_ROOT, env: {} }));
    const { pipeline } = await validatePipelineFile(join(CHECKOUT_ROOT, 'pipelines/table1.yaml'), registry, { env: {} });
    const trains = expandPipeline(pipeline!.spec, 'paper').instances.filter((i) => i.stage === 'train');
    expect(trains).toHaveLength(24);
    for (const t of trains) expect(t.params, t.name).toMatchObject({ backbone: 'resnet50', inputSize: 112, backend: 'tensorflow-gpu' });
  });
});
