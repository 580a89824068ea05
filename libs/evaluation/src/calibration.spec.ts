import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from './calibration';
import { formatMeanSd, meanSd } from './seeds';

function row(conf: number, cls: number): number[] {
  const r = new Array(7).fill((1 - conf) / 6);
  r[cls] = conf;
  return r;
}

describe('expectedCalibrationError', () => {
  it('matches a hand computation with two occupied bins', () => {
    // Rows 0-1 at confidence 0.95 (bin 14), one right one wrong: |0.5 - 0.95| * 2/4.
    // Rows 2-3 at confidence 0.55 (bin 8), both right: |1 - 0.55| * 2/4.
    const probs = [...row(0.95, 0), ...row(0.95, 1), ...row(0.55, 2), ...row(0.55, 3)];
    const truth = [0, 0, 2, 3];
    const c = expectedCalibrationError(probs, truth, 7, [0, 1, 2, 3]);
    expect(c.ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.45, 12);
    expect(c.bins).toHaveLength(15);
    expect(c.bins[14].count).toBe(2);
    expect(c.bins[8].count).toBe(2);
    expect(c.bins.reduce((a, b) => a + b.count, 0)).toBe(4);
  });

  it('is 0 for a perfectly calibrated bin and NaN with no rows', () => {
    const probs = [...row(0.5, 0), ...row(0.5, 1)];
    expect(expectedCalibrationError(probs, [0, 0], 7, [0, 1]).ece).toBeCloseTo(0, 12);
    expect(expectedCalibrationError(probs, [0, 0], 7, []).ece).toBeNaN();
  });
});

describe('meanSd', () => {
  it('uses the sample standard deviation and reports n', () => {
    const m = meanSd([70, 72, 74]);
    expect(m).toEqual({ mean: 72, sd: 2, n: 3 });
    expect(formatMeanSd(m)).toBe('72.00 ± 2.00 (n=3)');
    expect(meanSd([5])).toEqual({ mean: 5, sd: 0, n: 1 });
    expect(formatMeanSd(meanSd([5]))).toBe('5.00');
    expect(() => meanSd([1, NaN])).toThrow(/non-finite/);
  });
});
