import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCsv } from '@ldl-alsg/artifacts';
import { computeEvaluationMetrics, type EvalRow, PREDICTION_COLUMNS, predictionRows } from '@ldl-alsg/evaluation';
import { runCli } from './cli';
import { stage } from './stage';

/** An evaluate output whose predictions are right on the first `right` rows of each of two sets of 10. */
function evalDir(root: string, name: string, method: string, seed: number, right: number): string {
  const rows: EvalRow[] = [];
  const probs: number[] = [];
  for (const [dataset, domain] of [['raf-syn', 'wild'], ['ckplus-syn', 'lab']] as const) {
    for (let i = 0; i < 10; i++) {
      rows.push({ id: `${dataset}-${i}`, dataset, domain, labelIndex: 1 });
      const p = new Array(7).fill(0.05);
      p[i < right ? 1 : 2] = 0.7;
      probs.push(...p);
    }
  }
  const dir = join(root, name);
  mkdirSync(dir);
  const m = computeEvaluationMetrics(rows, probs, null, { method, spaces: method === 'ldl-alsg' ? ['au', 'landmarks'] : [], backbone: 'small-cnn', backend: 'wasm', noise: { mode: 'none' }, seed });
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(m));
  writeFileSync(join(dir, 'predictions.csv'), formatCsv(PREDICTION_COLUMNS, predictionRows(rows, probs)));
  return dir;
}

describe('report CLI', () => {
  it('writes the table with paper values and claim verdicts, and fails CI on a reference mismatch', async () => {
    const root = mkdtempSync(join(tmpdir(), 'alsg-report-cli-'));
    const results = [evalDir(root, 'b1', 'baseline', 1, 6), evalDir(root, 'b2', 'baseline', 2, 7), evalDir(root, 'a1', 'ldl-alsg', 1, 8)];
    const claims = join(root, 'claims.yaml');
    writeFileSync(
      claims,
      `expect:
  - claim: LDL-ALSG(AU+FL) beats the baseline overall
    left: {row: LDL-ALSG(AU+FL), metric: all}
    op: ">"
    right: {row: Baseline, metric: all}
  - claim: NAL beats the baseline
    left: {row: NAL, metric: all}
    op: ">"
    right: {row: Baseline, metric: all}
`,
    );
    const out = join(root, 'out');
    expect(await runCli(['--table', 'table1', '--expect', claims, '--out', out, ...results.flatMap((r) => ['--results', r])])).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| Baseline | not run (paper 57.97) | 65.00 ± 7.07 (n=2) (paper 81.81) |');
    // Seed 1 only is in both cells (80 vs 60 overall); the bootstrap over the 20 images of predictions.csv decides.
    expect(md).toMatch(/\*\*supported\*\* LDL-ALSG\(AU\+FL\) beats the baseline overall: \+20\.00 points, 1 seed: bootstrap only; paired bootstrap over 20 test images \[\+\d+\.\d\d, \+\d+\.\d\d\] \(seed 2 excluded/);
    expect(md).toContain('**inconclusive** NAL beats the baseline: cannot evaluate: NAL | all: not run');
    // A reference that says the baseline had 66 fails the run at tolerance 0.5.
    const ref = join(root, 'ref.json');
    writeFileSync(ref, JSON.stringify({ schema: 'ldl-alsg/reference@1', table: 'table1', cells: [{ row: 'Baseline', column: '', metric: 'all', mean: 66, n: 2 }] }));
    await expect(runCli(['--table', 'table1', '--reference', ref, '--tolerance', '0.5', '--out', join(root, 'o2'), ...results.flatMap((r) => ['--results', r])])).rejects.toThrow(
      /moved Baseline \| all \(reference 66.000, ours 65.000\)/,
    );
    expect(stage.paramsSchema).toHaveProperty('properties.expect');
  });
});
