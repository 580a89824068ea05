/**
 * Label-noise synthesis on class indices (canonical order of `@ldl-alsg/labels`): symmetric flips (the paper's Sec. 4.4,
 * "changed the ground truth label to one of the remaining six randomly") and the asymmetric LA-Net mapping.
 */
import { AlsgError, Rng } from '@ldl-alsg/common';
import { CLASSES, NUM_CLASSES, classIndex } from '@ldl-alsg/labels';
import { selectNoisyRows, validateRate } from './select';

/** One changed label. */
export interface Flip {
  /** Row index (aligned with the manifest). */
  row: number;
  /** Original class index. */
  from: number;
  /** New class index (never equal to `from`). */
  to: number;
}

/** Labels after noise, plus every change made. */
export interface NoiseResult {
  /** New class index per row (same length as the input). */
  labels: Int32Array;
  /** Every changed row, ascending by row. */
  flips: Flip[];
}

/** Options shared by the noise generators. */
export interface NoiseOptions {
  /** Fraction of eligible rows to change, in [0, 1). */
  rate: number;
  /** true (default): exactly round(rate * n) rows change; false: each eligible row changes with probability `rate`. */
  exact?: boolean;
  /** Rows that may change (e.g. `split = train`); default every row. Length must equal the labels'. */
  eligible?: readonly boolean[];
  /** Seed of the generator (with `stream`, fully determines the result). */
  seed: number;
  /** Rng stream name; defaults differ per generator so symmetric and asymmetric draws are independent. */
  stream?: string;
}

/**
 * The asymmetric protocol of LA-Net (see reference/datasets.md): anger->disgust, disgust->anger, fear->surprise,
 * happy->neutral, sad->neutral, surprise->anger, neutral->sad. Keys and values are canonical class names.
 */
export const ASYMMETRIC_MAP: Readonly<Record<string, string>> = {
  anger: 'disgust',
  disgust: 'anger',
  fear: 'surprise',
  happy: 'neutral',
  sad: 'neutral',
  surprise: 'anger',
  neutral: 'sad',
};

/** Throws unless every label is an integer class index in [0, 7); names the first bad row. */
export function validateLabels(labels: ArrayLike<number>, ids?: readonly string[]): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= NUM_CLASSES) {
      const where = ids ? `row ${i} (id "${ids[i]}")` : `row ${i}`;
      throw new AlsgError('E_INPUT', `noise: ${where}: label must be a class index in 0..${NUM_CLASSES - 1} (${CLASSES.join(', ')}), but got ${String(v)}`, {
        row: i,
      });
    }
  }
}

function eligibleRows(n: number, eligible: readonly boolean[] | undefined): number[] {
  if (eligible && eligible.length !== n) {
    throw new AlsgError('E_INPUT', `noise: eligible mask has ${eligible.length} entries, but there are ${n} labels`);
  }
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!eligible || eligible[i]) rows.push(i);
  return rows;
}

function applyFlips(labels: ArrayLike<number>, rows: readonly number[], target: (from: number) => number): NoiseResult {
  const out = Int32Array.from(labels);
  const flips: Flip[] = [];
  for (const row of rows) {
    const from = out[row];
    const to = target(from);
    out[row] = to;
    flips.push({ row, from, to });
  }
  return { labels: out, flips };
}

/**
 * Symmetric noise: the chosen rows get one of the other six classes, uniformly (1/6 each); never the same class.
 * @param labels class index per row.
 */
export function symmetricNoise(labels: ArrayLike<number>, options: NoiseOptions): NoiseResult {
  validateLabels(labels);
  const rng = new Rng(options.seed, options.stream ?? 'noise-symmetric');
  const rows = selectNoisyRows(eligibleRows(labels.length, options.eligible), options.rate, options.exact ?? true, rng);
  return applyFlips(labels, rows, (from) => {
    // Draw among the NUM_CLASSES - 1 others: skip over `from`, so each other class has probability exactly 1/6.
    const k = rng.int(NUM_CLASSES - 1);
    return k >= from ? k + 1 : k;
  });
}

/** The asymmetric mapping as class indices: ASYMMETRIC_TARGET[from] = to. */
export const ASYMMETRIC_TARGET: readonly number[] = CLASSES.map((name) => classIndex(ASYMMETRIC_MAP[name]));

/**
 * Asymmetric noise (LA-Net): the chosen rows get the class {@link ASYMMETRIC_MAP} assigns to their label.
 * @param labels class index per row.
 */
export function asymmetricNoise(labels: ArrayLike<number>, options: NoiseOptions): NoiseResult {
  validateLabels(labels);
  const rng = new Rng(options.seed, options.stream ?? 'noise-asymmetric');
  const rows = selectNoisyRows(eligibleRows(labels.length, options.eligible), options.rate, options.exact ?? true, rng);
  return applyFlips(labels, rows, (from) => ASYMMETRIC_TARGET[from]);
}

/** The paper's Table 3 rates for the sets A, B and C. */
export const ABC_RATES = [0.05, 0.1, 0.15] as const;

/** Options of {@link abcNoise}. */
export interface AbcOptions {
  /** One rate per copy; default the paper's [0.05, 0.10, 0.15] (A, B, C). */
  rates?: readonly number[];
  /** See {@link NoiseOptions.exact}; default true. */
  exact?: boolean;
  /** See {@link NoiseOptions.eligible}. */
  eligible?: readonly boolean[];
  /** Seed; each copy draws from its own stream (`noise-abc-a`, `-b`, ...), so the copies are independent. */
  seed: number;
}

/**
 * The paper's Table 3 set: independent copies of the training labels, each with symmetric noise at its own rate
 * (A 5%, B 10%, C 15%). Usable as one mixed dataset (three labelled copies of every image) or as three inconsistent
 * annotation sets (IPA2LT).
 * @returns one result per rate, in order.
 */
export function abcNoise(labels: ArrayLike<number>, options: AbcOptions): NoiseResult[] {
  const rates = options.rates ?? ABC_RATES;
  if (rates.length === 0) throw new AlsgError('E_CONFIG', 'noise: rates must list at least one rate', { path: 'rates' });
  if (rates.length > 26) throw new AlsgError('E_CONFIG', `noise: rates may list at most 26 rates (sets a..z), but got ${rates.length}`, { path: 'rates' });
  rates.forEach((rate, k) => validateRate(rate, `rates[${k}]`));
  return rates.map((rate, k) =>
    symmetricNoise(labels, { rate, exact: options.exact, eligible: options.eligible, seed: options.seed, stream: `noise-abc-${setName(k)}` }),
  );
}

/** Name of the k-th copy of an abc set: a, b, c, ... */
export function setName(k: number): string {
  return String.fromCharCode('a'.charCodeAt(0) + k);
}
