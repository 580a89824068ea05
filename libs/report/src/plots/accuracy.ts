/**
 * The table as a figure: per-set accuracy with error bars over seeds. One group per metric column (test set, Wild /
 * Lab / All), one bar per row with results (the mean over seeds), a whisker of mean ± sd, every seed's value as a
 * dot, and the paper's value as a black tick. Ceiling rows and rows that were not run are left out.
 */
import type { BuiltTable } from '../table';
import type { VegaLiteSpec } from './render-svg';
import { baseSpec } from './theme';

/** One bar: a row's mean over seeds in one metric column. */
export interface AccuracyBar {
  series: string;
  metric: string;
  mean: number;
  /** mean - sd and mean + sd (equal to mean with one seed). */
  low: number;
  high: number;
  n: number;
}

/** The data of the figure, in table order (pure; tested without rendering). */
export function accuracyData(table: BuiltTable): { series: string[]; metrics: string[]; bars: AccuracyBar[]; seeds: { series: string; metric: string; seed: string; value: number }[]; paper: { series: string; metric: string; paper: number }[] } {
  const bars: AccuracyBar[] = [];
  const seeds: { series: string; metric: string; seed: string; value: number }[] = [];
  const paper: { series: string; metric: string; paper: number }[] = [];
  const series: string[] = [];
  for (const row of table.rows) {
    if (row.ceiling) continue;
    row.cells.forEach((cells, g) => {
      if (!cells.some((c) => c.ours)) return;
      const name = [row.label, table.groups[g].label].filter((s) => s).join(' @ ');
      series.push(name);
      cells.forEach((c, m) => {
        const metric = table.metrics[m].label;
        if (c.ours) {
          const sd = c.ours.n > 1 && Number.isFinite(c.ours.sd) ? c.ours.sd : 0;
          bars.push({ series: name, metric, mean: c.ours.mean, low: c.ours.mean - sd, high: c.ours.mean + sd, n: c.ours.n });
          c.values.forEach((value, i) => seeds.push({ series: name, metric, seed: c.seeds[i], value }));
        }
        if (typeof c.paper === 'number') paper.push({ series: name, metric, paper: c.paper });
      });
    });
  }
  return { series, metrics: table.metrics.map((m) => m.label), bars, seeds, paper };
}

/** The Vega-Lite spec, or null when no row has results. */
export function accuracySpec(table: BuiltTable, title: string): VegaLiteSpec | null {
  const d = accuracyData(table);
  if (d.bars.length === 0) return null;
  const x = { field: 'metric', type: 'nominal', sort: d.metrics, title: null, axis: { labelAngle: d.metrics.length > 4 ? -30 : 0, labelAlign: d.metrics.length > 4 ? 'right' : 'center', labelPadding: 4 } };
  const xOffset = { field: 'series', type: 'nominal', sort: d.series };
  const color = { field: 'series', type: 'nominal', sort: d.series, title: null, legend: { orient: 'right' } };
  const y = (field: string) => ({ field, type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100], nice: false } });
  const layers: VegaLiteSpec[] = [
    { data: { values: d.bars }, mark: { type: 'bar', opacity: 0.85 }, encoding: { x, xOffset, y: y('mean'), color } },
    { data: { values: d.bars.filter((b) => b.n > 1) }, mark: { type: 'rule', color: '#222', strokeWidth: 1.2 }, encoding: { x, xOffset, y: y('low'), y2: { field: 'high' } } },
    { data: { values: d.seeds }, mark: { type: 'point', filled: true, size: 14, color: '#222', opacity: 0.7 }, encoding: { x, xOffset, y: y('value') } },
  ];
  if (d.paper.length) layers.push({ data: { values: d.paper }, mark: { type: 'tick', color: '#000', thickness: 2 }, encoding: { x, xOffset, y: y('paper') } });
  return {
    ...baseSpec(title),
    // A fixed width: a step width applies to the offset scale when xOffset is used, which would multiply it by the rows.
    width: d.metrics.length * Math.max(36, d.series.length * 9 + 12),
    height: 240,
    layer: layers,
  };
}
