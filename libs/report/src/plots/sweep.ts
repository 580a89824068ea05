/**
 * Sweep curves: accuracy against a swept setting (noise rate for Tables 2-3 and the noise sweep, k for Table 5,
 * lambda for Tables 6-7 and the lambda sweep), one line per series (mean over seeds, whiskers ± sd, each seed a dot),
 * the paper's values dashed, with Wild / Lab / All side by side.
 *
 * The x axis is quantitative when every x value is a number ("5%" counts as 5): logarithmic when the values are
 * positive and span two decades or more (lambda 1e-4 ... 1), linear otherwise (noise 0-40%). Anything else (noise
 * "ABC", lambda "0.001/0.01") keeps the values' order on a categorical axis. On a log axis a series measured only at
 * x <= 0 (the baseline's lambda 0) has no place, so it is drawn as a horizontal reference line at its mean.
 */
import { meanSd } from '@ldl-alsg/evaluation';
import { findPaperRow, type TableId } from '../paper-values';
import type { ResultRecord } from '../results';
import { metricValue } from '../table';
import type { VegaLiteSpec } from './render-svg';
import { baseSpec } from './theme';

/** A sweep: the x field and the fields naming a line. */
export interface SweepSpec {
  /** Descriptor field on the x axis (noise, k, lambda, ...). */
  x: string;
  /** Fields naming a line; default [method]. */
  series?: string[];
}

/** The default sweep for a paper table: noise for Tables 2-3, k for 5, lambda for 6-7; none for 1 and 4. */
export function defaultSweep(table: TableId): SweepSpec | null {
  if (table === 'table2' || table === 'table3') return { x: 'noise', series: ['method'] };
  if (table === 'table5') return { x: 'k', series: ['space'] };
  if (table === 'table6' || table === 'table7') return { x: 'lambda', series: ['space'] };
  return null;
}

/** Numeric value of an x label ("5%" -> 5, "0.001" -> 0.001), or null. */
export function sweepNumber(label: string): number | null {
  const m = /^\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*%?\s*$/i.exec(label);
  return m ? Number(m[1]) : null;
}

function xOrder(a: string, b: string): number {
  const na = sweepNumber(a);
  const nb = sweepNumber(b);
  if (na !== null && nb !== null) return na - nb;
  if (na !== null) return -1;
  if (nb !== null) return 1;
  return a.localeCompare(b);
}

/** How the x axis is drawn (see the module comment). */
export type SweepScale = 'log' | 'linear' | 'ordinal';

/** Picks the x scale for the sweep's x labels. */
export function sweepScale(xs: readonly string[]): SweepScale {
  const nums = xs.map(sweepNumber);
  if (nums.some((v) => v === null)) return 'ordinal';
  const positive = (nums as number[]).filter((v) => v > 0);
  if (positive.length >= 2 && Math.max(...positive) / Math.min(...positive) >= 100) return 'log';
  return 'linear';
}

const METRICS = [
  ['wild', 'Wild'],
  ['lab', 'Lab'],
  ['all', 'All'],
] as const;

/** One point of the figure's data. */
interface SweepDatum {
  kind: 'mean' | 'seed' | 'paper' | 'reference';
  series: string;
  metric: string;
  x: string;
  xv: number | null;
  y: number;
  low?: number;
  high?: number;
  n?: number;
  source: 'ours' | 'paper';
}

/** The figure's data (pure; tested without rendering): per series, x and metric the mean, sd band, seeds and paper value. */
export function sweepData(table: TableId, results: readonly ResultRecord[], spec: SweepSpec): { xs: string[]; series: string[]; scale: SweepScale; data: SweepDatum[] } | null {
  const fields = spec.series ?? ['method'];
  const xs = [...new Set(results.map((r) => r.descriptor[spec.x]))].filter((v): v is string => v !== undefined).sort(xOrder);
  if (xs.length < 2) return null;
  const scale = sweepScale(xs);
  const nameOf = (r: ResultRecord): string => fields.map((f) => r.descriptor[f]).join(' / ');
  const series = [...new Set(results.map(nameOf))];
  const data: SweepDatum[] = [];
  for (const name of series) {
    const members = results.filter((r) => nameOf(r) === name);
    const onAxis = scale !== 'log' || members.some((r) => (sweepNumber(r.descriptor[spec.x] ?? '') ?? 0) > 0);
    for (const [metric, label] of METRICS) {
      for (const x of xs) {
        const at = members.filter((r) => r.descriptor[spec.x] === x);
        const values = at.map((r) => metricValue(r, metric)).filter((a): a is number => a !== undefined);
        const xv = scale === 'ordinal' ? null : sweepNumber(x);
        const hidden = scale === 'log' && (xv ?? 0) <= 0;
        if (values.length) {
          const s = meanSd(values);
          const sd = s.n > 1 ? s.sd : 0;
          if (hidden) {
            // Only a series with no point on the axis becomes a reference line; others just lose this point.
            if (!onAxis) data.push({ kind: 'reference', series: `${name} (${spec.x} ${x})`, metric: label, x, xv: null, y: s.mean, source: 'ours' });
          } else {
            data.push({ kind: 'mean', series: name, metric: label, x, xv, y: s.mean, low: s.mean - sd, high: s.mean + sd, n: s.n, source: 'ours' });
            at.forEach((r) => {
              const v = metricValue(r, metric);
              if (v !== undefined) data.push({ kind: 'seed', series: name, metric: label, x, xv, y: v, source: 'ours' });
            });
          }
        }
        const paper = at.length ? findPaperRow(table, at[0].descriptor)?.values[metric] : undefined;
        if (typeof paper === 'number' && !hidden) data.push({ kind: 'paper', series: name, metric: label, x, xv, y: paper, source: 'paper' });
      }
    }
  }
  const seriesNames = [...new Set(data.map((d) => d.series))];
  return { xs, series: seriesNames, scale, data };
}

/** The Vega-Lite spec: Wild, Lab and All side by side against the sweep's x, or null with fewer than two x values. */
export function sweepSpec(table: TableId, results: readonly ResultRecord[], spec: SweepSpec, title: string): VegaLiteSpec | null {
  const d = sweepData(table, results, spec);
  if (!d) return null;
  const x =
    d.scale === 'ordinal'
      ? { field: 'x', type: 'ordinal', sort: d.xs, title: spec.x, axis: { labelAngle: 0 } }
      : { field: 'xv', type: 'quantitative', title: spec.x, scale: d.scale === 'log' ? { type: 'log' } : { zero: false, nice: true }, axis: { values: d.xs.map(sweepNumber).filter((v): v is number => v !== null && (d.scale !== 'log' || v > 0)), labelAngle: 0, labelFlush: true, format: d.scale === 'log' ? '~e' : '~r' } };
  const color = { field: 'series', type: 'nominal', sort: d.series, title: null };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'accuracy (%)', scale: { zero: false, nice: true } });
  const dash = { field: 'source', type: 'nominal', title: null, scale: { domain: ['ours', 'paper'], range: [[1, 0], [5, 3]] }, legend: { symbolType: 'stroke', symbolStrokeColor: '#333', symbolStrokeWidth: 2, encode: { symbols: { update: { stroke: { value: '#333' } } } } } };
  const only = (kind: SweepDatum['kind']) => [{ filter: `datum.kind === '${kind}'` }];
  const layers: VegaLiteSpec[] = [
    { transform: only('mean'), mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 }, encoding: { x, y: y('y'), color, strokeDash: dash } },
    { transform: only('mean'), mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x, y: y('low'), y2: { field: 'high' }, color } },
    { transform: only('seed'), mark: { type: 'point', filled: true, size: 14, opacity: 0.6 }, encoding: { x, y: y('y'), color } },
  ];
  if (d.data.some((p) => p.kind === 'paper')) {
    layers.push({ transform: only('paper'), mark: { type: 'line', point: { filled: true, size: 22 }, strokeWidth: 1.5 }, encoding: { x, y: y('y'), color, strokeDash: dash } });
  }
  if (d.data.some((p) => p.kind === 'reference')) {
    layers.push({ transform: only('reference'), mark: { type: 'rule', strokeDash: [2, 2], strokeWidth: 1.5 }, encoding: { y: y('y'), color } });
  }
  return {
    ...baseSpec(title),
    data: { values: d.data },
    facet: { column: { field: 'metric', type: 'nominal', sort: METRICS.map((m) => m[1]), title: null } },
    spec: { width: 260, height: 200, layer: layers },
    resolve: { scale: { y: 'independent' } },
  };
}
