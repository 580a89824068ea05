/**
 * Reads a real dataset in its original layout and writes the ingest stage's outputs (docs/contracts.md): `manifest.csv`,
 * `distribution.npy` where the source has real label distributions, converted images under `images/`, and
 * `ingest-report.json` with counts per split/class and every skip with its reason, file and line.
 *
 * Nothing partial is ever left behind: everything is built in a staging folder inside `outDir` and moved into place
 * only after the whole source was read and every image checked, `manifest.csv` last (a folder without a manifest is not
 * an ingest output). An error removes the staging folder.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { encodeNpyHeader, writeJsonAtomic } from '@ldl-alsg/artifacts';
import { CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { writeFileSync } from 'node:fs';
import { ADAPTERS } from './adapters/index';
import { describeMissing, isFile } from './dataset-files';
import { detectFormat } from './detect-format';
import { checkImage, forEachLimit } from './images';
import { IngestCollector } from './ingest-collector';
import { IMAGE_CHECKS, PROTOCOLS, REAL_FORMATS, type IngestOptions, type RealFormat, type ResolvedIngestOptions, type SkipRecord, type SourceItem } from './ingest-types';
import { SPLITS, writeManifest, type Split } from './manifest';

export interface IngestHooks {
  /** Progress reporting (the stage passes ctx.progress); default: none. */
  progress?: (label: string, total: number | undefined, unit?: string) => Progress;
  /** Log lines (the stage passes ctx.log); default: none. */
  log?: (message: string) => void;
}

/** A skip as listed in the report (its reason is the key it is listed under). */
export type ListedSkip = Omit<SkipRecord, 'reason'>;

/**
 * ingest-report.json. `format`, `counts` (dataset -> split -> class -> rows) and `skips` (reason -> listed items) have
 * the same shape as the synthetic generator's report, so readers handle both.
 */
export interface IngestReport {
  format: RealFormat;
  root: string;
  dataset: string;
  domain: 'wild' | 'lab';
  options: ResolvedIngestOptions;
  rows: number;
  /** Rows per dataset, split and class (every class listed, zeros included). */
  counts: Record<string, Record<string, Record<string, number>>>;
  /** Rows per split and per class. */
  totals: { bySplit: Record<string, number>; byClass: Record<string, number> };
  /** Skipped items per reason, in source order, at most `maxListedSkips` each. */
  skips: Record<string, ListedSkip[]>;
  /** Complete number of skipped items per reason. */
  skipCounts: Record<string, number>;
  /** Skipped items per reason that were counted but not listed. */
  skipsUnlisted: Record<string, number>;
  distribution: { file: string; known: number; unknown: number } | null;
  images: { check: string; checked: number; written: number };
  notes: Record<string, unknown>;
  seconds: number;
}

const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Fills in defaults and checks option values; `format` must already be a real format. */
export function resolveIngestOptions(options: IngestOptions): ResolvedIngestOptions {
  const adapter = ADAPTERS[options.format];
  if (!adapter) throw new AlsgError('E_CONFIG', `ingest: format must be one of ${REAL_FORMATS.join(', ')}, auto, synthfer, but got "${options.format}"`);
  const r: ResolvedIngestOptions = {
    format: options.format,
    root: resolve(options.root),
    dataset: options.dataset ?? adapter.dataset,
    domain: options.domain ?? adapter.domain,
    split: options.split ?? adapter.defaultSplit,
    splitMap: { ...adapter.defaultSplitMap, ...(options.splitMap ?? {}) },
    protocol: options.protocol ?? 'none',
    imageCheck: options.imageCheck ?? 'decode',
    onBadImage: options.onBadImage ?? 'skip',
    rafImages: options.rafImages ?? 'aligned',
    minFaceConfidence: options.minFaceConfidence ?? 0,
    cropFaces: options.cropFaces ?? false,
    maxListedSkips: options.maxListedSkips ?? 200,
    limit: options.limit ?? 0,
  };
  const bad = (field: string, rule: string, value: unknown): never => {
    throw new AlsgError('E_CONFIG', `ingest: ${field} must ${rule}, but got ${JSON.stringify(value)}`, { path: field });
  };
  if (!DATASET_NAME.test(r.dataset)) bad('dataset', 'be letters, digits, ".", "_" or "-" (it prefixes every id)', r.dataset);
  if (r.domain !== 'wild' && r.domain !== 'lab') bad('domain', 'be wild or lab', r.domain);
  if (!SPLITS.includes(r.split)) bad('split', `be one of ${SPLITS.join(', ')}`, r.split);
  for (const [k, v] of Object.entries(r.splitMap)) if (!(SPLITS as readonly string[]).includes(v) && v !== 'skip') bad(`splitMap.${k}`, 'be train, val, test or skip', v);
  if (!PROTOCOLS.includes(r.protocol)) bad('protocol', `be one of ${PROTOCOLS.join(', ')}`, r.protocol);
  if (r.protocol !== 'none' && r.format !== 'folder' && r.format !== 'csv') bad('protocol', 'be none unless format is folder or csv', r.protocol);
  if (!IMAGE_CHECKS.includes(r.imageCheck)) bad('imageCheck', `be one of ${IMAGE_CHECKS.join(', ')}`, r.imageCheck);
  if (r.onBadImage !== 'skip' && r.onBadImage !== 'error') bad('onBadImage', 'be skip or error', r.onBadImage);
  if (r.rafImages !== 'aligned' && r.rafImages !== 'original') bad('rafImages', 'be aligned or original', r.rafImages);
  if (typeof r.cropFaces !== 'boolean') bad('cropFaces', 'be true or false', r.cropFaces);
  if (!Number.isInteger(r.limit) || r.limit < 0) bad('limit', 'be a non-negative integer (0: every row)', r.limit);
  if (r.cropFaces && r.format !== 'affectnet') bad('cropFaces', 'be false unless format is affectnet (expw always crops)', r.cropFaces);
  if (!Number.isFinite(r.minFaceConfidence)) bad('minFaceConfidence', 'be a number', r.minFaceConfidence);
  if (!Number.isInteger(r.maxListedSkips) || r.maxListedSkips < 0) bad('maxListedSkips', 'be a non-negative integer', r.maxListedSkips);
  return r;
}

/** Checks every image ingest did not write itself; removes missing/unreadable ones from the rows and records them. */
async function checkImages(collector: IngestCollector, options: ResolvedIngestOptions, hooks: IngestHooks): Promise<number> {
  const toCheck = collector.items.filter((item) => !item.written);
  if (toCheck.length === 0) return 0;
  const bad = new Map<SourceItem, { reason: 'missing-image' | 'unreadable'; detail: string }>();
  const progress = hooks.progress?.('checking images', toCheck.length, 'images');
  await forEachLimit(toCheck, 4, async (item) => {
    if (!isFile(item.path)) bad.set(item, { reason: 'missing-image', detail: `${item.path} does not exist` });
    else {
      const problem = await checkImage(item.path, options.imageCheck);
      if (problem !== null) bad.set(item, { reason: 'unreadable', detail: `${item.path}: ${problem}` });
    }
    progress?.tick();
  });
  progress?.done();
  const missing = [...bad.values()].filter((b) => b.reason === 'missing-image').length;
  if (missing === toCheck.length) {
    // Not a few lost files but a wrong layout (e.g. original images where aligned ones were expected): say what is there.
    const first = toCheck[0];
    throw new AlsgError(
      'E_INPUT',
      `${options.format}: none of the ${toCheck.length} listed images exist; expected e.g. ${first.path} (listed at ${first.file}${first.line ? `:${first.line}` : ''}); ${describeMissing(options.root, first.path)}`,
      { file: first.path },
    );
  }
  for (const item of toCheck) {
    const b = bad.get(item);
    if (!b) continue;
    if (options.onBadImage === 'error') {
      throw new AlsgError('E_INPUT', `${item.file}${item.line ? `:${item.line}` : ''}: ${b.reason}: ${b.detail}`, { file: item.file, line: item.line });
    }
    collector.skip(b.reason, item.file, item.line, b.detail);
  }
  collector.removeItems(new Set(bad.keys()));
  return toCheck.length;
}

function buildReport(collector: IngestCollector, options: ResolvedIngestOptions, checked: number, hasDistribution: boolean, seconds: number): IngestReport {
  const zero = (): Record<string, number> => Object.fromEntries(CLASSES.map((c) => [c, 0]));
  const bySplit: Record<string, Record<string, number>> = {};
  const splitTotals: Record<string, number> = {};
  for (const item of collector.items) {
    (bySplit[item.split] ??= zero())[CLASSES[item.labelIndex]]++;
    splitTotals[item.split] = (splitTotals[item.split] ?? 0) + 1;
  }
  const skips: Record<string, ListedSkip[]> = {};
  const skipCounts: Record<string, number> = {};
  const skipsUnlisted: Record<string, number> = {};
  for (const { reason, ...rest } of collector.skips) {
    skipCounts[reason] = (skipCounts[reason] ?? 0) + 1;
    if (skipCounts[reason] <= options.maxListedSkips) (skips[reason] ??= []).push(rest);
    else skipsUnlisted[reason] = (skipsUnlisted[reason] ?? 0) + 1;
  }
  const known = collector.items.filter((i) => i.distribution).length;
  return {
    format: options.format,
    root: options.root,
    dataset: collector.dataset,
    domain: collector.domain,
    options,
    rows: collector.items.length,
    counts: { [collector.dataset]: bySplit },
    totals: { bySplit: splitTotals, byClass: collector.classCounts() },
    skips,
    skipCounts,
    skipsUnlisted,
    distribution: hasDistribution ? { file: 'distribution.npy', known, unknown: collector.items.length - known } : null,
    images: { check: options.imageCheck, checked, written: collector.items.filter((i) => i.written).length },
    notes: collector.notes,
    seconds,
  };
}

/** Moves `name` from the staging folder into `outDir`, replacing what was there (or removes a stale one). */
function place(staging: string, outDir: string, name: string): void {
  const target = join(outDir, name);
  const source = join(staging, name);
  // rename() replaces a file atomically; a folder (images/) has to be removed first.
  if (existsSync(target) && (!existsSync(source) || name === 'images')) rmSync(target, { recursive: true, force: true });
  if (existsSync(source)) renameSync(source, target);
}

/**
 * Ingests one real dataset into `outDir` (created if needed). `format: 'auto'` detects the layout. Returns the report
 * that was written to `ingest-report.json`.
 */
export async function ingestDataset(options: Omit<IngestOptions, 'format'> & { format: RealFormat | 'auto' }, outDir: string, hooks: IngestHooks = {}): Promise<IngestReport> {
  const started = Date.now();
  const format = options.format === 'auto' ? detectFormat(resolve(options.root)) : options.format;
  if (options.format === 'auto') hooks.log?.(`detected format ${format} in ${options.root}`);
  const resolved = resolveIngestOptions({ ...options, format });
  const adapter = ADAPTERS[format];
  mkdirSync(outDir, { recursive: true });
  const staging = join(outDir, `.ingest-staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    const collector = new IngestCollector(resolved.dataset, resolved.domain, resolved.splitMap, resolved.limit);
    const progress = hooks.progress?.(`reading ${format}`, undefined, 'items');
    await adapter.run({
      root: resolved.root,
      options: resolved,
      collector,
      imagesDir: join(staging, 'images'),
      tick: (n = 1) => progress?.tick(n),
      log: (m) => hooks.log?.(m),
    });
    progress?.done();
    if (collector.overLimit > 0) {
      // the first rows of each split in the order the adapter reads the source, so the same copy gives the same rows
      collector.notes.limit = { perSplit: resolved.limit, rowsDropped: collector.overLimit };
      hooks.log?.(`limit ${resolved.limit}: kept the first ${resolved.limit} rows of each split, dropped ${collector.overLimit}`);
    }
    const checked = await checkImages(collector, resolved, hooks);
    if (collector.items.length === 0) {
      const reasons = Object.entries(collector.skipCounts()).map(([r, n]) => `${r} ${n}`).join(', ');
      throw new AlsgError('E_INPUT', `${format}: ${resolved.root} gave no manifest rows (skipped: ${reasons || 'nothing found'})`, { file: resolved.root });
    }
    const rows = collector.items.map((item) => ({
      id: `${resolved.dataset}/${item.id}`,
      path: item.path,
      label: CLASSES[item.labelIndex],
      dataset: resolved.dataset,
      split: item.split as Split,
      domain: resolved.domain,
      subject: item.subject,
      source_label: item.sourceLabel,
    }));
    const hasDistribution = collector.items.some((i) => i.distribution);
    if (hasDistribution) {
      const data = new Float32Array(rows.length * NUM_CLASSES).fill(Number.NaN);
      collector.items.forEach((item, r) => {
        if (item.distribution) for (let c = 0; c < NUM_CLASSES; c++) data[r * NUM_CLASSES + c] = item.distribution[c];
      });
      const header = encodeNpyHeader('float32', [rows.length, NUM_CLASSES]);
      writeFileSync(join(staging, 'distribution.npy'), Buffer.concat([header, Buffer.from(data.buffer)]));
    }
    const report = buildReport(collector, resolved, checked, hasDistribution, (Date.now() - started) / 1000);
    writeJsonAtomic(join(staging, 'ingest-report.json'), report);
    writeManifest(staging, rows);
    // An old manifest goes first, so the folder never pairs it with new images or a new report.
    rmSync(join(outDir, 'manifest.csv'), { force: true });
    for (const name of ['images', 'distribution.npy', 'ingest-report.json', 'manifest.csv']) place(staging, outDir, name);
    return report;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
