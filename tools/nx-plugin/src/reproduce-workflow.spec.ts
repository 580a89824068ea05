// The GitHub Actions workflow users' forks run (.github/workflows/reproduce.yml) cannot run here; this checks it with
// a workflow validator from npm (@action-validator/cli: GitHub's workflow schema) and checks that it does what the
// README promises: set-up, tests, the smoke checks of the affected tables, the store and Nx cache kept between runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHECKOUT_ROOT } from '@ldl-alsg/pipeline/fixtures';

const WORKFLOW = join(CHECKOUT_ROOT, '.github/workflows/reproduce.yml');
const validate = (file: string) =>
  spawnSync(process.execPath, [join(CHECKOUT_ROOT, 'node_modules/@action-validator/cli/cli.mjs'), file], { encoding: 'utf8' });

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

describe('.github/workflows/reproduce.yml', () => {
  const text = readFileSync(WORKFLOW, 'utf8');
  const steps = (parse(text) as { jobs: { reproduce: { steps: Step[] } } }).jobs.reproduce.steps;

  it('passes the workflow validator, which does reject a broken workflow', () => {
    const ok = validate(WORKFLOW);
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const broken = join(mkdtempSync(join(tmpdir(), 'alsg-workflow-')), 'broken.yml');
    writeFileSync(broken, text.replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    bogus-key: 1'));
    const bad = validate(broken);
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toContain("Additional property 'bogus-key' is not allowed");
  });

  it('sets up, tests, then checks every table that has a smoke reference, for the affected ones, keeping the store and Nx cache', () => {
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm run setup');
    expect(runs).toContain('npm test');
    const tables = readdirSync(join(CHECKOUT_ROOT, 'pipelines/reference'))
      .map((f) => /^(.*)-smoke\.json$/.exec(f)?.[1])
      .filter((t): t is string => !!t)
      .sort();
    expect(runs).toContain(`npx nx affected -t ${tables.join(' ')} -c smoke`);
    const restore = steps.find((s) => s.uses?.startsWith('actions/cache/restore'));
    const save = steps.find((s) => s.uses?.startsWith('actions/cache/save'));
    for (const s of [restore, save]) expect(String(s?.with?.path)).toMatch(/\.alsg\/store\n\.nx\/cache/);
    expect(save?.if).toBe('always()'); // what a failing run finished is kept
    expect(steps.findIndex((s) => s === restore)).toBeLessThan(steps.findIndex((s) => (s.run ?? '').includes('nx affected')));
  });
});
