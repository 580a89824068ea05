/**
 * Expected calibration error (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017):
 * ECE = sum_b (|B_b| / n) * |acc(B_b) - conf(B_b)|, where each row falls into one of M equal-width bins by its confidence
 * (the largest predicted probability), acc is the fraction of the bin's rows predicted correctly and conf the mean
 * confidence in the bin. M = 15, as in Guo et al. Bins are (lo, hi] with the first bin also taking confidence 0.
 * Correctness is judged against the hard label (the manifest's `label`), so ECE is defined on every test row.
 * Reported as a fraction in [0, 1] (not percent).
 */
import { AlsgError } from '@ldl-alsg/common';
import { argmaxRow } from '@ldl-alsg/labels';

/** Default number of equal-width confidence bins (Guo et al. 2017). */
export const ECE_BINS = 15;

/** One reliability-diagram bin. */
export interface CalibrationBin {
  /** Bin bounds (lo, hi]. */
  lo: number;
  hi: number;
  /** Rows in the bin. */
  count: number;
  /** Fraction correct in the bin (NaN when empty). */
  accuracy: number;
  /** Mean confidence in the bin (NaN when empty). */
  confidence: number;
}

/** ECE and its reliability bins. */
export interface Calibration {
  /** Expected calibration error, a fraction in [0, 1]; NaN when there are no rows. */
  ece: number;
  /** Number of rows. */
  n: number;
  bins: CalibrationBin[];
}

/**
 * Computes ECE over `rows` of row-major probabilities [n, k] against hard labels `truth` (class index per row).
 * @param bins number of equal-width bins, default {@link ECE_BINS}.
 */
export function expectedCalibrationError(
  probs: ArrayLike<number>,
  truth: ArrayLike<number>,
  k: number,
  rows: readonly number[],
  bins: number = ECE_BINS,
): Calibration {
  if (!(Number.isInteger(bins) && bins > 0)) throw new AlsgError('E_INPUT', `expectedCalibrationError: bins must be a positive integer, but got ${bins}`);
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  for (const i of rows) {
    const best = argmaxRow(probs, i, k);
    const conf = probs[i * k + best];
    if (!Number.isFinite(conf)) throw new AlsgError('E_NUMERIC', `expectedCalibrationError: row ${i} has no finite probability`);
    // Bin b holds (b/M, (b+1)/M]; ceil(conf*M)-1 gives that, clamped so 0 goes to the first bin and 1 to the last.
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
    count[b]++;
    confSum[b] += conf;
    if (best === truth[i]) correct[b]++;
  }
  const n = rows.length;
  let ece = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const acc = count[b] > 0 ? correct[b] / count[b] : NaN;
    const conf = count[b] > 0 ? confSum[b] / count[b] : NaN;
    if (count[b] > 0) ece += (count[b] / n) * Math.abs(acc - conf);
    out.push({ lo: b / bins, hi: (b + 1) / bins, count: count[b], accuracy: acc, confidence: conf });
  }
  return { ece: n > 0 ? ece : NaN, n, bins: out };
}
