import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { alignLandmarks, faceSizes } from './landmarks';

/** A 68-point shape with some structure (an ellipse with a bump), x then y. */
function baseShape(rng: Rng): number[] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let p = 0; p < 68; p++) {
    const t = (2 * Math.PI * p) / 68;
    xs.push(20 * Math.cos(t) + rng.normal() + (p % 7 === 0 ? 3 : 0));
    ys.push(28 * Math.sin(t) + rng.normal());
  }
  return [...xs, ...ys];
}

/** s R(theta) x + (tx, ty). */
function similarity(shape: number[], s: number, theta: number, tx: number, ty: number): number[] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let p = 0; p < 68; p++) {
    const x = shape[p];
    const y = shape[68 + p];
    xs.push(s * (Math.cos(theta) * x - Math.sin(theta) * y) + tx);
    ys.push(s * (Math.sin(theta) * x + Math.cos(theta) * y) + ty);
  }
  return [...xs, ...ys];
}

describe('faceSizes', () => {
  it('is the RMS distance of the points from their centroid', () => {
    // 4 points at (+-3, +-4) around (10, 10) padded to 68 by repeating: every point is 5 from the centroid
    const xs = Array.from({ length: 68 }, (_, p) => 10 + (p % 2 ? 3 : -3));
    const ys = Array.from({ length: 68 }, (_, p) => 10 + (p % 4 < 2 ? 4 : -4));
    expect(faceSizes([...xs, ...ys], 1, 136)[0]).toBeCloseTo(5, 12);
  });
});

describe('alignLandmarks (generalised Procrustes)', () => {
  it('aligns a rotated, scaled, shifted copy of a shape onto it (distance ~0), the mean shape at size 1', () => {
    const rng = new Rng(2, 'shape');
    const a = baseShape(rng);
    const b = similarity(a, 2.7, 0.4, 55, -13);
    const c = similarity(a, 0.6, -0.25, 3, 90);
    const r = alignLandmarks([...a, ...b, ...c], 3, 136, 3);
    for (let j = 0; j < 136; j++) {
      expect(Math.abs(r.data[136 + j] - r.data[j])).toBeLessThan(1e-5);
      expect(Math.abs(r.data[272 + j] - r.data[j])).toBeLessThan(1e-5);
      expect(Math.abs(r.data[j] - r.meanShape[j])).toBeLessThan(1e-5);
    }
    expect(faceSizes(r.meanShape, 1, 136)[0]).toBeCloseTo(1, 12);
    expect(r.alignedFaceSize).toBeCloseTo(1, 5);
    expect(r.residual.at(-1)).toBeLessThan(1e-6);
    expect(r.inputFaceSize).toBeCloseTo((faceSizes(a, 1, 136)[0] * (1 + 2.7 + 0.6)) / 3, 9);
  });

  it('keeps shape differences: two different shapes stay apart, whatever pose they come in', () => {
    const rng = new Rng(3, 'two');
    const a = baseShape(rng);
    const b = baseShape(rng);
    const plain = alignLandmarks([...a, ...b], 2, 136);
    const posed = alignLandmarks([...similarity(a, 3, 1.1, 7, 7), ...similarity(b, 0.5, -0.7, -40, 2)], 2, 136);
    // the common frame may differ by a global rotation (the start is the unrotated mean), distances may not
    const dist = (d: Float32Array): number => {
      let s = 0;
      for (let j = 0; j < 136; j++) s += (d[j] - d[136 + j]) ** 2;
      return s;
    };
    expect(Math.abs(dist(posed.data) - dist(plain.data))).toBeLessThan(1e-5);
    expect(dist(plain.data)).toBeGreaterThan(1e-3);
  });
});
