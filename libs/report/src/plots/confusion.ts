/**
 * Confusion matrices, one per table row with results: evaluate's confusion.csv (counts per test set, rows = true
 * class, columns = predicted class) summed over the row's seeds and test sets, each true class's row normalised to
 * percent (so classes of different sizes compare), drawn as a heat map with the percentages printed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { readCsv, requireColumns } from '@ldl-alsg/artifacts';
import { CLASSES } from '@ldl-alsg/labels';
import type { ResultRecord } from '../results';
import type { BuiltTable } from '../table';
import type { VegaLiteSpec } from './render-svg';
import { baseSpec } from './theme';

/** counts[true][predicted] of one evaluate output, summed over its test sets; null without confusion.csv. */
export function readConfusionCounts(dir: string): number[][] | null {
  const file = join(dir, 'confusion.csv');
  if (!existsSync(file)) return null;
  const csv = readCsv(file);
  requireColumns(csv, ['dataset', 'label', ...CLASSES], file);
  const counts = CLASSES.map(() => CLASSES.map(() => 0));
  csv.rows.forEach((row, i) => {
    const t = CLASSES.indexOf(row.label as (typeof CLASSES)[number]);
    if (t < 0) throw new AlsgError('E_ARTIFACT', `${file}:${csv.lines[i]}: label must be one of ${CLASSES.join(', ')}, but got "${row.label}"`, { file });
    CLASSES.forEach((c, p) => {
      const v = Number(row[c]);
      if (!(Number.isInteger(v) && v >= 0)) throw new AlsgError('E_ARTIFACT', `${file}:${csv.lines[i]}: ${c} must be a count (integer >= 0), but got "${row[c]}"`, { file });
      counts[t][p] += v;
    });
  });
  return counts;
}

/** One cell of the figure. */
export interface ConfusionCell {
  series: string;
  truth: string;
  predicted: string;
  count: number;
  /** Percent of the true class's images (0 when the class has none). */
  percent: number;
}

/** Which table row (and column group) a result falls in, as the series name the accuracy figure uses; null if none. */
export function seriesOfResult(table: BuiltTable, r: ResultRecord): string | null {
  const row = table.rows.find((x) => !x.ceiling && table.rowFields.every((f) => x.key[f] === r.descriptor[f]));
  const group = table.groups.find((g) => table.columnFields.every((f) => g.key[f] === r.descriptor[f]));
  if (!row || !group) return null;
  return [row.label, group.label].filter((s) => s).join(' @ ');
}

/** The figure's data (pure given the counts): per series, the row-normalised matrix, in table order. */
export function confusionData(table: BuiltTable, results: readonly ResultRecord[], countsOf: (r: ResultRecord) => number[][] | null): { series: string[]; cells: ConfusionCell[]; models: number } {
  const sums = new Map<string, number[][]>();
  let models = 0;
  for (const r of results) {
    const name = seriesOfResult(table, r);
    const counts = name === null ? null : countsOf(r);
    if (name === null || counts === null) continue;
    models++;
    const sum = sums.get(name) ?? CLASSES.map(() => CLASSES.map(() => 0));
    counts.forEach((row, t) => row.forEach((v, p) => (sum[t][p] += v)));
    sums.set(name, sum);
  }
  // Table order: the same order as the accuracy figure's series.
  const order = table.rows.flatMap((row) => table.groups.map((g) => [row.label, g.label].filter((s) => s).join(' @ ')));
  const series = [...sums.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const cells: ConfusionCell[] = [];
  for (const name of series) {
    const m = sums.get(name)!;
    m.forEach((row, t) => {
      const total = row.reduce((a, b) => a + b, 0);
      row.forEach((count, p) => cells.push({ series: name, truth: CLASSES[t], predicted: CLASSES[p], count, percent: total ? (100 * count) / total : 0 }));
    });
  }
  return { series, cells, models };
}

/** The Vega-Lite spec (one small matrix per series, four per line), or null when no result has confusion.csv. */
export function confusionSpec(data: ReturnType<typeof confusionData>, title: string): VegaLiteSpec | null {
  if (data.series.length === 0) return null;
  const classes = [...CLASSES];
  const x = { field: 'predicted', type: 'nominal', sort: classes, title: 'predicted', axis: { labelAngle: -40, labelAlign: 'right' } };
  const y = { field: 'truth', type: 'nominal', sort: classes, title: 'true class' };
  return {
    ...baseSpec(title),
    data: { values: data.cells },
    facet: { field: 'series', type: 'nominal', sort: data.series, title: null },
    columns: Math.min(4, data.series.length),
    spec: {
      width: { step: 24 },
      height: { step: 24 },
      layer: [
        { mark: { type: 'rect', aria: false }, encoding: { x, y, color: { field: 'percent', type: 'quantitative', title: '% of true class', scale: { scheme: 'blues', domain: [0, 100] } } } },
        {
          mark: { type: 'text', fontSize: 9, aria: false },
          encoding: { x, y, text: { field: 'percent', type: 'quantitative', format: '.0f' }, color: { condition: { test: 'datum.percent >= 50', value: 'white' }, value: '#222' } },
        },
      ],
    },
  };
}
