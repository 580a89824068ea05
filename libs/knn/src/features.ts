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
