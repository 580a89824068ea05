/**
 * Which rows get a noisy label. Two protocols, chosen by `exact`:
 * - exact (default, the paper's "randomly revising 5%, 10%, and 15% of the labels"): exactly round(rate * n) of the n
 *   eligible rows, drawn uniformly without replacement;
 * - per-sample (SCN's `generate.py`): each eligible row independently with probability `rate`, so the count is
 *   Binomial(n, rate).
 */
import { AlsgError, Rng } from '@ldl-alsg/common';

/** Checks that a noise rate is a finite number in [0, 1); `what` names it in the error (e.g. `rate`, `rates[1]`). */
export function validateRate(rate: number, what = 'rate'): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate >= 1) {
    throw new AlsgError('E_CONFIG', `noise: ${what} must be a number in [0, 1), but got ${String(rate)}`, { path: what });
  }
}

/**
 * Picks the rows whose label will be changed.
 * @param eligible row indices that may change (the train rows), in any order.
 * @param rate noise rate in [0, 1).
 * @param exact true: exactly round(rate * eligible.length) rows; false: each row with probability `rate`.
 * @param rng the seeded generator to draw from (advanced in place).
 * @returns chosen row indices, ascending.
 */
export function selectNoisyRows(eligible: readonly number[], rate: number, exact: boolean, rng: Rng): number[] {
  validateRate(rate);
  const chosen: number[] = [];
  if (exact) {
    const count = Math.round(rate * eligible.length);
    // Partial Fisher-Yates: the first `count` slots of a shuffled copy are a uniform sample without replacement.
    const pool = eligible.slice();
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
      chosen.push(pool[i]);
    }
  } else {
    for (const row of eligible) if (rng.uniform() < rate) chosen.push(row);
  }
  return chosen.sort((a, b) => a - b);
}
