import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '@ldl-alsg/artifacts';
import { Rng } from '@ldl-alsg/common';
import { writeManifest } from '@ldl-alsg/datasets';
import { CLASSES } from '@ldl-alsg/labels';
import { computeSynthferCeilings, oracleAccuracy } from './ceilings';
import { fitSoftmax, predictSoftmax, quadraticFeatures, softmaxObjective } from './softmax-regression';

const root = mkdtempSync(join(tmpdir(), 'ceilings-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('oracle ceiling', () => {
  it('matches a hand count: argmax of the true distribution against the given label, per set, test rows only', () => {
    // 3 classes; rows: [set, split, label, distribution]
    const K = 3;
    const dist = [
      [0.6, 0.3, 0.1], // a test, label 0 -> argmax 0: hit
      [0.2, 0.5, 0.3], // a test, label 0 -> argmax 1: miss
      [0.4, 0.4, 0.2], // a test, label 0 -> tie 0/1 goes to 0: hit
      [0.1, 0.1, 0.8], // b test, label 2: hit
      [0.9, 0.05, 0.05], // b train, label 1: not counted
      [Number.NaN, Number.NaN, Number.NaN], // b test, unknown distribution: skipped
    ].flat();
    const labels = [0, 0, 0, 2, 1, 0];
    const sets = ['a', 'a', 'a', 'b', 'b', 'b'];
    const split = ['test', 'test', 'test', 'test', 'train', 'test'];
    const r = oracleAccuracy(dist, K, labels, sets, (i) => split[i] === 'test');
    expect(r.perSet.a).toBeCloseTo(200 / 3, 10);
    expect(r.perSet.b).toBe(100);
    expect(r.rows).toEqual({ a: 3, b: 1 });
  });
});

describe('quadratic features', () => {
  it('orders the columns: originals, pairwise products (i < j), squares', () => {
    const q = quadraticFeatures([1, 2, 3], 1, 3);
    expect(q.p).toBe(9);
    expect(Array.from(q.data)).toEqual([1, 2, 3, 2, 3, 6, 1, 4, 9]);
    expect(quadraticFeatures(new Float64Array(17), 1, 17).p).toBe(170);
  });
});

describe('softmax regression', () => {
  it('separates a tiny separable case and is deterministic', () => {
    // class = quadrant-like regions along one axis: x < -1 -> 0, |x| <= 1 -> 1, x > 1 -> 2 (needs the square to separate 1)
    const xs = [-3, -2.5, -2, -1.5, -0.5, 0, 0.5, 1.5, 2, 2.5, 3];
    const ys = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    const q = quadraticFeatures(xs, xs.length, 1); // [x, x^2]
    const m1 = fitSoftmax(q.data, ys, xs.length, q.p, 3, { l2: 1e-4, iterations: 200, memory: 10, tolerance: 1e-8 });
    const m2 = fitSoftmax(q.data, ys, xs.length, q.p, 3, { l2: 1e-4, iterations: 200, memory: 10, tolerance: 1e-8 });
    expect(Array.from(m1.weights)).toEqual(Array.from(m2.weights));
    expect(xs.map((_, r) => predictSoftmax(m1, q.data, r))).toEqual(ys);
    expect(m1.loss).toBeLessThan(0.2);
  });

  it('objective: the unrolled 7-class path equals the generic loop and a finite-difference gradient', () => {
    const rng = new Rng(9, 'obj');
    const n = 12;
    const p = 5;
    const x = Float64Array.from({ length: n * p }, () => rng.normal());
    const y = Array.from({ length: n }, (_, i) => i % 7);
    const w = Float64Array.from({ length: (p + 1) * 7 }, () => 0.3 * rng.normal());
    const g7 = new Float64Array(w.length);
    const f7 = softmaxObjective(w, x, y, n, p, 7, 0.01, g7);
    // the same problem as 8 classes with a class nobody has and whose weights stay at -50: its softmax share is ~e^-50
    const w8 = new Float64Array((p + 1) * 8);
    for (let j = 0; j <= p; j++) {
      for (let c = 0; c < 7; c++) w8[j * 8 + c] = w[j * 7 + c];
      w8[j * 8 + 7] = j === p ? -50 : 0;
    }
    const g8 = new Float64Array(w8.length);
    const f8 = softmaxObjective(w8, x, y, n, p, 8, 0.01, g8);
    expect(f8).toBeCloseTo(f7, 12);
    for (let j = 0; j <= p; j++) for (let c = 0; c < 7; c++) expect(g8[j * 8 + c]).toBeCloseTo(g7[j * 7 + c], 12);
    // hand check of one gradient entry by central differences
    const h = 1e-6;
    const plus = Float64Array.from(w);
    const minus = Float64Array.from(w);
    plus[3] += h;
    minus[3] -= h;
    const scratch = new Float64Array(w.length);
    const fd = (softmaxObjective(plus, x, y, n, p, 7, 0.01, scratch) - softmaxObjective(minus, x, y, n, p, 7, 0.01, scratch)) / (2 * h);
    expect(g7[3]).toBeCloseTo(fd, 6);
  });

  it('rejects labels outside [0, K)', () => {
    expect(() => fitSoftmax(new Float64Array([1, 2]), [0, 3], 2, 1, 3)).toThrow('fitSoftmax: label of row 1 is 3, expected an integer in [0, 3)');
  });
});

describe('computeSynthferCeilings', () => {
  it('reads a synthfer-shaped folder and reports both ceilings per test set', () => {
    const dir = join(root, 'syn');
    mkdirSync(join(dir, 'truth'), { recursive: true });
    const rng = new Rng(5, 'ceil');
    const n = 140;
    const rows = [];
    const au = new Float32Array(n * 17);
    const dist = new Float32Array(n * 7);
    for (let i = 0; i < n; i++) {
      const c = i % 7;
      // AU c carries the class: the features ceiling can learn it; the truth puts 0.7 on the class
      for (let a = 0; a < 17; a++) au[i * 17 + a] = (a === c ? 3 : 0) + 0.1 * rng.normal();
      for (let k = 0; k < 7; k++) dist[i * 7 + k] = k === c ? 0.7 : 0.05;
      const split = i < 70 ? 'train' : 'test';
      const dataset = i < 70 ? 'x-syn' : i < 105 ? 'x-syn' : 'y-syn';
      // test rows of y-syn: given label = next class for every other row (annotation noise): 18 of 35 rows (i = 105..139: 17 even) keep the true class
      const label = dataset === 'y-syn' && i % 2 === 0 ? CLASSES[(c + 1) % 7] : CLASSES[c];
      rows.push({ id: `f${i}`, path: `images/f${i}.png`, label, dataset, split: split as 'train' });
    }
    writeManifest(dir, rows);
    writeNpy(join(dir, 'distribution.npy'), dist, [n, 7]);
    writeNpy(join(dir, 'truth', 'au.npy'), au, [n, 17]);
    const c = computeSynthferCeilings(dir);
    expect(c.schema).toBe('alsg-ceilings/1');
    expect(c.oracle.perSet).toEqual({ 'x-syn': 100, 'y-syn': (100 * 18) / 35 });
    expect(c.features?.perSet['x-syn']).toBe(100);
    expect(c.features?.perSet['y-syn']).toBeCloseTo((100 * 18) / 35, 10);
    expect(c.features?.train).toBe(100);
    expect(c.features?.params).toMatchObject({ dimension: 170, trainRows: 70, classes: 7 });

    // test sets only (no train rows): the oracle still, the features ceiling null
    const testOnly = join(root, 'test-only');
    mkdirSync(join(testOnly, 'truth'), { recursive: true });
    writeManifest(testOnly, rows.slice(70));
    writeNpy(join(testOnly, 'distribution.npy'), dist.slice(70 * 7), [70, 7]);
    writeNpy(join(testOnly, 'truth', 'au.npy'), au.slice(70 * 17), [70, 17]);
    const t = computeSynthferCeilings(testOnly);
    expect(t.oracle.perSet).toEqual(c.oracle.perSet);
    expect(t.features).toBeNull();
  });
});
