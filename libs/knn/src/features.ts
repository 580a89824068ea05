/**
 * Checks on a feature matrix before a graph is built, and the optional standardisation (mean 0, sd 1 per column).
 */
import { AlsgError } from '@ldl-alsg/common';

/**
 * Throws E_NUMERIC naming the first row (and column) that holds NaN or +-Infinity. `describeRow(r)` says what row r is
 * (e.g. `manifest row 12 (id raf_0012)`); default `row r`.
 */
export function assertFiniteRows(data: Float32Array, n: number, d: number, what: string, describeRow: (r: number) => string = (r) => `row ${r}`): void {
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(data[i])) {
      const r = Math.floor(i / d);
      throw new AlsgError(
        'E_NUMERIC',
        `${what}: ${describeRow(r)} holds a non-finite value (${data[i]} in column ${i - r * d}); every row in the graph must be finite`,
        { row: r, column: i - r * d },
      );
    }
  }
}

/** Largest float32 value. */
const FLT_MAX = 3.4028234663852886e38;
/**
 * Largest squared norm (after centring) a row may have. FAISS computes ||x||^2 + ||y||^2 - 2<x,y> in float32, which is at
 * most 4 max||x||^2; above FLT_MAX / 4 it overflows to Infinity, FAISS then returns no result (-1) for the row, and the
 * graph used to come out as neighbours [0, 0, ...] with similarity 1. Values up to about 9e18 in magnitude pass.
 */
export const MAX_SEARCH_SQUARED_NORM = FLT_MAX / 4;

/**
 * Throws E_INPUT naming the row (and its largest column) whose squared distance from the column means exceeds
 * {@link MAX_SEARCH_SQUARED_NORM}: such features are finite but cannot be searched in float32. We refuse rather than
 * rescale silently: features of that size are almost always a broken file or a unit mistake, and a hidden rescale would
 * make the recorded distances and sigma mean something else.
 */
export function assertSearchableMagnitude(data: Float32Array, n: number, d: number, what: string, describeRow: (r: number) => string = (r) => `row ${r}`): void {
  const means = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) means[c] += data[i * d + c] / n;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = data[i * d + c] - means[c];
      s += v * v;
    }
    if (s > MAX_SEARCH_SQUARED_NORM) {
      // The column named in the error is looked for only in the failing row, not in every row's inner loop.
      let worst = 0;
      for (let c = 1; c < d; c++) if (Math.abs(data[i * d + c] - means[c]) > Math.abs(data[i * d + worst] - means[worst])) worst = c;
      throw new AlsgError(
        'E_INPUT',
        `${what}: ${describeRow(i)} is too large to search: its squared distance from the column means is ${s.toExponential(2)} (column ${worst} holds ${data[i * d + worst]}), ` +
          `over the float32 limit ${MAX_SEARCH_SQUARED_NORM.toExponential(2)} (values beyond about 9e18 overflow FAISS's distances); rescale the features or set standardize: true`,
        { row: i, column: worst },
      );
    }
  }
}

/** Per-column statistics of a standardisation, recorded in graph.json so the same transform can be replayed. */
export interface Standardization {
  /** Column means over the graph's rows. */
  means: number[];
  /** Column population standard deviations; a constant column gets 1 (it stays constant, 0 after centring). */
  stds: number[];
  /** Columns whose sd was 0. */
  constantColumns: number[];
}

/** Returns a standardised float32 copy of `data` [n, d] (statistics in float64) and the statistics used. */
export function standardizeFeatures(data: Float32Array, n: number, d: number): { data: Float32Array; stats: Standardization } {
  const means = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) means[c] += data[i * d + c];
  for (let c = 0; c < d; c++) means[c] /= n;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) {
      const v = data[i * d + c] - means[c];
      m2[c] += v * v;
    }
  }
  const stds = Array.from(m2, (s) => Math.sqrt(s / n));
  const constantColumns: number[] = [];
  stds.forEach((s, c) => {
    if (!(s > 0)) {
      stds[c] = 1;
      constantColumns.push(c);
    }
  });
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) out[i * d + c] = (data[i * d + c] - means[c]) / stds[c];
  return { data: out, stats: { means: Array.from(means), stds, constantColumns } };
}
