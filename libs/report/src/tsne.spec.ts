import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { jointProbabilities, subsample, tsne } from './tsne';

function clusters(perCluster: number, seed: number): { x: number[]; labels: number[] } {
  const rng = new Rng(seed, 'tsne-spec');
  const centres = [[0, 0, 0, 0, 0], [10, 0, 0, 0, 0], [0, 10, 0, 0, 0]];
  const x: number[] = [];
  const labels: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < perCluster; i++) {
      x.push(...c.map((v) => v + rng.normal(0, 0.5)));
      labels.push(k);
    }
  });
  return { x, labels };
}

describe('tsne', () => {
  it('keeps three well-separated clusters apart (1-NN in the map agrees with the cluster for every point)', () => {
    const { x, labels } = clusters(20, 1);
    const n = labels.length;
    const y = tsne(x, n, 5, { perplexity: 10, seed: 3 });
    let agree = 0;
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (labels[best] === labels[i]) agree++;
    }
    expect(agree).toBe(n);
    // Between-cluster centroid distances dominate within-cluster spread.
    const centroid = (k: number) => {
      const idx = labels.flatMap((l, i) => (l === k ? [i] : []));
      return [idx.reduce((a, i) => a + y[2 * i], 0) / idx.length, idx.reduce((a, i) => a + y[2 * i + 1], 0) / idx.length];
    };
    const [c0, c1] = [centroid(0), centroid(1)];
    const spread = Math.sqrt(labels.flatMap((l, i) => (l === 0 ? [(y[2 * i] - c0[0]) ** 2 + (y[2 * i + 1] - c0[1]) ** 2] : [])).reduce((a, b) => a + b, 0) / 20);
    expect(Math.hypot(c0[0] - c1[0], c0[1] - c1[1])).toBeGreaterThan(3 * spread);
  });

  it('is deterministic for a seed', () => {
    const { x } = clusters(6, 2);
    expect([...tsne(x, 18, 5, { iterations: 50, seed: 1 })]).toEqual([...tsne(x, 18, 5, { iterations: 50, seed: 1 })]);
  });

  it('matches the requested perplexity in each conditional row', () => {
    const { x } = clusters(10, 3);
    const n = 30;
    const dist = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let c = 0; c < 5; c++) dist[i * n + j] += (x[i * 5 + c] - x[j * 5 + c]) ** 2;
    const P = jointProbabilities(dist, n, 5);
    let total = 0;
    for (const v of P) total += v;
    expect(total).toBeCloseTo(1, 6);
    expect(P[1 * n + 2]).toBeCloseTo(P[2 * n + 1], 15);
  });

  it('subsamples reproducibly and rejects NaN rows', () => {
    const a = subsample([...Array(100).keys()], 10, 5);
    expect(a).toEqual(subsample([...Array(100).keys()], 10, 5));
    expect(new Set(a).size).toBe(10);
    expect(() => tsne([1, 2, NaN, 4, 5, 6, 7, 8], 4, 2)).toThrow(/row 1/);
  });
});
