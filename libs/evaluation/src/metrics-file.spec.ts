import { describe, expect, it } from 'vitest';
import { computeEvaluationMetrics, confusionRows, type EvalRow, predictionRows, type RunInfo } from './metrics-file';

const run: RunInfo = { method: 'baseline', spaces: [], backbone: 'tiny', noise: { mode: 'none' }, seed: 1 };

function oneHot(c: number, conf = 0.9): number[] {
  const r = new Array(7).fill((1 - conf) / 6);
  r[c] = conf;
  return r;
}

describe('computeEvaluationMetrics', () => {
  const rows: EvalRow[] = [
    { id: 'a1', dataset: 'a', domain: 'wild', labelIndex: 0 },
    { id: 'a2', dataset: 'a', domain: 'wild', labelIndex: 1 },
    { id: 'b1', dataset: 'b', domain: 'lab', labelIndex: 2 },
    { id: 'b2', dataset: 'b', domain: 'lab', labelIndex: 2 },
    { id: 'b3', dataset: 'b', domain: 'lab', labelIndex: 3 },
    { id: 'b4', dataset: 'b', domain: 'lab', labelIndex: 3 },
  ];
  // a: 1/2 right (50%); b: 3/4 right (75%).
  const probs = [...oneHot(0), ...oneHot(0), ...oneHot(2), ...oneHot(2), ...oneHot(3), ...oneHot(1)];

  it('reports per-set accuracy and plain-mean averages, not pooled ones', () => {
    const m = computeEvaluationMetrics(rows, probs, null, run);
    expect(m.sets.map((s) => [s.dataset, s.n, s.correct, s.accuracy])).toEqual([
      ['a', 2, 1, 50],
      ['b', 4, 3, 75],
    ]);
    expect(m.averages.wild).toBe(50);
    expect(m.averages.lab).toBe(75);
    expect(m.averages.all).toBe(62.5); // pooled would be 4/6 = 66.7
    expect(m.pooled.accuracy).toBeCloseTo(400 / 6, 10);
    expect(m.sets[0].ldl).toBeNull();
    expect(m.run.method).toBe('baseline');
  });

  it('computes LDL metrics only over rows with a known distribution', () => {
    const nan = new Array(7).fill(NaN);
    const dist = [...oneHot(0, 0.9), ...nan, ...nan, ...nan, ...nan, ...nan];
    const m = computeEvaluationMetrics(rows, probs, dist, run);
    expect(m.sets[0].ldl!.n).toBe(1);
    expect(m.sets[0].ldl!.chebyshev).toBeCloseTo(0, 12);
    expect(m.sets[1].ldl).toBeNull();
    expect(m.pooled.ldl!.n).toBe(1);
  });

  it('rejects misaligned predictions and mixed-domain sets', () => {
    expect(() => computeEvaluationMetrics(rows, probs.slice(7), null, run)).toThrow(/5 rows, but there are 6/);
    const mixed = rows.map((r, i) => (i === 1 ? { ...r, domain: 'lab' as const } : r));
    expect(() => computeEvaluationMetrics(mixed, probs, null, run)).toThrow(/dataset "a" has rows of several domains/);
  });

  it('writes predictions and per-set confusion rows', () => {
    expect(predictionRows(rows, probs)[5]).toMatchObject({ id: 'b4', label: 'surprise', predicted: 'happy' });
    const c = confusionRows(rows, probs);
    expect(c).toHaveLength(14);
    expect(c.find((r) => r.dataset === 'b' && r.label === 'surprise')).toMatchObject({ surprise: 1, happy: 1 });
  });
});
