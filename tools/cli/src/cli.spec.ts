import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAsync, type SpawnResult } from './fixtures/spawn-async';
import { createStageRegistry, resolveWorkspaceLayout } from '@ldl-alsg/pipeline';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';
import { pipelineSchemaText } from './commands/schema-command';

function alsg(root: string, ...args: string[]): Promise<SpawnResult> {
  return spawnAsync(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ALSG_WORKSPACE: root, ALSG_STORE: '' }
  });
}

describe('alsg CLI', () => {
  const ws = createFixtureWorkspace();
  const good = ws.writePipeline('good', 'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, inputs: { data: data } }\n');
  const bad = ws.writePipeline('bad', 'stages:\n  twice: { stage: double, params: { factor: -1 }, inputs: { data: nowhere } }\n');
  const broken = ws.writePipeline('broken', 'stages:\n  data: { stage: source\n');

  it('validate exits 0 on a good pipeline and 1 with every problem on bad ones', async () => {
    const ok = await alsg(ws.root, 'validate', good);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid');
    const r = await alsg(ws.root, 'validate', 'pipelines/bad.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pipelines/bad.yaml is not a valid pipeline (2 problems):');
    expect(r.stderr).toContain("pipelines/bad.yaml stages.twice.inputs.data: data must name an instance of this pipeline, but got 'nowhere' (line 2)");
    expect(r.stderr).toContain('pipelines/bad.yaml stages.twice.params.factor: factor must be >= 0, but got -1 (line 2)');
    const y = await alsg(ws.root, 'validate', broken);
    expect(y.code).toBe(1);
    expect(y.stderr).toMatch(/YAML must be well-formed, but got .* \(line \d+, column \d+\)/);
    expect(await alsg(ws.root, 'validate', 'pipelines/missing.yaml')).toMatchObject({ code: 1 });
  });

  it('reference says what is missing instead of comparing nothing', async () => {
    const none = await alsg(ws.root, 'reference', good);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`alsg: ${good}: no report instance declares a reference in profile 'default' (params.reference: {file, tolerance})`);
    const usage = await alsg(ws.root, 'reference');
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('alsg: reference needs exactly one pipeline file');
    expect(usage.stderr).toContain('Usage: alsg reference');
  });

  it('prints help, and usage with the message for user errors', async () => {
    const help = await alsg(ws.root, '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: alsg <command>');
    expect((await alsg(ws.root, 'run', '--help')).stdout).toContain('--on-failure');
    const noFile = await alsg(ws.root, 'run');
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('alsg: run needs exactly one pipeline file');
    expect(noFile.stderr).toContain('Usage: alsg run');
    const typo = await alsg(ws.root, 'stauts');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("unknown command 'stauts' (did you mean 'status'?)");
    // Every command of the CLI is a candidate, not only the older ones.
    expect((await alsg(ws.root, 'cancle')).stderr).toContain("(did you mean 'cancel'?)");
    expect((await alsg(ws.root, 'referense')).stderr).toContain("(did you mean 'reference'?)");
  });

  it('run, then status shows every instance done; a bad profile is a user error', async () => {
    expect((await alsg(ws.root, 'status', good)).stdout).toContain('good: 0 done, 0 stale, 2 missing');
    const run = await alsg(ws.root, 'run', good);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('good: 2 instances: 2 ran, 0 cached, 0 failed, 0 skipped');
    const status = await alsg(ws.root, 'status', good, '--json');
    expect((JSON.parse(status.stdout) as Array<{ status: string }>).map((s) => s.status)).toEqual(['done', 'done']);
    const again = await alsg(ws.root, 'run', good);
    expect(again.stderr).toContain('good/twice: cached');
    const p = await alsg(ws.root, 'run', good, '--profile', 'paper');
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("profile must be one of default, but got 'paper'");
  });
});

describe('pipelines/schema.json', () => {
  it('is current (regenerate with `alsg schema`)', async () => {
    const registry = createStageRegistry(resolveWorkspaceLayout({ root: CHECKOUT_ROOT, env: {} }));
    expect(readFileSync(join(CHECKOUT_ROOT, 'pipelines/schema.json'), 'utf8')).toBe(await pipelineSchemaText(registry));
  });
});
