/**
 * Options of the synthetic benchmark, their defaults, the size profiles, and a JSON-schema description (the ingest
 * stage feeds it into its parameter schema so editors show the same text).
 */
import { AlsgError } from '@ldl-alsg/common';
import { DOMAINS, SYNTHFER_DATASETS, type SynthferDataset } from './domains';

export type SynthferProfile = 'smoke' | 'default' | 'paper-graph';

export interface SynthferOptions {
  /** Size profile: `smoke` (~3k images, seconds), `default` (~36k, the tables' embedded default), `paper-graph` (300k training images). Default `default`. */
  profile?: SynthferProfile;
  /** Random seed; the same seed and options give byte-identical output. Default 1. */
  seed?: number;
  /** Image side in pixels (square, greyscale). Default 64. Landmarks are in this image's pixel coordinates. */
  imageSize?: number;
  /** Which datasets to generate (default all seven, in canonical order). */
  datasets?: SynthferDataset[];
  /** Per dataset/split image counts overriding the profile, keyed `"<dataset>/<split>"`, e.g. `{"raf-syn/train": 5000}`. */
  sizes?: Record<string, number>;
  /** Render PNG images. Default true (false for `paper-graph`, whose graph benchmark needs no pixels). */
  render?: boolean;
  /** Write OpenFace CSVs (`openface/<id>.csv`). Default true. */
  openface?: boolean;
  /** Worker threads rendering in parallel (0 = in the calling thread). Default: min(2, CPUs - 0) when rendering >= 2000 images, else 0. Output does not depend on it. */
  workers?: number;
}

/** Images per `<dataset>/<split>` for each profile. */
export const SYNTHFER_PROFILES: Record<SynthferProfile, Record<string, number>> = {
  // A few thousand images: enough for every class to appear in every set; generated in seconds.
  smoke: {
    'affectnet-syn/train': 1200, 'affectnet-syn/val': 140, 'affectnet-syn/test': 140, 'raf-syn/train': 800, 'raf-syn/test': 140,
    'sfew-syn/test': 140, 'ckplus-syn/test': 140, 'cfee-syn/test': 140, 'mmi-syn/test': 140, 'oulu-syn/test': 140,
  },
  // The tables' default: 20k training images (AffectNet:RAF 3:2), a 2,000-image validation set (AffectNet-like, the
  // paper validates on AffectNet's) used only to choose the backbone and schedule on the baseline, and 2,000 images per
  // test set, so a test accuracy has a sampling standard error of about 1 point and paired comparisons over the 14,000
  // test images can resolve differences of a few tenths (docs/synthfer.md).
  default: {
    'affectnet-syn/train': 12000, 'affectnet-syn/val': 2000, 'affectnet-syn/test': 2000, 'raf-syn/train': 8000, 'raf-syn/test': 2000,
    'sfew-syn/test': 2000, 'ckplus-syn/test': 2000, 'cfee-syn/test': 2000, 'mmi-syn/test': 2000, 'oulu-syn/test': 2000,
  },
  // The paper's scale: ~280k AffectNet + 12,271 RAF training images = 300,000, test sets at their real sizes.
  'paper-graph': {
    'affectnet-syn/train': 287729, 'affectnet-syn/val': 3500, 'affectnet-syn/test': 3500, 'raf-syn/train': 12271, 'raf-syn/test': 3068,
    'sfew-syn/test': 406, 'ckplus-syn/test': 636, 'cfee-syn/test': 1610, 'mmi-syn/test': 1200, 'oulu-syn/test': 2000,
  },
};

/** JSON-schema description of {@link SynthferOptions} (draft-07 style; `additionalProperties: false`). */
export const SYNTHFER_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    profile: { enum: ['smoke', 'default', 'paper-graph'], default: 'default', description: 'Size profile: smoke (~3k images, seconds), default (~36k, the tables\' embedded default), paper-graph (300k training images).' },
    seed: { type: 'integer', default: 1, description: 'Random seed; the same seed and options give byte-identical output.' },
    imageSize: { type: 'integer', minimum: 32, maximum: 512, default: 64, description: 'Image side in pixels (square, greyscale); landmarks are in its pixel coordinates.' },
    datasets: { type: 'array', items: { enum: [...SYNTHFER_DATASETS] }, uniqueItems: true, description: 'Which synthetic datasets to generate (default all seven).' },
    sizes: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, description: 'Image counts per "<dataset>/<split>" overriding the profile, e.g. {"raf-syn/train": 5000}.' },
    render: { type: 'boolean', description: 'Render PNG images (default true; false for paper-graph).' },
    openface: { type: 'boolean', default: true, description: 'Write OpenFace FaceLandmarkImg CSVs (openface/<id>.csv).' },
    workers: { type: 'integer', minimum: 0, maximum: 16, description: 'Worker threads for rendering (0 = none). Output does not depend on it.' },
  },
} as const;

export interface ResolvedOptions {
  profile: SynthferProfile;
  seed: number;
  imageSize: number;
  datasets: SynthferDataset[];
  /** Ordered plan: one entry per dataset/split with its image count. */
  plan: { dataset: SynthferDataset; split: 'train' | 'val' | 'test'; count: number }[];
  render: boolean;
  openface: boolean;
  workers: number;
}

/** Checks options and fills defaults; errors name the option and what was expected. */
export function resolveSynthferOptions(options: SynthferOptions = {}, cpus = 2): ResolvedOptions {
  const profile = options.profile ?? 'default';
  if (!(profile in SYNTHFER_PROFILES)) throw new AlsgError('E_CONFIG', `synthfer: profile must be one of smoke, default, paper-graph, but got "${profile}"`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new AlsgError('E_CONFIG', `synthfer: seed must be an integer, but got ${seed}`);
  const imageSize = options.imageSize ?? 64;
  if (!Number.isInteger(imageSize) || imageSize < 32 || imageSize > 512) throw new AlsgError('E_CONFIG', `synthfer: imageSize must be an integer in 32..512, but got ${imageSize}`);
  const datasets = options.datasets ?? [...SYNTHFER_DATASETS];
  for (const d of datasets) if (!SYNTHFER_DATASETS.includes(d)) throw new AlsgError('E_CONFIG', `synthfer: datasets: unknown dataset "${d}" (expected one of ${SYNTHFER_DATASETS.join(', ')})`);
  const sizes = { ...SYNTHFER_PROFILES[profile], ...(options.sizes ?? {}) };
  for (const [key, n] of Object.entries(options.sizes ?? {})) {
    const [ds, split] = key.split('/');
    const spec = DOMAINS[ds as SynthferDataset];
    if (!spec || !(spec.splits as readonly string[]).includes(split)) {
      const valid = SYNTHFER_DATASETS.flatMap((d) => DOMAINS[d].splits.map((s) => `${d}/${s}`));
      throw new AlsgError('E_CONFIG', `synthfer: sizes: key must be one of ${valid.join(', ')}, but got "${key}"`);
    }
    if (!Number.isInteger(n) || n < 0) throw new AlsgError('E_CONFIG', `synthfer: sizes["${key}"] must be a non-negative integer, but got ${n}`);
  }
  const ordered = SYNTHFER_DATASETS.filter((d) => datasets.includes(d));
  const plan = ordered.flatMap((dataset) => DOMAINS[dataset].splits.map((split) => ({ dataset, split, count: sizes[`${dataset}/${split}`] ?? 0 })));
  const render = options.render ?? profile !== 'paper-graph';
  const openface = options.openface ?? true;
  const total = plan.reduce((s, p) => s + p.count, 0);
  const workers = options.workers ?? (render && total >= 2000 ? Math.min(2, cpus) : 0);
  if (!Number.isInteger(workers) || workers < 0 || workers > 16) throw new AlsgError('E_CONFIG', `synthfer: workers must be an integer in 0..16, but got ${workers}`);
  return { profile, seed, imageSize, datasets: ordered, plan, render, openface, workers };
}
