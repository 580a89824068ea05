import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';

function alsg(root: string, env: Record<string, string>, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, ALSG_WORKSPACE: root, ALSG_STORE: '', DATA_ROOT: '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The fixture stage `source` reads the folder in its `dir` param from outside the store, as ingest reads `root`.
const PIPELINE = 'stages:\n  data: { stage: source, params: { label: a, dir: "${DATA_ROOT}" } }\n  twice: { stage: double, inputs: { data: data } }\nprofiles:\n  small:\n    twice: { params: { factor: 1 } }\n';

describe('alsg validate / run on real-data wiring', () => {
  const ws = createFixtureWorkspace();
  const file = ws.writePipeline('wired', PIPELINE);

  it('names an unset variable and a folder that does not exist, with file, path and line, and accepts --profile', () => {
    const unset = alsg(ws.root, {}, 'validate', file);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('pipelines/wired.yaml stages.data.params.dir: environment variable DATA_ROOT must be set');
    expect(unset.stderr).toContain('(line 2)');

    const missing = alsg(ws.root, { DATA_ROOT: join(ws.root, 'nowhere') }, 'validate', file, '--profile', 'small');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`stages.data.params.dir: dir must name an existing file or folder in profile small (stage source reads its data there), but got '${join(ws.root, 'nowhere')}', which does not exist (line 2)`);
    const run = alsg(ws.root, { DATA_ROOT: join(ws.root, 'nowhere') }, 'run', file);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('which does not exist');

    mkdirSync(join(ws.root, 'there'));
    const ok = alsg(ws.root, { DATA_ROOT: join(ws.root, 'there') }, 'validate', file, '--profile', 'small');
    expect(ok.stdout).toContain('pipelines/wired.yaml: valid (pipeline wired; profile small)');
    expect(ok.code).toBe(0);
    expect(alsg(ws.root, { DATA_ROOT: join(ws.root, 'there') }, 'validate', file, '--profile', 'nope').stderr).toContain("profile must be one of default, small, but got 'nope'");
  });
});
