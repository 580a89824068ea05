import { describe, expect, it } from 'vitest';
import { describeDiagnostics, graphDiagnostics } from './diagnostics';

const e = Math.exp;

describe('graphDiagnostics on a hand-checkable graph', () => {
  // 4 rows on a line at 0, 1, 3, 10; k = 1; sigma = 1; labels a, a, b, b
  const features = Float32Array.from([0, 1, 3, 10]);
  const neighbors = Int32Array.from([1, 0, 1, 2]);
  const a = [e(-0.5), e(-0.5), e(-2), e(-24.5)];
  const similarity = Float32Array.from(a);
  const labels = { index: Int32Array.from([0, 0, 1, 1]), classes: ['a', 'b'] };
  // true distributions: TV(0,1) = 0, TV(2,1) = 1, TV(3,2) = 0.5
  const distributions = Float32Array.from([1, 0, 1, 0, 0, 1, 0.5, 0.5]);
  const g = graphDiagnostics({ features, n: 4, d: 1, neighbors, similarity, k: 1, sigma: 1, seed: 3, labels, distributions });

  it('summarises a_ij over the slots', () => {
    const f32 = Array.from(similarity); // the stored values are float32
    const s = g.similarity.graph;
    expect(s.count).toBe(4);
    expect(s.mean).toBeCloseTo((f32[0] + f32[1] + f32[2] + f32[3]) / 4, 12);
    expect(s.quantiles.p0).toBeCloseTo(f32[3], 12);
    expect(s.quantiles.p100).toBeCloseTo(f32[0], 12);
    expect(s.quantiles.p50).toBeCloseTo((f32[2] + f32[0]) / 2, 7);
    const counts = new Array(20).fill(0);
    counts[0] = 1; // e^-24.5
    counts[2] = 1; // e^-2 = 0.135
    counts[12] = 2; // e^-0.5 = 0.607
    expect(s.histogram).toEqual({ bins: 20, range: [0, 1], counts });
    expect(s.meanRowSum).toBeCloseTo(s.mean, 12); // k = 1
  });

  it('counts label agreement against chance and per class', () => {
    expect(g.labels?.graph).toBe(3 / 4);
    expect(g.labels?.chance).toBe(0.5);
    expect(g.labels?.perClass.map((c) => [c.class, c.centres, c.prior, c.graph])).toEqual([
      ['a', 2, 0.5, 1],
      ['b', 2, 0.5, 0.5],
    ]);
  });

  it('measures total-variation distances to neighbours, a_ij-weighted and same-label random', () => {
    const t = g.distribution!;
    const f32 = Array.from(similarity);
    expect(t.centres).toBe(4);
    expect(t.graph).toBeCloseTo((0 + 0 + 1 + 0.5) / 4, 12);
    expect(t.graphWeighted).toBeCloseTo((f32[2] * 1 + f32[3] * 0.5) / (f32[0] + f32[1] + f32[2] + f32[3]), 7);
    // each label has 2 rows, so the same-label draw is forced: TV(0,1) = TV(1,0) = 0, TV(2,3) = TV(3,2) = 0.5
    expect(t.sameLabelRandom).toBe(0.25);
    expect(t.ratio.graph).toBeCloseTo(0.375 / 0.25, 12);
    expect(t.random).toBeGreaterThanOrEqual(0);
    expect(t.random).toBeLessThanOrEqual(1);
    expect(describeDiagnostics(g)).toContain('label agreement 0.750');
  });

  it('is deterministic given the seed', () => {
    const again = graphDiagnostics({ features, n: 4, d: 1, neighbors, similarity, k: 1, sigma: 1, seed: 3, labels, distributions });
    expect({ ...again, seconds: 0 }).toEqual({ ...g, seconds: 0 });
  });

  it('random-pair a_ij: with 2 rows the only other row is forced', () => {
    const two = graphDiagnostics({ features: Float32Array.from([0, 2]), n: 2, d: 1, neighbors: Int32Array.from([1, 0]), similarity: Float32Array.from([e(-2), e(-2)]), k: 1, sigma: 1, seed: 0 });
    expect(two.similarity.random.mean).toBeCloseTo(e(-2), 12);
    expect(two.similarity.random.sd).toBe(0);
    expect(two.labels).toBeNull();
    expect(two.distribution).toBeNull();
  });
});
