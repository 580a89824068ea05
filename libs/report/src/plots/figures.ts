/**
 * Which figures a report draws, and drawing them: the accuracy bars of the table, the sweep curves, the confusion
 * matrices and training curves of its rows, and the t-SNE maps (made in report.ts, which runs t-SNE). Each figure
 * has an id that names its SVG file beside report.md (`fig-<id>.svg`) and prefixes its definition ids in the HTML.
 */
import type { TableId } from '../paper-values';
import type { ResultRecord } from '../results';
import type { BuiltTable } from '../table';
import { accuracySpec } from './accuracy';
import { confusionData, confusionSpec, readConfusionCounts } from './confusion';
import { renderVegaLiteSvg, type VegaLiteSpec } from './render-svg';
import { type SweepSpec, sweepSpec } from './sweep';
import { readTrainingCurve, trainingData, trainingSpec } from './training';

/** A figure before rendering. */
export interface FigureSpec {
  /** Letters, digits, '-': the file is fig-<id>.svg. */
  id: string;
  caption: string;
  spec: VegaLiteSpec;
}

/** A rendered figure. */
export interface Figure {
  id: string;
  /** The figure's title (report.md's alt text). */
  title: string;
  caption: string;
  /** File name beside report.md. */
  file: string;
  /** Standalone SVG text (also inlined in report.html). */
  svg: string;
}

/** Where figures read files beside the results (replaceable in tests). */
export interface FigureSources {
  confusion(r: ResultRecord): number[][] | null;
  curve(r: ResultRecord): ReturnType<typeof readTrainingCurve>;
}

/** The files beside each evaluate output: confusion.csv, and the train-log.jsonl of its model. */
export const FILE_SOURCES: FigureSources = {
  confusion: (r) => readConfusionCounts(r.dir),
  curve: (r) => readTrainingCurve(r.dir),
};

/** The figure specs of a table and its results, in report order. */
export function tableFigureSpecs(args: { tableId: TableId; title: string; table: BuiltTable; results: readonly ResultRecord[]; sweep: SweepSpec | null; sources?: FigureSources }): FigureSpec[] {
  const sources = args.sources ?? FILE_SOURCES;
  const out: FigureSpec[] = [];
  const acc = accuracySpec(args.table, `${args.title}: accuracy per column`);
  if (acc) {
    out.push({
      id: 'accuracy',
      caption: "Accuracy (%) per column, one bar per row with results: bar = mean over seeds, whisker = ± sd, dots = the seeds; black tick = the paper's value.",
      spec: acc,
    });
  }
  if (args.sweep) {
    const s = sweepSpec(args.tableId, args.results, args.sweep, `Accuracy against ${args.sweep.x}`);
    if (s) {
      out.push({
        id: `sweep-${args.sweep.x.replace(/[^\w-]/g, '_')}`,
        caption: `Wild, Lab and All accuracy (%) against ${args.sweep.x}, one line per ${(args.sweep.series ?? ['method']).join(' / ')}: mean over seeds, whiskers ± sd, dots = the seeds; dashed: the paper.`,
        spec: s,
      });
    }
  }
  const conf = confusionData(args.table, args.results, sources.confusion);
  const confSpec = confusionSpec(conf, 'Confusion matrices (% of each true class)');
  if (confSpec) {
    out.push({
      id: 'confusion',
      caption: `Confusion matrices, one per row: counts of confusion.csv summed over the row's seeds and all its test sets (${conf.models} evaluated model${conf.models === 1 ? '' : 's'}), each true class normalised to 100%.`,
      spec: confSpec,
    });
  }
  const curves = trainingData(args.table, args.results, sources.curve);
  const curveSpec = trainingSpec(curves, 'Training curves');
  if (curveSpec) {
    const withVal = curves.points.some((p) => p.split === 'validation');
    out.push({
      id: 'training',
      caption:
        `Training curves of the phase that produced each model (${curves.phases.join(', ')}), mean over seeds per row (${curves.models} model${curves.models === 1 ? '' : 's'}): ` +
        `solid = training (mean loss over the epoch's steps; accuracy on a fixed subset of training images), dashed = validation split.` +
        (withVal ? '' : ' These logs have no validation records (written before the per-epoch format, or no val rows): training loss only.'),
      spec: curveSpec,
    });
  }
  return out;
}

/** Renders figure specs to SVG, one after another (vega's id counter is global, see render-svg.ts). */
export async function renderFigures(specs: readonly FigureSpec[]): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const f of specs) out.push({ id: f.id, title: String(f.spec.title ?? f.id), caption: f.caption, file: `fig-${f.id}.svg`, svg: await renderVegaLiteSvg(f.spec, `fig-${f.id}`) });
  return out;
}
