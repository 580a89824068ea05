import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { canberra, chebyshev, clark, cosine, intersection, klDivergence, knownRows, ldlMetrics, LDL_METRIC_NAMES } from './ldl-metrics';

const p = [0.5, 0.5, 0, 0, 0, 0, 0];
const q = [0.25, 0.75, 0, 0, 0, 0, 0];

describe('LDL metrics, hand-computed', () => {
  it('p = (.5,.5,0..), q = (.25,.75,0..)', () => {
    expect(chebyshev(p, q)).toBeCloseTo(0.25, 12);
    // (0.25/0.75)^2 + (0.25/1.25)^2 = 1/9 + 1/25
    expect(clark(p, q)).toBeCloseTo(Math.sqrt(1 / 9 + 1 / 25), 12);
    expect(canberra(p, q)).toBeCloseTo(1 / 3 + 1 / 5, 12);
    expect(klDivergence(p, q)).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
    expect(cosine(p, q)).toBeCloseTo(0.5 / (Math.sqrt(0.5) * Math.sqrt(0.625)), 12);
    expect(intersection(p, q)).toBeCloseTo(0.75, 12);
  });

  it('identical distributions are at distance 0 and similarity 1, with zeros handled', () => {
    for (const f of [chebyshev, clark, canberra, klDivergence]) expect(f(p, p)).toBe(0);
    expect(cosine(p, p)).toBeCloseTo(1, 12);
    expect(intersection(p, p)).toBeCloseTo(1, 12);
  });

  it('a predicted zero where the truth is positive stays finite', () => {
    const kl = klDivergence([1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0]);
    expect(Number.isFinite(kl)).toBe(true);
    expect(kl).toBeCloseTo(Math.log(1e12), 6);
    expect(canberra([1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0])).toBe(2);
  });

  it('averages over known rows only and counts them', () => {
    const truth = [...p, ...new Array(7).fill(NaN)];
    const pred = [...q, ...q];
    const rows = knownRows(truth, 7);
    expect(rows).toEqual([0]);
    const m = ldlMetrics(truth, pred, 7, rows)!;
    expect(m.n).toBe(1);
    expect(m.chebyshev).toBeCloseTo(0.25, 12);
    expect(ldlMetrics(truth, pred, 7, [])).toBeNull();
    expect(() => ldlMetrics(truth, pred, 7, [1])).toThrow(/row 1/);
  });
});

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasNumpy)('LDL metrics against numpy formulas', () => {
  it('agree on random distributions with zeros', () => {
    const rng = new Rng(7, 'ldl-metrics-spec');
    const n = 50;
    const truth: number[] = [];
    const pred: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = rng.dirichlet(new Array(7).fill(0.5)).map((v: number, c: number) => (c === i % 7 ? 0 : v));
      const s = t.reduce((a: number, b: number) => a + b, 0);
      truth.push(...t.map((v: number) => v / s));
      pred.push(...rng.dirichlet(new Array(7).fill(2)));
    }
    const ours = ldlMetrics(truth, pred, 7, [...Array(n).keys()])!;
    const script = `
import json, sys, numpy as np
d = json.load(sys.stdin); y = np.array(d['t']).reshape(-1, 7); q = np.array(d['p']).reshape(-1, 7); eps = 1e-12
out = {
 'chebyshev': np.mean(np.max(np.abs(y - q), 1)),
 'clark': np.mean(np.sqrt(np.sum((y - q) ** 2 / np.maximum((y + q) ** 2, eps), 1))),
 'canberra': np.mean(np.sum(np.abs(y - q) / np.maximum(y + q, eps), 1)),
 'kl': np.mean(np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / np.maximum(q, eps)), 0), 1)),
 'cosine': np.mean(np.sum(y * q, 1) / (np.linalg.norm(y, axis=1) * np.linalg.norm(q, axis=1))),
 'intersection': np.mean(np.sum(np.minimum(y, q), 1)),
}
print(json.dumps({k: float(v) for k, v in out.items()}))`;
    const r = spawnSync(PY, ['-c', script], { input: JSON.stringify({ t: truth, p: pred }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as Record<string, number>;
    for (const name of LDL_METRIC_NAMES) expect(ours[name]).toBeCloseTo(ref[name], 10);
  });
});
