/**
 * The noise stage's work on a manifest: build the noisy label columns (only `split = train` rows change) and the report
 * of every flip, then write `labels.csv` and `noise-report.json` (docs/contracts.md, "noise").
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { formatCsv, writeFileAtomic, writeJsonAtomic } from '@ldl-alsg/artifacts';
import { CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import type { ManifestRow } from '@ldl-alsg/datasets';
import { ABC_RATES, abcNoise, asymmetricNoise, setName, symmetricNoise, type NoiseResult } from './flip';
import { validateRate } from './select';

/** Noise protocols of the noise stage. */
export const NOISE_MODES = ['none', 'symmetric', 'asymmetric', 'abc', 'truth'] as const;
export type NoiseMode = (typeof NOISE_MODES)[number];

/** Parameters of the noise stage (same names as its JSON Schema). */
export interface NoiseParams {
  /**
   * none (labels copied), symmetric, asymmetric (LA-Net mapping), abc (the paper's Table 3 set) or truth (each train
   * label replaced by the argmax of the image's true label distribution: the "clean labels" of a benchmark that knows
   * them, for ceilings; needs distribution.npy).
   */
  mode: NoiseMode;
  /** Noise rate in [0, 1) for symmetric / asymmetric. Default 0. */
  rate?: number;
  /** abc: one rate per copy. Default [0.05, 0.10, 0.15]. */
  rates?: readonly number[];
  /** true (default): exactly round(rate * n_train) labels change; false: each train label with probability rate. */
  exact?: boolean;
}

/** Flip statistics of one label column. */
export interface NoiseSetReport {
  /** Column in labels.csv (`label`, `label_a`, ...). */
  column: string;
  rate: number;
  /** Number of changed labels. */
  flipped: number;
  /** flipped / train rows. */
  fraction: number;
  /** Counts per (from, to) class pair with a non-zero count, by class name. */
  pairs: { from: string; to: string; count: number }[];
  /** matrix[from][to] = count, canonical class order (the diagonal is always 0). */
  matrix: number[][];
  /** Every changed label: manifest id, row index, original and new class name. */
  flips: { id: string; row: number; from: string; to: string }[];
}

/** Content of noise-report.json. */
export interface NoiseReport {
  mode: NoiseMode;
  exact: boolean;
  seed: number;
  rows: number;
  trainRows: number;
  /** How the changed rows are chosen, in words. */
  protocol: string;
  classes: readonly string[];
  sets: NoiseSetReport[];
}

/** Noisy labels of a manifest, ready to write. */
export interface NoisyLabels {
  /** labels.csv header: id, original, then one column per set. */
  header: string[];
  /** labels.csv records, aligned with the manifest rows. */
  records: Record<string, string>[];
  report: NoiseReport;
}

function summarise(column: string, rate: number, result: NoiseResult, rows: readonly ManifestRow[], trainRows: number): NoiseSetReport {
  const matrix = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  for (const f of result.flips) matrix[f.from][f.to]++;
  const pairs: NoiseSetReport['pairs'] = [];
  matrix.forEach((r, from) => r.forEach((count, to) => count > 0 && pairs.push({ from: CLASSES[from], to: CLASSES[to], count })));
  return {
    column,
    rate,
    flipped: result.flips.length,
    fraction: trainRows > 0 ? result.flips.length / trainRows : 0,
    pairs,
    matrix,
    flips: result.flips.map((f) => ({ id: rows[f.row].id, row: f.row, from: CLASSES[f.from], to: CLASSES[f.to] })),
  };
}

/**
 * Applies a noise protocol to the train rows of a (concatenated) manifest.
 * @param rows manifest rows (readManifests), labels already validated as canonical names.
 * @param params stage parameters.
 * @param seed the instance's seed.
 */
export function makeNoisyLabels(rows: readonly ManifestRow[], params: NoiseParams, seed: number, truth?: Int32Array): NoisyLabels {
  if (!(NOISE_MODES as readonly string[]).includes(params.mode)) {
    throw new AlsgError('E_CONFIG', `noise: mode must be one of ${NOISE_MODES.join(', ')}, but got "${String(params.mode)}"`, { path: 'mode' });
  }
  if (!Number.isInteger(seed)) throw new AlsgError('E_CONFIG', `noise: seed must be an integer, but got ${String(seed)}`, { path: 'seed' });
  const exact = params.exact ?? true;
  const labels = Int32Array.from(rows, (r) => r.labelIndex);
  const eligible = rows.map((r) => r.split === 'train');
  const trainRows = eligible.filter(Boolean).length;
  let sets: { column: string; rate: number; result: NoiseResult }[];
  if (params.mode === 'truth') {
    if (!truth || truth.length !== rows.length) {
      throw new AlsgError('E_INPUT', `noise: mode truth needs the true label distributions (distribution.npy) of every row, but got ${truth ? truth.length : 'none'} for ${rows.length} rows`, { path: 'mode' });
    }
    const out = Int32Array.from(labels);
    const flips: NoiseResult['flips'] = [];
    for (let i = 0; i < rows.length; i++) {
      if (!eligible[i] || truth[i] === labels[i]) continue;
      out[i] = truth[i];
      flips.push({ row: i, from: labels[i], to: truth[i] });
    }
    sets = [{ column: 'label', rate: trainRows > 0 ? flips.length / trainRows : 0, result: { labels: out, flips } }];
  } else if (params.mode === 'abc') {
    const rates = params.rates ?? ABC_RATES;
    const results = abcNoise(labels, { rates, exact, eligible, seed });
    sets = results.map((result, k) => ({ column: `label_${setName(k)}`, rate: rates[k], result }));
  } else {
    const rate = params.mode === 'none' ? 0 : params.rate ?? 0;
    validateRate(rate);
    const options = { rate, exact, eligible, seed };
    const result =
      params.mode === 'symmetric' ? symmetricNoise(labels, options) : params.mode === 'asymmetric' ? asymmetricNoise(labels, options) : { labels, flips: [] };
    sets = [{ column: 'label', rate, result }];
  }
  const header = ['id', 'original', ...sets.map((s) => s.column)];
  const records = rows.map((r, i) => {
    const rec: Record<string, string> = { id: r.id, original: r.label };
    for (const s of sets) rec[s.column] = CLASSES[s.result.labels[i]];
    return rec;
  });
  const protocol = exact
    ? 'exactly round(rate * trainRows) train labels, chosen uniformly without replacement'
    : 'each train label independently with probability rate';
  return {
    header,
    records,
    report: {
      mode: params.mode,
      exact,
      seed,
      rows: rows.length,
      trainRows,
      protocol: params.mode === 'none' ? 'no noise' : params.mode === 'truth' ? 'every train label set to the argmax of its true label distribution (distribution.npy); rate = the fraction that changed' : protocol,
      classes: CLASSES,
      sets: sets.map((s) => summarise(s.column, s.rate, s.result, rows, trainRows)),
    },
  };
}

/** Writes `labels.csv` and `noise-report.json` into `outDir` (atomically, file by file). */
export function writeNoisyLabels(outDir: string, noisy: NoisyLabels): void {
  writeFileAtomic(join(outDir, 'labels.csv'), formatCsv(noisy.header, noisy.records));
  writeJsonAtomic(join(outDir, 'noise-report.json'), noisy.report);
}
