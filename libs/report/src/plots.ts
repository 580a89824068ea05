/**
 * Which charts a report draws, from its table and results: grouped bars of every table (accuracy per metric column,
 * one bar per row, paper values as ticks); a sweep line chart when the results vary over noise (Table 2/3), k (Table 5)
 * or lambda (Tables 6/7), with the paper's values dashed.
 */
import { meanSd } from '@ldl-alsg/evaluation';
import { findPaperRow, type TableId } from './paper-values';
import type { ResultRecord } from './results';
import { groupedBarChart, lineChart, type LineSeries } from './svg';
import { type BuiltTable, metricValue } from './table';

/** Grouped bars of a built table: groups = metric columns, one series per (row, column group) with results. */
export function tableBarChart(table: BuiltTable, title: string): string {
  const series = table.rows.flatMap((row) =>
    row.cells.flatMap((cells, g) => {
      if (!cells.some((c) => c.ours)) return [];
      const name = [row.label, table.groups[g].label].filter((s) => s).join(' @ ');
      return [{ name, values: cells.map((c) => c.ours?.mean ?? null), sd: cells.map((c) => c.ours?.sd ?? null), paper: cells.map((c) => c.paper) }];
    }),
  );
  return groupedBarChart({ title, groups: table.metrics.map((m) => m.label), series, yLabel: 'accuracy (%)' });
}

/** A sweep: the x field and the fields naming a line. */
export interface SweepSpec {
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

function xOrder(a: string, b: string): number {
  const na = parseFloat(a);
  const nb = parseFloat(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na)) return -1;
  if (Number.isFinite(nb)) return 1;
  return a.localeCompare(b);
}

/** Paper value for a sweep point: looks up the paper row by the point's full descriptor. */
function paperFor(table: TableId, descriptor: Record<string, string>, metric: string): number | undefined {
  const row = findPaperRow(table, descriptor);
  const v = row?.values[metric];
  return typeof v === 'number' ? v : undefined;
}

/** Line chart of `metric` over the sweep's x values, one line per series (mean +- sd over seeds), paper dashed. */
export function sweepChart(table: TableId, results: readonly ResultRecord[], spec: SweepSpec, metric: string, title: string): string | null {
  const sweep = { x: spec.x, series: spec.series ?? ["method"] };
  const xs = [...new Set(results.map((r) => r.descriptor[sweep.x]))].filter((v) => v !== undefined).sort(xOrder);
  if (xs.length < 2) return null;
  const names = [...new Set(results.map((r) => sweep.series.map((f) => r.descriptor[f]).join(' / ')))];
  const lines: LineSeries[] = [];
  names.forEach((name, si) => {
    const members = results.filter((r) => sweep.series.map((f) => r.descriptor[f]).join(' / ') === name);
    const stats = xs.map((x) => {
      const v = members.filter((r) => r.descriptor[sweep.x] === x).map((r) => metricValue(r, metric)).filter((a): a is number => a !== undefined);
      return v.length ? meanSd(v) : null;
    });
    lines.push({ name, y: stats.map((s) => s?.mean ?? null), sd: stats.map((s) => s?.sd ?? null), color: si });
    const paper = xs.map((x) => {
      const m = members.find((r) => r.descriptor[sweep.x] === x);
      return m ? paperFor(table, m.descriptor, metric) ?? null : null;
    });
    if (paper.some((p) => p !== null)) lines.push({ name: `${name} (paper)`, y: paper, dashed: true, color: si });
  });
  return lineChart({ title, xLabel: sweep.x, xLabels: xs, series: lines, yLabel: `${metric} accuracy (%)` });
}
