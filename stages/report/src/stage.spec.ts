import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatCsv } from '@ldl-alsg/artifacts';
import { computeEvaluationMetrics, type EvalRow, PREDICTION_COLUMNS, predictionRows } from '@ldl-alsg/evaluation';
import { applyParamsSchema, type StageContext } from '@ldl-alsg/pipeline';
import type { ReportParams } from '@ldl-alsg/report';
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

/** The pipeline's view: params defaulted by the stage's schema, results wired to the evaluate outputs. */
function context(params: Record<string, unknown>, results: string[], outDir: string): StageContext<ReportParams> {
  mkdirSync(outDir, { recursive: true });
  const applied = applyParamsSchema<ReportParams>(stage.paramsSchema, params, { file: 'spec' });
  expect(applied.issues).toEqual([]);
  return { address: 'test/report', params: applied.params, inputs: { results }, outDir, scratchDir: outDir, seed: 0, log: () => {}, progress: () => ({ tick() {}, update() {}, done() {} }), record: () => {} };
}

describe('report stage', () => {
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
    const expectBlock = (parseYaml(readFileSync(claims, 'utf8')) as { expect: unknown[] }).expect;
    await stage.run(context({ table: 'table1', expect: expectBlock }, results, out));
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| Baseline | not run (paper 57.97) | 65.00 ± 7.07 (n=2) (paper 81.81) |');
    // Seed 1 only is in both cells (80 vs 60 overall); the bootstrap over the 20 images of predictions.csv decides.
    expect(md).toMatch(/\*\*supported\*\* LDL-ALSG\(AU\+FL\) beats the baseline overall: \+20\.00 points, 1 seed: bootstrap only; paired bootstrap over 20 test images \[\+\d+\.\d\d, \+\d+\.\d\d\] \(seed 2 excluded/);
    expect(md).toContain('**inconclusive** NAL beats the baseline: cannot evaluate: NAL | all: not run');
    // A reference that says the baseline had 66 fails the run at tolerance 0.5.
    const ref = join(root, 'ref.json');
    writeFileSync(ref, JSON.stringify({ schema: 'ldl-alsg/reference@1', table: 'table1', cells: [{ row: 'Baseline', column: '', metric: 'all', mean: 66, n: 2 }] }));
    await expect(stage.run(context({ table: 'table1', reference: { file: ref, tolerance: 0.5 } }, results, join(root, 'o2')))).rejects.toThrow(
      /moved Baseline \| all \(reference 66.000, ours 65.000\)/,
    );
    expect(stage.paramsSchema).toHaveProperty('properties.expect');
  });
});
