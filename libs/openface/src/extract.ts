/**
 * The extract stage's work: auxiliary labels (17 AU intensities, 68 landmarks) and a status for every manifest row, by
 * one of three extractors, written as au.npy, landmarks.npy, status.csv and extract-report.json (docs/contracts.md).
 * - `openface`: OpenFace FaceLandmarkImg as a subprocess on the images (FeatureExtraction when `sequences` is set);
 * - `openface-csv`: OpenFace CSVs produced elsewhere (`<csvDir>/<id>.csv`; the synthetic benchmark writes these);
 * - `face-api`: the embedded detector + 68-point landmark net (landmarks only; AU rows stay NaN).
 * Rows without auxiliary labels (status not ok) stay in the dataset with NaN rows; the graph stage leaves them out.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { formatCsv, writeFileAtomic, writeJsonAtomic, writeNpy } from '@ldl-alsg/artifacts';
import { isInside, readManifest, type ManifestRow } from '@ldl-alsg/datasets';
import { NUM_AUS } from '@ldl-alsg/labels';
import { locateOpenFace } from './locate';
import { readImageCsv, runFaceLandmarkImg, unreadable, type ExtractStatus, type ImageJob, type ImageResult, type OpenFaceRunStats } from './openface-runner';
import { runFeatureExtraction } from './feature-extraction';
import { FaceApiExtractor } from './face-api-extractor';

/** The extractors of the extract stage. */
export const EXTRACTORS = ['openface', 'openface-csv', 'face-api'] as const;
export type ExtractorName = (typeof EXTRACTORS)[number];
/** Status values of status.csv. */
export const EXTRACT_STATUSES: readonly ExtractStatus[] = ['ok', 'no-face', 'low-confidence', 'unreadable'];

/** Parameters of the extract stage (same names as its JSON Schema). */
export interface ExtractParams {
  /** openface | openface-csv | face-api. */
  extractor: ExtractorName;
  /** openface: path of FaceLandmarkImg (or of the folder holding the OpenFace executables). Default: OPENFACE_BIN, OPENFACE_DIR, then PATH. */
  openfaceBin?: string;
  /** openface: extra OpenFace flags, e.g. ["-wild"] or ["-mloc", "model/main_ceclm_general.txt"]. Default none. */
  openfaceArgs?: readonly string[];
  /** openface-csv: folder of `<id>.csv` files for every dataset. Default `<ingest dir>/openface` per dataset. */
  csvDir?: string;
  /** openface-csv: CSV file name from the row `id` (default) or from the image file's `stem` (OpenFace's own naming). */
  csvName?: 'id' | 'stem';
  /** openface: seconds allowed per image in one OpenFace call. Default 30. */
  timeoutS?: number;
  /** Faces below this confidence (OpenFace confidence or face-api detection score, 0..1) get status low-confidence. Default 0.5. */
  minConfidence?: number;
  /** openface: images per FaceLandmarkImg call. Default 32. */
  batchSize?: number;
  /** face-api: auto (default; whole-image for images of at most 200 px a side, else detect), detect, or whole-image (aligned face crops). */
  faceBox?: 'auto' | 'detect' | 'whole-image';
  /** openface: OpenFace processes run at the same time (about one core each). Default 1. */
  concurrency?: number;
  /** openface: treat images sharing a folder as one video sequence and use FeatureExtraction (CK+, MMI, Oulu frames). Default false. */
  sequences?: boolean;
  /**
   * openface, openface-csv: largest share (0..1) of rows whose OpenFace CSV exists but cannot be parsed (missing column,
   * bad number, wrong field count) before the stage fails. Below it those rows get status unreadable with the reason and
   * the others go on; when no CSV at all can be parsed the stage fails whatever the share. Default 0.05.
   */
  maxFailedShare?: number;
}

/** Callbacks into the caller (the stage context or the CLI). */
export interface ExtractHooks {
  log(message: string): void;
  progress(label: string, total: number, unit: string): Progress;
  /** Scratch folder for staged images and OpenFace output. Default a fresh temporary folder. */
  workDir?: string;
}

/** Content of extract-report.json. */
export interface ExtractReport {
  extractor: ExtractorName;
  /** Extractor version details (face-api and TF.js versions, OpenFace binary and its sha256, CSV folders). */
  version: Record<string, unknown>;
  /** Whether au.npy holds AU values (false for face-api: all NaN). */
  auAvailable: boolean;
  minConfidence: number;
  rows: number;
  counts: Record<ExtractStatus, number>;
  /** Counts per split: train rows without auxiliary labels stay in training but get no neighbours. */
  countsBySplit: Record<string, Record<ExtractStatus, number>>;
  /** Train rows whose status is not ok. */
  trainWithoutAuxiliary: number;
  /** Rows with more than one face (the most confident was kept). */
  multipleFaces: number;
  /** face-api: rows read as aligned face crops (landmark net on the whole image, no detector, no confidence). */
  wholeImage?: number;
  /** Every unreadable image with the reason. */
  unreadable: { id: string; path: string; reason: string }[];
  /** openface: subprocess calls, failed batches, single-image retries. */
  calls?: OpenFaceRunStats;
  /** Rows whose OpenFace CSV could not be parsed (status unreadable, reason in `unreadable`); absent when none. */
  brokenCsv?: number;
  seconds: number;
}

function emptyCounts(): Record<ExtractStatus, number> {
  return { ok: 0, 'no-face': 0, 'low-confidence': 0, unreadable: 0 };
}

/** Reads each ingest output's manifest, remembering which dataset folder each row came from. */
export function readDatasetRows(datasetDirs: readonly string[]): { rows: ManifestRow[]; dirOf: string[] } {
  if (datasetDirs.length === 0) throw new AlsgError('E_INPUT', 'extract: at least one dataset (ingest output) is required');
  const rows: ManifestRow[] = [];
  const dirOf: string[] = [];
  const seen = new Map<string, string>();
  for (const dir of datasetDirs) {
    for (const row of readManifest(dir).rows) {
      const other = seen.get(row.id);
      // same rule as readManifests: ids must be unique across the concatenated manifests
      if (other !== undefined) throw new AlsgError('E_INPUT', `extract: duplicate id "${row.id}" in ${join(dir, 'manifest.csv')} and ${join(other, 'manifest.csv')}`);
      seen.set(row.id, dir);
      rows.push(row);
      dirOf.push(dir);
    }
  }
  return { rows, dirOf };
}

function sha256Prefix(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  } catch {
    return 'unknown';
  }
}

function validateParams(p: ExtractParams): void {
  if (!(EXTRACTORS as readonly string[]).includes(p.extractor)) {
    throw new AlsgError('E_CONFIG', `extract: extractor must be one of ${EXTRACTORS.join(', ')}, but got "${String(p.extractor)}"`, { path: 'extractor' });
  }
  const positive = (v: number | undefined, name: string, integer: boolean) => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new AlsgError('E_CONFIG', `extract: ${name} must be a positive ${integer ? 'integer' : 'number'}, but got ${String(v)}`, { path: name });
    }
  };
  positive(p.timeoutS, 'timeoutS', false);
  positive(p.batchSize, 'batchSize', true);
  positive(p.concurrency, 'concurrency', true);
  if (p.minConfidence !== undefined && !(p.minConfidence >= 0 && p.minConfidence <= 1)) {
    throw new AlsgError('E_CONFIG', `extract: minConfidence must be in [0, 1], but got ${String(p.minConfidence)}`, { path: 'minConfidence' });
  }
  if (p.maxFailedShare !== undefined && !(p.maxFailedShare >= 0 && p.maxFailedShare <= 1)) {
    throw new AlsgError('E_CONFIG', `extract: maxFailedShare must be in [0, 1], but got ${String(p.maxFailedShare)}`, { path: 'maxFailedShare' });
  }
  if (p.faceBox !== undefined && !['auto', 'detect', 'whole-image'].includes(p.faceBox)) {
    throw new AlsgError('E_CONFIG', `extract: faceBox must be auto, detect or whole-image, but got "${String(p.faceBox)}"`, { path: 'faceBox' });
  }
  if (p.csvName !== undefined && p.csvName !== 'id' && p.csvName !== 'stem') {
    throw new AlsgError('E_CONFIG', `extract: csvName must be id or stem, but got "${String(p.csvName)}"`, { path: 'csvName' });
  }
}

/** True when `dir` or a folder below it holds a .csv file (stops at the first; CSVs may sit in `<dataset>/` subfolders). */
function holdsCsv(dir: string): boolean {
  const pending = [dir];
  while (pending.length > 0) {
    const here = pending.pop()!;
    for (const e of readdirSync(here, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.csv')) return true;
      if (e.isDirectory()) pending.push(join(here, e.name));
    }
  }
  return false;
}

/**
 * The CSV of one row: `<dir>/<id>.csv` (or `<stem>.csv` with csvName=stem). When that file does not exist, the same name
 * under a `<dataset>/` subfolder, and for ids the id without its `<dataset>/` prefix, are tried: CSVs made elsewhere are
 * often sorted into one folder per dataset. The first existing candidate wins; the first one is returned when none exists.
 */
function csvFileOf(dir: string, row: ManifestRow, byStem: boolean): string {
  const name = byStem ? basename(row.path, extname(row.path)) : row.id;
  const prefix = `${row.dataset}/`;
  const candidates = [name, `${prefix}${name}`];
  if (!byStem && name.startsWith(prefix)) candidates.push(name.slice(prefix.length));
  const files = candidates.map((c) => join(dir, `${c}.csv`));
  return files.find((f) => existsSync(f)) ?? files[0];
}

/**
 * Fails the stage when too many rows have a broken OpenFace CSV (see {@link ExtractParams.maxFailedShare}), or when no
 * CSV at all could be parsed; below the threshold the broken rows stay `unreadable` with their reason.
 */
function checkBrokenCsvs(results: readonly ImageResult[], rows: readonly ManifestRow[], maxShare: number, log: (m: string) => void): number {
  const broken = results.flatMap((r, i) => (r.brokenCsv ? [i] : []));
  if (broken.length === 0) return 0;
  const first = results[broken[0]].reason ?? '';
  const parsed = results.filter((r) => !r.brokenCsv && r.faces > 0).length;
  const share = broken.length / results.length;
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  if (parsed === 0) {
    throw new AlsgError('E_INPUT', `extract: every OpenFace CSV found is broken (${broken.length} of ${broken.length}); e.g. row "${rows[broken[0]].id}": ${first}`, { row: broken[0] });
  }
  if (share > maxShare) {
    throw new AlsgError(
      'E_INPUT',
      `extract: ${broken.length} of ${results.length} rows (${pct(share)}) have a broken OpenFace CSV, more than maxFailedShare ${pct(maxShare)}; e.g. row "${rows[broken[0]].id}": ${first} (every one is listed with its reason once the share is below the threshold; raise maxFailedShare to accept them)`,
      { row: broken[0] },
    );
  }
  log(`extract: ${broken.length} of ${results.length} rows (${pct(share)}) have a broken OpenFace CSV and are unreadable (within maxFailedShare ${pct(maxShare)}); e.g. row "${rows[broken[0]].id}": ${first}`);
  return broken.length;
}

/** openface-csv: reads `<csvDir>/<id or stem>.csv` for every row. */
function readCsvDirs(rows: ManifestRow[], dirOf: string[], p: ExtractParams, minConfidence: number, progress: Progress): { results: ImageResult[]; version: Record<string, unknown> } {
  const csvDirs = rows.map((_, i) => p.csvDir ?? join(dirOf[i], 'openface'));
  const distinct = [...new Set(csvDirs)];
  for (const dir of distinct) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new AlsgError('E_INPUT', `extract: OpenFace CSV folder ${dir} not found (openface-csv reads <csvDir>/<id>.csv; set csvDir / --csv-dir, or choose the openface or face-api extractor)`, { file: dir });
    }
    if (!holdsCsv(dir)) {
      throw new AlsgError('E_INPUT', `extract: OpenFace CSV folder ${dir} holds no .csv file (its subfolders included)`, { file: dir });
    }
  }
  const byStem = p.csvName === 'stem';
  const files = rows.map((r, i) => csvFileOf(csvDirs[i], r, byStem));
  if (byStem) {
    // OpenFace names its CSV after the image's file stem: two images with the same stem cannot be told apart
    const owners = new Map<string, string>();
    rows.forEach((r, i) => {
      const key = files[i];
      const other = owners.get(key);
      if (other !== undefined) throw new AlsgError('E_INPUT', `extract: csvName=stem is ambiguous: rows "${other}" and "${r.id}" both map to ${key} (use csvName=id)`);
      owners.set(key, r.id);
    });
  }
  const results: ImageResult[] = [];
  let found = 0;
  rows.forEach((r, i) => {
    const file = files[i];
    // An id that climbs out of the folder (a hand-made manifest) is never read: a row without a CSV, like a missing one.
    const res = isInside(csvDirs[i], file) ? readImageCsv(file, minConfidence) : unreadable(`id "${r.id}" would read ${file}, outside ${csvDirs[i]}`);
    if (res.faces > 0 || res.brokenCsv) found++;
    results.push(res);
    progress.tick();
  });
  if (found === 0 && rows.length > 0) {
    throw new AlsgError('E_INPUT', `extract: no OpenFace CSV in ${distinct.join(', ')} matches a manifest row (looked for <${byStem ? 'image stem' : 'id'}>.csv, e.g. ${rows[0][byStem ? 'path' : 'id']})`);
  }
  return { results, version: { extractor: 'openface-csv', version: null, csvDirs: distinct, csvName: byStem ? 'stem' : 'id' } };
}

/**
 * Runs one extractor over the rows of the given ingest outputs and writes the stage's outputs into `outDir`.
 * @param datasetDirs ingest output folders (manifests concatenated in order).
 * @returns the report (also written as extract-report.json).
 */
export async function runExtraction(datasetDirs: readonly string[], params: ExtractParams, outDir: string, hooks: ExtractHooks): Promise<ExtractReport> {
  validateParams(params);
  const started = performance.now();
  const minConfidence = params.minConfidence ?? 0.5;
  const { rows, dirOf } = readDatasetRows(datasetDirs);
  const n = rows.length;
  let results: ImageResult[];
  let version: Record<string, unknown>;
  let calls: OpenFaceRunStats | undefined;

  if (params.extractor === 'openface-csv') {
    const progress = hooks.progress('extract (openface-csv)', n, 'images');
    ({ results, version } = readCsvDirs(rows, dirOf, params, minConfidence, progress));
    progress.done();
  } else if (params.extractor === 'openface') {
    const tool = params.sequences ? 'FeatureExtraction' : 'FaceLandmarkImg';
    const bin = locateOpenFace(tool, { param: params.openfaceBin }); // fails at once, before any image is touched
    const workDir = hooks.workDir ?? mkdtempSync(join(tmpdir(), 'alsg-openface-'));
    mkdirSync(workDir, { recursive: true });
    const progress = hooks.progress(`extract (OpenFace ${tool})`, n, 'images');
    const jobs: ImageJob[] = rows.map((r, index) => ({ index, path: r.path }));
    const options = {
      bin,
      workDir,
      batchSize: params.batchSize,
      concurrency: params.concurrency,
      extraArgs: params.openfaceArgs,
      timeoutS: params.timeoutS,
      minConfidence,
      onProgress: (k: number) => progress.tick(k),
      onCallFailure: (m: string) => hooks.log(m),
    };
    try {
      const out = params.sequences ? await runFeatureExtraction(jobs, options) : await runFaceLandmarkImg(jobs, options);
      results = out.results;
      calls = out.stats;
    } finally {
      if (!hooks.workDir) rmSync(workDir, { recursive: true, force: true });
    }
    progress.done();
    version = { extractor: 'openface', tool, version: 'unknown (OpenFace has no version flag)', binary: bin, sha256: sha256Prefix(bin), args: ['-2Dfp', '-aus', ...(params.openfaceArgs ?? [])] };
  } else {
    const extractor = await FaceApiExtractor.create({ faceBox: params.faceBox });
    const progress = hooks.progress('extract (face-api)', n, 'images');
    results = [];
    for (const r of rows) {
      results.push(await extractor.extract(r.path, minConfidence));
      progress.tick();
    }
    progress.done();
    version = extractor.version;
  }

  const brokenCsv = checkBrokenCsvs(results, rows, params.maxFailedShare ?? 0.05, hooks.log);
  const au = new Float32Array(n * NUM_AUS).fill(Number.NaN);
  const landmarks = new Float32Array(n * 136).fill(Number.NaN);
  const counts = emptyCounts();
  const countsBySplit: Record<string, Record<ExtractStatus, number>> = {};
  const unreadableList: ExtractReport['unreadable'] = [];
  let multipleFaces = 0;
  let wholeImage = 0;
  const statusRows = results.map((res, i) => {
    if (res.status === 'ok') {
      if (res.au) au.set(res.au, i * NUM_AUS);
      if (res.landmarks) landmarks.set(res.landmarks, i * 136);
    }
    counts[res.status]++;
    (countsBySplit[rows[i].split] ??= emptyCounts())[res.status]++;
    if (res.faces > 1) multipleFaces++;
    if (res.wholeImage) wholeImage++;
    if (res.status === 'unreadable') unreadableList.push({ id: rows[i].id, path: rows[i].path, reason: res.reason ?? 'unreadable' });
    return { id: rows[i].id, status: res.status, confidence: Number.isFinite(res.confidence) ? res.confidence.toFixed(4) : '' };
  });
  const train = countsBySplit.train ?? emptyCounts();
  const report: ExtractReport = {
    extractor: params.extractor,
    version,
    auAvailable: params.extractor !== 'face-api',
    minConfidence,
    rows: n,
    counts,
    countsBySplit,
    trainWithoutAuxiliary: train['no-face'] + train['low-confidence'] + train.unreadable,
    multipleFaces,
    wholeImage: params.extractor === 'face-api' ? wholeImage : undefined,
    unreadable: unreadableList,
    calls,
    ...(brokenCsv > 0 ? { brokenCsv } : {}),
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
  mkdirSync(outDir, { recursive: true });
  writeNpy(join(outDir, 'au.npy'), au, [n, NUM_AUS]);
  writeNpy(join(outDir, 'landmarks.npy'), landmarks, [n, 136]);
  writeFileAtomic(join(outDir, 'status.csv'), formatCsv(['id', 'status', 'confidence'], statusRows));
  writeJsonAtomic(join(outDir, 'extract-report.json'), report);
  hooks.log(
    `${params.extractor}: ${n} images: ${EXTRACT_STATUSES.map((s) => `${counts[s]} ${s}`).join(', ')}; ${report.trainWithoutAuxiliary} train images without auxiliary labels stay in training without neighbours`,
  );
  return report;
}
