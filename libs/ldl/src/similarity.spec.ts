import { describe, expect, it } from 'vitest';
import { localSimilarity } from './similarity';

describe('localSimilarity (Eq. 3)', () => {
  it('is 1 for identical labels and exp(-1/2) one sigma away', () => {
    expect(localSimilarity(0, 1)).toBe(1);
    expect(localSimilarity(68 * 68, 68)).toBeCloseTo(Math.exp(-0.5), 15);
    // ||(3,4)||^2 = 25 with sigma 5 -> exp(-25/50)
    expect(localSimilarity(25, 5)).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it('decreases with distance and grows with sigma', () => {
    expect(localSimilarity(2, 1)).toBeLessThan(localSimilarity(1, 1));
    expect(localSimilarity(2, 2)).toBeGreaterThan(localSimilarity(2, 1));
  });

  it('rejects a non-positive sigma and a negative or non-finite distance', () => {
    expect(() => localSimilarity(1, 0)).toThrow('localSimilarity: sigma must be a finite number > 0, but got 0');
    expect(() => localSimilarity(1, -2)).toThrow('sigma must be a finite number > 0, but got -2');
    expect(() => localSimilarity(-1, 1)).toThrow('squaredDistance must be a finite number >= 0, but got -1');
    expect(() => localSimilarity(Number.NaN, 1)).toThrow('squaredDistance must be a finite number >= 0, but got NaN');
  });
});
