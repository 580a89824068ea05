/**
 * Aggregation over seeds: a table cell run with several seeds shows mean +- sample standard deviation and n.
 */

/** Mean, sample standard deviation (n-1 denominator; 0 for a single seed) and the number of values. */
export interface MeanSd {
  mean: number;
  /** Sample standard deviation (Bessel-corrected); 0 when n = 1. */
  sd: number;
  /** Number of seeds (values) aggregated. */
  n: number;
}

/** Mean and sample standard deviation of `values` (non-finite values are an error: a failed run must not vanish). */
export function meanSd(values: readonly number[]): MeanSd {
  if (values.length === 0) return { mean: NaN, sd: NaN, n: 0 };
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`meanSd: non-finite value ${v} among [${values.join(', ')}]`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: 0, n };
  const ss = values.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

/** Formats a MeanSd as "72.13" (n = 1) or "72.13 +- 0.41 (n=3)". */
export function formatMeanSd(m: MeanSd, digits = 2): string {
  if (m.n === 0 || !Number.isFinite(m.mean)) return 'n/a';
  if (m.n === 1) return m.mean.toFixed(digits);
  return `${m.mean.toFixed(digits)} ± ${m.sd.toFixed(digits)} (n=${m.n})`;
}
