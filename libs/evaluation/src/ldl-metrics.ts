/**
 * The six standard label-distribution-learning metrics (Geng, "Label Distribution Learning", TKDE 2016; the set PyLDL
 * reports): Chebyshev, Clark, Canberra, Kullback-Leibler (lower is better) and Cosine, Intersection (higher is better).
 * Each is computed per row between a true distribution p and a predicted one q (both of length 7, summing to 1) and
 * averaged over rows.
 *
 * Zeros: true distributions (crowd votes, synthetic latents) often contain exact zeros. We use one documented epsilon,
 * {@link LDL_EPSILON} = 1e-12:
 * - Clark, Canberra: the denominator (p+q)^2 or (p+q) is floored at epsilon, so a class with p = q = 0 contributes 0
 *   (0/eps) instead of 0/0 = NaN.
 * - KL(p || q) = sum_c p_c log(p_c / q_c): terms with p_c = 0 contribute 0 (the limit x log x -> 0); q_c is floored at
 *   epsilon, so a predicted zero where the truth is positive gives a large finite value (p_c * 27.6) instead of Infinity.
 * This matches PyLDL / the usual numpy formulas up to where they put their epsilon (they clip at 1e-14 or float64 eps);
 * the difference is below 1e-9 for any softmax output.
 */
import { AlsgError } from '@ldl-alsg/common';

/** Floor used for denominators and log arguments (see the module comment). */
export const LDL_EPSILON = 1e-12;

/** Names of the six metrics, in PyLDL's order. */
export const LDL_METRIC_NAMES = ['chebyshev', 'clark', 'canberra', 'kl', 'cosine', 'intersection'] as const;
export type LdlMetricName = (typeof LDL_METRIC_NAMES)[number];

/** Whether a larger value is better (cosine, intersection) or a smaller one (the four distances). */
export const LDL_LARGER_IS_BETTER: Readonly<Record<LdlMetricName, boolean>> = {
  chebyshev: false,
  clark: false,
  canberra: false,
  kl: false,
  cosine: true,
  intersection: true,
};

/** Chebyshev distance max_c |p_c - q_c|. */
export function chebyshev(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let m = 0;
  for (let c = 0; c < p.length; c++) m = Math.max(m, Math.abs(p[c] - q[c]));
  return m;
}

/** Clark distance sqrt(sum_c (p_c - q_c)^2 / (p_c + q_c)^2), denominator floored at {@link LDL_EPSILON}. */
export function clark(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < p.length; c++) {
    const d = p[c] - q[c];
    const sum = p[c] + q[c];
    s += (d * d) / Math.max(sum * sum, LDL_EPSILON);
  }
  return Math.sqrt(s);
}

/** Canberra metric sum_c |p_c - q_c| / (p_c + q_c), denominator floored at {@link LDL_EPSILON}. */
export function canberra(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < p.length; c++) s += Math.abs(p[c] - q[c]) / Math.max(p[c] + q[c], LDL_EPSILON);
  return s;
}

/** Kullback-Leibler divergence KL(p || q) = sum_c p_c log(p_c / q_c) (natural log); zero-p terms are 0, q floored at epsilon. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < p.length; c++) {
    if (p[c] > 0) s += p[c] * Math.log(p[c] / Math.max(q[c], LDL_EPSILON));
  }
  return s;
}

/** Cosine coefficient sum_c p_c q_c / (||p|| ||q||); 0 when either vector is all zeros. */
export function cosine(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let dot = 0;
  let np = 0;
  let nq = 0;
  for (let c = 0; c < p.length; c++) {
    dot += p[c] * q[c];
    np += p[c] * p[c];
    nq += q[c] * q[c];
  }
  const den = Math.sqrt(np) * Math.sqrt(nq);
  return den > 0 ? dot / den : 0;
}

/** Intersection similarity sum_c min(p_c, q_c). */
export function intersection(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < p.length; c++) s += Math.min(p[c], q[c]);
  return s;
}

const FUNCTIONS: Record<LdlMetricName, (p: ArrayLike<number>, q: ArrayLike<number>) => number> = {
  chebyshev,
  clark,
  canberra,
  kl: klDivergence,
  cosine,
  intersection,
};

/** Mean of each LDL metric over the rows used, and how many rows that was. */
export type LdlMetrics = Record<LdlMetricName, number> & { n: number };

/**
 * Averages the six metrics over rows `rows` (indices into the row-major [n, k] arrays `truth` and `predicted`).
 * Returns null when `rows` is empty. Throws on a NaN in a used row, since the caller must pick known rows.
 */
export function ldlMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, k: number, rows: readonly number[]): LdlMetrics | null {
  if (rows.length === 0) return null;
  const sums: Record<LdlMetricName, number> = { chebyshev: 0, clark: 0, canberra: 0, kl: 0, cosine: 0, intersection: 0 };
  for (const i of rows) {
    const p = Array.prototype.slice.call(truth, i * k, i * k + k) as number[];
    const q = Array.prototype.slice.call(predicted, i * k, i * k + k) as number[];
    if (p.some((v) => !Number.isFinite(v)) || q.some((v) => !Number.isFinite(v))) {
      throw new AlsgError('E_NUMERIC', `ldlMetrics: row ${i} has a non-finite value (truth [${p.join(', ')}], predicted [${q.join(', ')}])`);
    }
    for (const name of LDL_METRIC_NAMES) sums[name] += FUNCTIONS[name](p, q);
  }
  const out = { n: rows.length } as LdlMetrics;
  for (const name of LDL_METRIC_NAMES) out[name] = sums[name] / rows.length;
  return out;
}

/** Indices of the rows of a row-major [n, k] matrix whose values are all finite (a NaN row means "unknown"). */
export function knownRows(matrix: ArrayLike<number>, k: number, among?: readonly number[]): number[] {
  const n = matrix.length / k;
  const candidates = among ?? Array.from({ length: n }, (_, i) => i);
  return candidates.filter((i) => {
    for (let c = 0; c < k; c++) if (!Number.isFinite(matrix[i * k + c])) return false;
    return true;
  });
}
