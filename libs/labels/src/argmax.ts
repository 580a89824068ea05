import { AlsgError } from '@ldl-alsg/common';
import { NUM_CLASSES } from './classes';

/** Index of the largest value in row `i` of a row-major [n, k] matrix (first index wins ties; NaN values never win). */
export function argmaxRow(probs: ArrayLike<number>, i: number, k: number = NUM_CLASSES): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < k; c++) {
    const v = probs[i * k + c];
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** Argmax of every row of a row-major [n, k] matrix (`probs.length` must be a multiple of `k`). */
export function argmaxRows(probs: ArrayLike<number>, k: number = NUM_CLASSES): Int32Array {
  const n = probs.length / k;
  if (!Number.isInteger(n)) throw new AlsgError('E_INPUT', `argmaxRows: length ${probs.length} is not a multiple of ${k}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmaxRow(probs, i, k);
  return out;
}
