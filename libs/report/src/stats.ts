/**
 * The small statistics the claims need: Student's t quantile (for the t interval over per-seed paired differences),
 * percentile intervals (for the paired bootstrap) and the three-way verdict of an interval against a claim.
 * Written here rather than pulled from a package: a few dozen lines, tested against printed tables.
 */
import { AlsgError } from '@ldl-alsg/common';

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry relation otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** CDF of Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t: the t with P(T <= t) = p, for df >= 1 (bisection on the CDF to 1e-12; the CDF is monotone,
 * so this cannot fail to converge). t_{0.975,2} = 4.3027, t_{0.975,4} = 2.7764.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new AlsgError('E_INPUT', `tQuantile: p must be in (0, 1), but got ${p}`);
  if (!(df >= 1)) throw new AlsgError('E_INPUT', `tQuantile: df must be >= 1, but got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** An interval with its degrees of freedom (t) or resample count (bootstrap) kept by the caller. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * Two-sided t interval for the mean of `values` (n >= 2): mean -+ t_{1-(1-level)/2, n-1} * sd / sqrt(n), sd with n-1.
 * Returns null for fewer than two values (no variance estimate).
 */
export function tInterval(values: readonly number[], level = 0.95): (Interval & { df: number; mean: number; sd: number; quantile: number }) | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1));
  const q = tQuantile(1 - (1 - level) / 2, n - 1);
  const half = (q * sd) / Math.sqrt(n);
  return { low: mean - half, high: mean + half, df: n - 1, mean, sd, quantile: q };
}

/** The p-quantile of sorted values by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile interval [q_{(1-level)/2}, q_{1-(1-level)/2}] of bootstrap statistics (type-7 quantiles). */
export function percentileInterval(stats: ArrayLike<number>, level = 0.95): Interval {
  const sorted = Float64Array.from(stats).sort();
  return { low: quantileSorted(sorted, (1 - level) / 2), high: quantileSorted(sorted, 1 - (1 - level) / 2) };
}

export const VERDICTS = ['supported', 'contradicted', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Where an interval of left - right lies relative to a claim:
 * - `>` / `>=` (left - right > margin): supported when low > margin, contradicted when high < margin;
 * - `<` / `<=` (left - right < -margin): supported when high < -margin, contradicted when low > -margin;
 * - `==` (|left - right| <= margin): supported when [low, high] lies inside [-margin, margin], contradicted when it lies
 *   entirely outside (high < -margin or low > margin).
 * Anything touching or straddling the boundary is inconclusive, so a tie (an interval at exactly the margin) is never
 * supported. `>=` is judged like `>`: an interval cannot show "at least as good" apart from "better".
 */
export function intervalVerdict(iv: Interval, op: string, margin: number): Verdict {
  switch (op) {
    case '>':
    case '>=':
      return iv.low > margin ? 'supported' : iv.high < margin ? 'contradicted' : 'inconclusive';
    case '<':
    case '<=':
      return iv.high < -margin ? 'supported' : iv.low > -margin ? 'contradicted' : 'inconclusive';
    case '==':
      return iv.low >= -margin && iv.high <= margin ? 'supported' : iv.high < -margin || iv.low > margin ? 'contradicted' : 'inconclusive';
    default:
      throw new AlsgError('E_CONFIG', `report: claim op must be one of > >= < <= ==, but got ${JSON.stringify(op)}`);
  }
}

/** Combines the two intervals' verdicts: supported / contradicted only when both agree; otherwise inconclusive. */
export function combineVerdicts(a: Verdict, b: Verdict): Verdict {
  return a === b ? a : 'inconclusive';
}
