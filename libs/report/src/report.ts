/**
 * The report stage's work: read evaluate results (and optionally extract + ingest outputs for t-SNE maps, sizes and
 * ceilings), build the table, judge the claims (paired statistics over seeds and test images), compare with a
 * committed reference, draw the figures (vega-lite, plots/), and write report.md with its figures as fig-<id>.svg
 * beside it, report.html (the same figures inline), table.csv, table.json, checks.json and (with a reference)
 * reference-diff.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { formatCsv, readNpy, writeFileAtomic, writeJsonAtomic } from '@ldl-alsg/artifacts';
import { readManifests, type ManifestRow } from '@ldl-alsg/datasets';
import { readGeneratorSources } from './data-sources';
import { addCeilingRows, type CeilingsFile, readCeilings } from './ceilings';
import { type Claim, CLAIM_LEVEL, type ClaimResult, type ClaimStatsOptions, DEFAULT_BOOTSTRAP, evaluateClaims } from './claims';
import type { TableId } from './paper-values';
import { type Figure, type FigureSpec, renderFigures, tableFigureSpecs } from './plots/figures';
import { defaultSweep, type SweepSpec } from './plots/sweep';
import { robustView, tsneSpec } from './plots/tsne-map';
import { DEFAULT_REFERENCE_TOLERANCE, diffAgainstReference, readReference, type ReferenceDiff, type ReferenceFile, writeReference } from './reference';
import { graphDiagnosticsMarkdown } from './graph-diagnostics';
import { renderHtml, renderMarkdown, ldlRows, type ReportContent, tableCsvRows } from './render';
import { collectProvenance, type Provenance, readResults, type ResultRecord } from './results';
import { buildTable, paperDatasetKey, type BuiltTable } from './table';
import { subsample, tsne } from './tsne';

/** t-SNE map settings (the paper's Fig. 3/4). */
export interface TsneParams {
  /** Draw the maps when features and datasets are given. Default true. */
  enabled: boolean;
  /** Dataset (manifest `dataset`) to map; '' = the CK+-like set when there is one (as in the paper), else every row. */
  dataset: string;
  /** Largest number of points (seeded subsample), default 1500: exact t-SNE is O(n^2). */
  maxPoints: number;
  /** Perplexity, default 30. */
  perplexity: number;
  /** Iterations, default 1000. */
  iterations: number;
  /** Seed of the subsample and the initial map, default 0. */
  seed: number;
}

/** Reference comparison settings. */
export interface ReferenceParams {
  /** Reference JSON, relative to the workspace root (ALSG_WORKSPACE_ROOT or the working directory), e.g. pipelines/reference/smoke.json. */
  file: string;
  /** Allowed |ours - reference| in percentage points. Default 0. */
  tolerance: number;
  /** Fail the stage when any cell moved, is missing or is new (so CI fails). Default true. */
  failOnMismatch: boolean;
}

/** The report stage's params (see docs/report.md). */
export interface ReportParams {
  table: TableId;
  title: string;
  rows?: string[];
  columns?: string[];
  metrics?: 'datasets' | 'averages' | string[];
  paperRows: boolean;
  expect: Claim[];
  failOnClaims: boolean;
  /** Paired bootstrap of the claims: resamples (default 2000) and seed (default 0). */
  bootstrap?: ClaimStatsOptions;
  reference?: ReferenceParams | null;
  sweep?: SweepSpec | null;
  tsne: TsneParams;
}

/** Defaults of the optional params. */
export const DEFAULT_TSNE: TsneParams = { enabled: true, dataset: '', maxPoints: 1500, perplexity: 30, iterations: 1000, seed: 0 };

/** What runReport was given. */
export interface ReportArgs {
  params: ReportParams;
  /** Evaluate output folders. */
  results: readonly string[];
  /** Extract output folder(s) (au.npy, landmarks.npy aligned with `datasets`); optional. */
  features?: readonly string[];
  /** Ingest output folders (manifests) the features are aligned with; optional. */
  datasets?: readonly string[];
  /** Graph stage output folders whose diagnostics.json become the report's "Auxiliary graphs" section; optional. */
  graphs?: readonly string[];
  outDir: string;
  log?: (message: string) => void;
}

/** What runReport produced. */
export interface ReportOutcome {
  table: BuiltTable;
  checks: ClaimResult[];
  diff: ReferenceDiff | null;
  files: string[];
}

/** Resolves a path from a pipeline (e.g. a reference file) against the workspace root (ALSG_WORKSPACE_ROOT, else the working directory). */
export function resolveWorkspacePath(file: string): string {
  return isAbsolute(file) ? file : resolve(process.env.ALSG_WORKSPACE_ROOT ?? process.cwd(), file);
}

function pickTsneRows(rows: readonly ManifestRow[], dataset: string): { indices: number[]; label: string } {
  if (dataset) {
    const indices = rows.flatMap((r, i) => (r.dataset === dataset ? [i] : []));
    if (indices.length === 0) throw new AlsgError('E_CONFIG', `report: tsne.dataset "${dataset}" has no rows (datasets: ${[...new Set(rows.map((r) => r.dataset))].join(', ')})`);
    return { indices, label: dataset };
  }
  const ck = rows.find((r) => paperDatasetKey(r.dataset) === 'ckplus')?.dataset;
  if (ck) return { indices: rows.flatMap((r, i) => (r.dataset === ck ? [i] : [])), label: ck };
  return { indices: rows.map((_, i) => i), label: 'all datasets' };
}

/** t-SNE figures of the AU and landmark spaces coloured by class (Fig. 3/4), on a seeded subsample. */
export function tsneFigures(featureDir: string, rows: readonly ManifestRow[], p: TsneParams, log?: (m: string) => void): FigureSpec[] {
  const figures: FigureSpec[] = [];
  const picked = pickTsneRows(rows, p.dataset);
  for (const [file, name] of [['au.npy', 'action units (AU space)'], ['landmarks.npy', 'facial landmarks (FL space)']] as const) {
    const path = join(featureDir, file);
    if (!existsSync(path)) continue;
    const arr = readNpy(path);
    const [n, d] = arr.shape;
    if (n !== rows.length) throw new AlsgError('E_ARTIFACT', `${path}: has ${n} rows, but the manifests have ${rows.length}; features must be aligned with the report's dataset inputs`, { file: path });
    const finite = picked.indices.filter((i) => {
      for (let c = 0; c < d; c++) if (!Number.isFinite(arr.data[i * d + c])) return false;
      return true;
    });
    const chosen = subsample(finite, p.maxPoints, p.seed);
    if (chosen.length < 10) {
      log?.(`t-SNE of ${file}: only ${chosen.length} rows with finite features, skipped`);
      continue;
    }
    const x = new Float64Array(chosen.length * d);
    chosen.forEach((i, k) => {
      for (let c = 0; c < d; c++) x[k * d + c] = arr.data[i * d + c];
    });
    const started = Date.now();
    const y = tsne(x, chosen.length, d, { perplexity: p.perplexity, iterations: p.iterations, seed: p.seed });
    log?.(`t-SNE of ${file}: ${chosen.length} points, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const view = robustView(y, chosen.length);
    const clipped = view.clipped
      ? ` View: the 1st-99th percentile of each axis plus a 10% margin; ${view.clipped} point${view.clipped === 1 ? '' : 's'} beyond it drawn at its edge (triangles).`
      : ' View: the 1st-99th percentile of each axis plus a 10% margin; no point lies beyond it.';
    figures.push({
      id: file === 'au.npy' ? 'tsne-au' : 'tsne-landmarks',
      caption: `t-SNE of ${name}, ${picked.label}: ${chosen.length} of ${finite.length} rows with features (seeded subsample, seed ${p.seed}), perplexity ${p.perplexity}, ${p.iterations} iterations, coloured by the manifest label (cf. the paper's Fig. ${file === 'au.npy' ? 3 : 4}).${clipped}`,
      spec: tsneSpec({ title: `t-SNE: ${name}`, points: y, classes: chosen.map((i) => rows[i].labelIndex), view }),
    });
  }
  return figures;
}

/** The table (with ceiling rows when given) and its judged claims: what the report and the reference command share. */
export function tableAndChecks(params: Pick<ReportParams, 'table'> & Partial<Pick<ReportParams, 'rows' | 'columns' | 'metrics' | 'paperRows' | 'expect' | 'bootstrap'>>, results: readonly ResultRecord[], ceilings: CeilingsFile | null = null): { table: BuiltTable; checks: ClaimResult[] } {
  const table = addCeilingRows(buildTable({ table: params.table, rows: params.rows, columns: params.columns, metrics: params.metrics, paperRows: params.paperRows }, results), ceilings, results);
  return { table, checks: evaluateClaims(table, params.expect ?? [], results, params.bootstrap ?? {}) };
}

/** checks.json: verdict counts, the statistics' settings and every claim. */
export function checksDocument(checks: readonly ClaimResult[], options: ClaimStatsOptions = {}): Record<string, unknown> {
  const count = (v: string): number => checks.filter((c) => c.verdict === v).length;
  return {
    schema: 'ldl-alsg/checks@2',
    total: checks.length,
    counts: { supported: count('supported'), contradicted: count('contradicted'), inconclusive: count('inconclusive') },
    statistics: {
      level: CLAIM_LEVEL,
      bootstrap: { resamples: options.resamples ?? DEFAULT_BOOTSTRAP.resamples, seed: options.seed ?? DEFAULT_BOOTSTRAP.seed, stratifiedBy: 'test set', interval: 'percentile (type 7)' },
      t: 'mean of per-seed paired differences -+ t_{0.975, n-1} * sd / sqrt(n)',
      rule: 'supported / contradicted only when both intervals lie strictly on one side of the margin; otherwise inconclusive; 1 seed: bootstrap only',
    },
    checks,
  };
}

/**
 * Builds everything in memory from loaded results, with the figures as specs (rendering is async: runReport). Reads
 * only the files beside the results that the figures use (confusion.csv, the models' train-log.jsonl).
 */
export function composeReport(params: ReportParams, results: readonly ResultRecord[], extraFigures: FigureSpec[] = [], data: Pick<Provenance, 'trainSizes' | 'generators'> = {}, ceilings: CeilingsFile | null = null): Omit<ReportContent, 'figures'> & { figureSpecs: FigureSpec[] } {
  const { table, checks } = tableAndChecks(params, results, ceilings);
  let diff: ReferenceDiff | null = null;
  if (params.reference) {
    const file = resolveWorkspacePath(params.reference.file);
    diff = diffAgainstReference(table, readReference(file), params.reference.tolerance ?? DEFAULT_REFERENCE_TOLERANCE, params.reference.file, checks);
  }
  const title = params.title || `${params.table.replace('table', 'Table ')} reproduction`;
  const sweep = params.sweep === undefined ? defaultSweep(params.table) : params.sweep;
  const figureSpecs = [...tableFigureSpecs({ tableId: params.table, title, table, results, sweep }), ...extraFigures];
  const provenance: Provenance = { ...collectProvenance(results), ...(data.trainSizes ? { trainSizes: data.trainSizes } : {}), ...(data.generators?.length ? { generators: data.generators } : {}) };
  return { title, table, provenance, checks, diff, ldl: ldlRows(table, results), figureSpecs };
}

/** Runs the whole report and writes its files; throws (after writing) when a fail-on setting says so. */
export async function runReport(args: ReportArgs): Promise<ReportOutcome> {
  const params: ReportParams = { ...args.params, tsne: { ...DEFAULT_TSNE, ...(args.params.tsne ?? {}) }, expect: args.params.expect ?? [], paperRows: args.params.paperRows ?? true, failOnClaims: args.params.failOnClaims ?? false };
  const results = readResults(args.results);
  let tsneSpecs: FigureSpec[] = [];
  let trainSizes: Provenance['trainSizes'];
  let generators: Provenance['generators'];
  const ceilings = args.datasets?.length ? readCeilings(args.datasets) : null;
  if (args.datasets?.length) {
    const manifest = readManifests(args.datasets);
    const sizes = new Map<string, { dataset: string; train: number; val: number; test: number }>();
    for (const r of manifest.rows) {
      const s = sizes.get(r.dataset) ?? { dataset: r.dataset, train: 0, val: 0, test: 0 };
      s[r.split]++;
      sizes.set(r.dataset, s);
    }
    trainSizes = [...sizes.values()];
    generators = readGeneratorSources(args.datasets);
    if (args.features?.length && params.tsne.enabled) tsneSpecs = tsneFigures(args.features[0], manifest.rows, params.tsne, args.log);
  } else if (args.features?.length && params.tsne.enabled) {
    throw new AlsgError('E_CONFIG', 'report: t-SNE maps need the `dataset` input (ingest outputs the features are aligned with) besides `features`');
  }
  const { figureSpecs, ...composed } = composeReport(params, results, tsneSpecs, { trainSizes, generators }, ceilings);
  const figures: Figure[] = await renderFigures(figureSpecs);
  const content: ReportContent = { ...composed, figures };
  const out = args.outDir;
  const files: string[] = [];
  const write = (name: string, text: string): void => {
    writeFileAtomic(join(out, name), text);
    files.push(name);
  };
  write('report.md', renderMarkdown(content) + (args.graphs?.length ? graphSection(args.graphs) : ''));
  write('report.html', renderHtml(content));
  for (const f of figures) write(f.file, f.svg);
  const csv = tableCsvRows(content.table);
  write('table.csv', formatCsv(csv.header, csv.rows));
  writeJsonAtomic(join(out, 'table.json'), { table: content.table, provenance: content.provenance });
  files.push('table.json');
  writeJsonAtomic(join(out, 'checks.json'), checksDocument(content.checks, params.bootstrap));
  files.push('checks.json');
  if (content.diff) {
    writeJsonAtomic(join(out, 'reference-diff.json'), content.diff);
    files.push('reference-diff.json');
  }
  const unsupported = content.checks.filter((c) => c.verdict !== 'supported');
  for (const c of content.checks) args.log?.(`${c.verdict} ${c.claim}: ${c.detail}`);
  if (content.diff) args.log?.(`reference ${content.diff.file}: ${content.diff.ok ? 'ok' : 'MISMATCH'} (${JSON.stringify(content.diff.counts)})`);
  if (content.diff && !content.diff.found && (params.reference?.failOnMismatch ?? true)) {
    throw new AlsgError('E_STAGE', `report: ${content.diff.hint} (reference-diff.json lists the ${content.diff.counts.new} cells it would hold)`, { file: content.diff.file });
  }
  if (content.diff && !content.diff.ok && (params.reference?.failOnMismatch ?? true)) {
    const badChecks = content.diff.checks.filter((c) => c.status !== 'ok').slice(0, 5).map((c) => `claim "${c.claim}": ${c.message ?? c.status}`);
    const badCells = content.diff.cells.filter((c) => c.status !== 'ok').slice(0, 5).map((c) => `${c.status} ${[c.row, c.column, c.metric].filter((s) => s).join(' | ')} (reference ${c.reference?.toFixed(3) ?? '-'}, ours ${c.ours?.toFixed(3) ?? '-'})`);
    const bad = [...badCells, ...badChecks];
    throw new AlsgError('E_STAGE', `report: results differ from the reference ${content.diff.file} beyond tolerance ${content.diff.tolerance}: ${bad.join('; ')}${content.diff.hint ? ` (${content.diff.hint})` : ''}`, { file: content.diff.file });
  }
  if (unsupported.length && params.failOnClaims) {
    throw new AlsgError('E_STAGE', `report: ${unsupported.length} claim(s) not supported: ${unsupported.map((c) => `${c.claim}: ${c.verdict} (${c.detail})`).join('; ')}`);
  }
  return { table: content.table, checks: content.checks, diff: content.diff, files };
}

/**
 * The deliberate "update the reference" step when the report itself failed on a mismatch (and so left no table.json):
 * rebuilds the table from the evaluate result folders with the report instance's layout params and writes the
 * reference. The `alsg` reference command passes the report instance's params and its resolved `results` inputs.
 */
export function updateReferenceFromResults(resultDirs: readonly string[], params: ReferenceLayoutParams, referenceFile: string, note?: string): ReferenceFile {
  const { table, checks } = tableAndChecks(params, readResults(resultDirs));
  return writeReference(resolveWorkspacePath(referenceFile), table, note, checks);
}

/** The report params the reference comparison needs: the layout, the claims and the bootstrap settings. */
export type ReferenceLayoutParams = Pick<ReportParams, 'table'> & Partial<Pick<ReportParams, 'rows' | 'columns' | 'metrics' | 'paperRows' | 'expect' | 'bootstrap'>>;

/**
 * What the `alsg` reference command compares: rebuilds the table and judges the claims from the evaluate result
 * folders with the report instance's params, and diffs both against the reference file (cells within tolerance,
 * verdicts exactly).
 */
export function referenceDiffFromResults(resultDirs: readonly string[], params: ReferenceLayoutParams, referenceFile: string, tolerance: number = DEFAULT_REFERENCE_TOLERANCE): ReferenceDiff {
  const { table, checks } = tableAndChecks(params, readResults(resultDirs));
  const file = resolveWorkspacePath(referenceFile);
  return diffAgainstReference(table, readReference(file), tolerance, file, checks);
}

/** The "Auxiliary graphs" section: each wired graph's diagnostics.json (docs/graph.md), named by its space and settings. */
function graphSection(graphDirs: readonly string[]): string {
  const diags = graphDirs.map((dir) => {
    const read = (name: string): unknown => {
      const file = join(dir, name);
      if (!existsSync(file)) return null;
      try {
        return JSON.parse(readFileSync(file, 'utf8'));
      } catch (cause) {
        throw new AlsgError('E_ARTIFACT', `${file}: not valid JSON`, { file, cause });
      }
    };
    const info = (read('graph.json') ?? {}) as { space?: string; k?: number; sigma?: number; landmarks?: string };
    const name = `${info.space ?? dir}${info.landmarks ? ` ${info.landmarks}` : ''}, k ${info.k ?? '?'}, sigma ${info.sigma === undefined ? '?' : Number(info.sigma.toPrecision(4))}`;
    return { name, diagnostics: read('diagnostics.json') };
  });
  return `\n## Auxiliary graphs\n\nWhat the kNN graphs give the guidance term (graph stage diagnostics, docs/graph.md).\n\n${graphDiagnosticsMarkdown(diags)}`;
}
