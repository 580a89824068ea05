/**
 * Training curves: loss and accuracy per epoch, train and validation, one line per table row (mean over its seeds).
 *
 * The report's inputs are evaluate outputs; the model each was evaluated on is found through the evaluate output's
 * stage.json (`inputs.model[].dir`, or the store folder `<store>/train/<key>` beside it when the store moved), and its
 * train-log.jsonl gives the per-epoch records (docs/training.md "Per-epoch records"). Only the last phase is drawn
 * (the one that produced the saved model; IPA2LT's LTNet, the fine-tuning of the others). Logs written before the
 * per-epoch format have only the loss terms: their curve is the training loss alone. A result whose model cannot be
 * found (a hand-run evaluate with --out) is left out, and the caption says how many were drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import type { ResultRecord } from '../results';
import type { BuiltTable } from '../table';
import { seriesOfResult } from './confusion';
import type { VegaLiteSpec } from './render-svg';
import { baseSpec } from './theme';

/** One epoch of a train-log.jsonl (the fields a curve reads). */
export interface EpochRecord {
  phase: string;
  epoch: number;
  trainLoss: number | null;
  trainAccuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The epochEnd records of a train-log.jsonl's text, in file order. */
export function parseEpochRecords(text: string, file: string): EpochRecord[] {
  const out: EpochRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch (cause) {
      throw new AlsgError('E_ARTIFACT', `${file}:${i + 1}: not valid JSON (train-log.jsonl holds one JSON object per line)`, { file, cause });
    }
    if (e.epochEnd !== true || typeof e.epoch !== 'number') return;
    out.push({
      phase: typeof e.phase === 'string' ? e.phase : 'main',
      epoch: e.epoch,
      trainLoss: num(e.trainLoss) ?? num(e.total),
      trainAccuracy: num(e.trainAccuracy),
      valLoss: num(e.valLoss),
      valAccuracy: num(e.valAccuracy),
    });
  });
  return out;
}

/** The train output folder an evaluate output was made from, via its stage.json; null when it cannot be found. */
export function trainDirOf(evalDir: string): string | null {
  const file = join(evalDir, 'stage.json');
  if (!existsSync(file)) return null;
  let meta: { inputs?: { model?: { key?: string; dir?: string }[] } };
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as typeof meta;
  } catch {
    return null; // stage.json belongs to the engine; a report is not the place to fail on it
  }
  const model = meta.inputs?.model?.[0];
  if (!model) return null;
  if (model.dir && existsSync(join(model.dir, 'train-log.jsonl'))) return model.dir;
  // The store moved (ALSG_STORE elsewhere, a copied checkout): evaluate/<key> and train/<key> are siblings.
  const store = dirname(dirname(evalDir));
  if (model.key && basename(dirname(evalDir)) === 'evaluate') {
    const dir = join(store, 'train', model.key);
    if (existsSync(join(dir, 'train-log.jsonl'))) return dir;
  }
  return null;
}

/** The last phase's epoch records of the model behind an evaluate output; null when there is none. */
export function readTrainingCurve(evalDir: string): EpochRecord[] | null {
  const dir = trainDirOf(evalDir);
  if (!dir) return null;
  const file = join(dir, 'train-log.jsonl');
  const records = parseEpochRecords(readFileSync(file, 'utf8'), file);
  if (records.length === 0) return null;
  const last = records[records.length - 1].phase;
  return records.filter((r) => r.phase === last);
}

/** One point of the figure. */
interface CurvePoint {
  series: string;
  panel: 'loss' | 'accuracy (%)';
  split: 'train' | 'validation';
  epoch: number;
  value: number;
  n: number;
}

/** The figure's data (pure given the curves): per series, panel, split and epoch the mean over seeds. */
export function trainingData(table: BuiltTable, results: readonly ResultRecord[], curveOf: (r: ResultRecord) => EpochRecord[] | null): { series: string[]; points: CurvePoint[]; models: number; phases: string[] } {
  const acc = new Map<string, { sum: number; n: number; p: Omit<CurvePoint, 'value' | 'n'> }>();
  const seriesOrder: string[] = [];
  const phases = new Set<string>();
  let models = 0;
  for (const r of results) {
    const name = seriesOfResult(table, r);
    const curve = name === null ? null : curveOf(r);
    if (name === null || !curve || curve.length === 0) continue;
    models++;
    if (!seriesOrder.includes(name)) seriesOrder.push(name);
    for (const e of curve) {
      phases.add(e.phase);
      const add = (panel: CurvePoint['panel'], split: CurvePoint['split'], v: number | null): void => {
        if (v === null) return;
        const key = `${name}\u0000${panel}\u0000${split}\u0000${e.epoch}`;
        const cur = acc.get(key) ?? { sum: 0, n: 0, p: { series: name, panel, split, epoch: e.epoch } };
        cur.sum += v;
        cur.n++;
        acc.set(key, cur);
      };
      add('loss', 'train', e.trainLoss);
      add('loss', 'validation', e.valLoss);
      add('accuracy (%)', 'train', e.trainAccuracy);
      add('accuracy (%)', 'validation', e.valAccuracy);
    }
  }
  const order = table.rows.flatMap((row) => table.groups.map((g) => [row.label, g.label].filter((s) => s).join(' @ ')));
  const series = seriesOrder.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const points = [...acc.values()].map(({ sum, n, p }) => ({ ...p, value: sum / n, n }));
  return { series, points, models, phases: [...phases].sort() };
}

/** The Vega-Lite spec (loss and accuracy side by side), or null when no model's log was found. */
export function trainingSpec(data: ReturnType<typeof trainingData>, title: string): VegaLiteSpec | null {
  if (data.points.length === 0) return null;
  const panels = ['loss', 'accuracy (%)'].filter((p) => data.points.some((x) => x.panel === p));
  const splits = ['train', 'validation'].filter((p) => data.points.some((x) => x.split === p));
  return {
    ...baseSpec(title),
    data: { values: data.points },
    facet: { column: { field: 'panel', type: 'nominal', sort: panels, title: null } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: { filled: true, size: 20 }, strokeWidth: 1.8 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, nice: true } },
        color: { field: 'series', type: 'nominal', sort: data.series, title: null },
        strokeDash: { field: 'split', type: 'nominal', title: null, scale: { domain: splits, range: splits.map((x) => (x === 'train' ? [1, 0] : [5, 3])) }, legend: { symbolType: 'stroke', symbolStrokeColor: '#333', symbolStrokeWidth: 2, encode: { symbols: { update: { stroke: { value: '#333' } } } } } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
