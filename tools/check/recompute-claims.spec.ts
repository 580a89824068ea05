import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, 'recompute_claims.py');

/** numpy and scipy are optional (the set-up installs them when it can); without them the cross-check is skipped. */
function hasScipy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy, scipy']);
    return true;
  } catch {
    return false;
  }
}

/** A report folder whose results are one baseline and LDL-ALSG(AU) at two lambdas, for seeds 1 and 2, on one test set. */
function fixtureReport(): string {
  const root = mkdtempSync(join(tmpdir(), 'recompute-'));
  const truth = [0, 1, 2, 3, 4, 5, 6, 0, 1, 2];
  const results: { dir: string }[] = [];
  const model = (name: string, run: object, correct: number) => {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ run, sets: [{ dataset: 'raf-syn', domain: 'wild' }] }));
    const rows = truth.map((label, i) => `raf-syn,img${i},${label},${i < correct ? label : (label + 1) % 7}`);
    writeFileSync(join(dir, 'predictions.csv'), ['dataset,id,label,predicted', ...rows].join('\n') + '\n');
    results.push({ dir });
  };
  for (const seed of [1, 2]) {
    model(`base${seed}`, { method: 'baseline', noise: { mode: 'symmetric', rate: 0 }, seed }, 5);
    model(`au-small${seed}`, { method: 'ldl-alsg', spaces: ['au'], lambda: { au: 0.1, landmarks: 0 }, seed }, 6);
    model(`au-large${seed}`, { method: 'ldl-alsg', spaces: ['au'], lambda: { au: 1, landmarks: 0 }, seed }, 3);
    // Table 2's shape: NAL at two noise rates, told apart by the run's noise record only (the baseline is at rate 0 only)
    model(`noisy0-${seed}`, { method: 'nal', noise: { mode: 'symmetric', rate: 0 }, seed }, 9);
    model(`noisy15-${seed}`, { method: 'nal', noise: { mode: 'symmetric', rate: 0.15 }, seed }, 4);
  }
  writeFileSync(join(root, 'stage.json'), JSON.stringify({ inputs: { results } }));
  return root;
}

describe.skipIf(!hasScipy())('tools/check/recompute_claims.py', () => {
  it('tells one method at several lambdas apart as method@lambda, and asks for one when the bare name is ambiguous', () => {
    const report = fixtureReport();
    const run = (...rows: string[]) => spawnSync('python3', [SCRIPT, report, ...rows, '--resamples', '200'], { encoding: 'utf8' });
    const small = run('LDL-ALSG(AU)@0.1', 'Baseline');
    expect(small.status).toBe(0);
    expect(small.stdout).toContain('LDL-ALSG(AU)@0.1 - Baseline, metric all, seeds [\'1\', \'2\']: per-seed differences [10.0, 10.0], mean +10.000');
    const large = run('LDL-ALSG(AU)@1', 'Baseline');
    expect(large.stdout).toContain('per-seed differences [-20.0, -20.0], mean -20.000');
    const bare = run('LDL-ALSG(AU)', 'Baseline');
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain("'LDL-ALSG(AU)' was trained at several lambdas; name one of: ['LDL-ALSG(AU)@0.1', 'LDL-ALSG(AU)@1']");
  });

  it('keeps only the runs matching --where, and refuses to mix runs that differ otherwise (a noise rate)', () => {
    const report = fixtureReport();
    const run = (...args: string[]) => spawnSync('python3', [SCRIPT, report, ...args, '--resamples', '200'], { encoding: 'utf8' });
    const at0 = run('NAL', 'Baseline', '--where', 'noise.rate=0');
    expect(at0.status, at0.stderr).toBe(0);
    expect(at0.stdout).toContain('per-seed differences [40.0, 40.0], mean +40.000');
    const at15 = run('NAL', 'Baseline', '--where', 'noise.rate=0.15'); // no baseline at 15% in the fixture
    expect(at15.status).not.toBe(0);
    expect(at15.stderr).toContain('no seed has both');
    const bad = run('NAL', 'Baseline', '--where', 'noise.rate');
    expect(bad.stderr).toContain("--where must be PATH=VALUE (e.g. noise.rate=0.15), but got 'noise.rate'");
    const mixed = run('NAL', 'Baseline');
    expect(mixed.status).not.toBe(0);
    expect(mixed.stderr).toContain("two models of 'NAL', seed 1, differ by something else of their run");
  });
});
