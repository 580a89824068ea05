import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { CLASSES, classIndex } from '@ldl-alsg/labels';
import { ASYMMETRIC_TARGET, abcNoise, asymmetricNoise, symmetricNoise } from './flip';
import { selectNoisyRows } from './select';

/** Labels spread over all 7 classes, drawn once from a fixed stream. */
function randomLabels(n: number, seed = 7): Int32Array {
  const rng = new Rng(seed, 'test-labels');
  return Int32Array.from({ length: n }, () => rng.int(7));
}

describe('selectNoisyRows', () => {
  it('exact mode picks round(rate * n) distinct eligible rows', () => {
    const eligible = Array.from({ length: 15 }, (_, i) => i * 2);
    for (const [rate, count] of [[0, 0], [0.1, 2], [0.5, 8], [0.99, 15]] as const) {
      const rows = selectNoisyRows(eligible, rate, true, new Rng(1));
      expect(rows).toHaveLength(count);
      expect(new Set(rows).size).toBe(count);
      for (const r of rows) expect(eligible).toContain(r);
    }
  });

  it('per-sample mode gives a Binomial(n, p) count', () => {
    const n = 100_000;
    const rows = selectNoisyRows(Array.from({ length: n }, (_, i) => i), 0.1, false, new Rng(3));
    const sd = Math.sqrt(n * 0.1 * 0.9);
    expect(Math.abs(rows.length - n * 0.1)).toBeLessThan(5 * sd);
    expect(rows.length).not.toBe(n * 0.1); // not secretly exact (P(exactly 10000) ~ 0.4%; fixed seed)
  });

  it('rejects rates outside [0, 1)', () => {
    for (const bad of [1, -0.01, 1.5, Number.NaN, Infinity]) {
      expect(() => selectNoisyRows([0, 1], bad, true, new Rng(1))).toThrow(/rate must be a number in \[0, 1\)/);
    }
  });
});

describe('symmetricNoise', () => {
  it('flips exactly round(p * n_train) labels, only eligible ones, never to the same class', () => {
    const n = 2000;
    const labels = randomLabels(n);
    const eligible = Array.from({ length: n }, (_, i) => i % 4 !== 0); // 1500 train rows
    const { labels: out, flips } = symmetricNoise(labels, { rate: 0.15, eligible, seed: 11 });
    expect(flips).toHaveLength(Math.round(0.15 * 1500));
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (out[i] !== labels[i]) {
        changed++;
        expect(eligible[i]).toBe(true);
      }
    }
    expect(changed).toBe(flips.length); // every flip changes the label: never to the same class
    for (const f of flips) {
      expect(f.to).not.toBe(f.from);
      expect(f.from).toBe(labels[f.row]);
      expect(out[f.row]).toBe(f.to);
    }
  });

  it('spreads flips uniformly over the other six classes (chi-square)', () => {
    const n = 140_000;
    const labels = randomLabels(n, 5);
    const { flips } = symmetricNoise(labels, { rate: 0.5, seed: 2 });
    const counts = Array.from({ length: 7 }, () => new Array<number>(7).fill(0));
    for (const f of flips) counts[f.from][f.to]++;
    let chi2 = 0;
    for (let from = 0; from < 7; from++) {
      expect(counts[from][from]).toBe(0);
      const total = counts[from].reduce((a, b) => a + b, 0);
      const expected = total / 6;
      for (let to = 0; to < 7; to++) if (to !== from) chi2 += (counts[from][to] - expected) ** 2 / expected;
    }
    // 7 sources x 5 degrees of freedom = 35; the 0.999 quantile of chi2(35) is 66.6.
    expect(chi2).toBeLessThan(66.6);
  });

  it('is determined by the seed', () => {
    const labels = randomLabels(500);
    const a = symmetricNoise(labels, { rate: 0.2, seed: 42 });
    const b = symmetricNoise(labels, { rate: 0.2, seed: 42 });
    const c = symmetricNoise(labels, { rate: 0.2, seed: 43 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.flips).toEqual(b.flips);
    expect(Array.from(a.labels)).not.toEqual(Array.from(c.labels));
  });

  it('rejects labels outside the class set', () => {
    expect(() => symmetricNoise([0, 7], { rate: 0.1, seed: 1 })).toThrow(/row 1: label must be a class index in 0\.\.6/);
    expect(() => symmetricNoise([-1], { rate: 0.1, seed: 1 })).toThrow(/row 0/);
    expect(() => symmetricNoise([1.5], { rate: 0.1, seed: 1 })).toThrow(/got 1\.5/);
    expect(() => symmetricNoise([0, 1], { rate: 0.1, seed: 1, eligible: [true] })).toThrow(/eligible mask has 1 entries/);
  });
});

describe('asymmetricNoise', () => {
  it('follows the LA-Net mapping exactly', () => {
    // reference/datasets.md, written out independently of ASYMMETRIC_MAP
    const expected: Record<string, string> = {
      anger: 'disgust',
      disgust: 'anger',
      fear: 'surprise',
      happy: 'neutral',
      sad: 'neutral',
      surprise: 'anger',
      neutral: 'sad',
    };
    for (const name of CLASSES) expect(CLASSES[ASYMMETRIC_TARGET[classIndex(name)]]).toBe(expected[name]);
    const labels = randomLabels(3000);
    const { labels: out, flips } = asymmetricNoise(labels, { rate: 0.3, seed: 9 });
    expect(flips).toHaveLength(900);
    for (const f of flips) expect(CLASSES[f.to]).toBe(expected[CLASSES[f.from]]);
    for (let i = 0; i < labels.length; i++) if (out[i] !== labels[i]) expect(CLASSES[out[i]]).toBe(expected[CLASSES[labels[i]]]);
  });
});

describe('abcNoise', () => {
  it('makes three independent copies with 5%, 10% and 15% noise', () => {
    const labels = randomLabels(4000);
    const eligible = Array.from({ length: 4000 }, (_, i) => i < 3000);
    const sets = abcNoise(labels, { eligible, seed: 3 });
    expect(sets.map((s) => s.flips.length)).toEqual([150, 300, 450]);
    // independent draws: A's changed rows are not simply a subset of C's
    const cRows = new Set(sets[2].flips.map((f) => f.row));
    const shared = sets[0].flips.filter((f) => cRows.has(f.row)).length;
    expect(shared).toBeLessThan(75); // expected overlap 150 * 0.15 = 22.5
    for (const s of sets) for (const f of s.flips) expect(f.row).toBeLessThan(3000);
    expect(() => abcNoise(labels, { rates: [0.1, 1], seed: 1 })).toThrow(/rates\[1\] must be a number in \[0, 1\)/);
  });
});
