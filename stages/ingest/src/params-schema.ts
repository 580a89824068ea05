/**
 * The ingest stage's parameters: one JSON Schema (with a description and default for every property) that the
 * pipeline engine validates, editors complete, and the CLI turns into flags and --help text.
 */
import { IMAGE_CHECKS, PROTOCOLS, REAL_FORMATS, SPLITS, type IngestOptions, type RealFormat } from '@ldl-alsg/datasets';
import { SYNTHFER_PROPERTIES } from './synthfer-bridge';

export const FORMATS = [...REAL_FORMATS, 'synthfer', 'auto'] as const;
export type IngestFormat = RealFormat | 'synthfer' | 'auto';

/** Properties for real datasets (everything but the generator's options). */
export const REAL_PROPERTIES: Record<string, Record<string, unknown>> = {
  format: {
    enum: [...FORMATS],
    default: 'synthfer',
    description:
      'Dataset format: raf-db, affectnet, fer2013, ferplus, sfew, ckplus, expw, folder (<class>/<image>), csv (path,label[,split,subject]), synthfer (the generated benchmark, the default), or auto (detect a real layout under root). See docs/datasets.md.',
  },
  root: { type: 'string', default: '', description: 'Folder holding the dataset in its original layout (csv: the CSV file or a folder with labels.csv). Required unless format is synthfer.' },
  dataset: {
    type: ['string', 'null'],
    default: null,
    description: "Value of the manifest's dataset column and the id prefix (letters, digits, . _ -). Default: the format's name (raf-db, affectnet, ..., folder, csv).",
  },
  domain: { enum: ['wild', 'lab', null], default: null, description: 'Value of the domain column. Default: wild for raf-db/affectnet/fer2013/ferplus/sfew/expw, lab for ckplus/folder/csv.' },
  split: {
    enum: [...SPLITS, null],
    default: null,
    description: 'Split of every row for sources without splits of their own (ckplus, expw, folder without split folders, csv without a split column). Default: test (expw: train).',
  },
  splitMap: {
    type: 'object',
    additionalProperties: { enum: [...SPLITS, 'skip'] },
    default: {},
    description:
      'Source split name -> train | val | test | skip, merged over the format\'s defaults (affectnet {"training":"train","validation":"test"}, fer2013/ferplus {"Training":"train","PublicTest":"val","PrivateTest":"test"}, sfew {"Train":"train","Val":"test"}, raf-db {"train":"train","test":"test"}). Skipped rows are counted as split-excluded.',
  },
  protocol: {
    enum: [...PROTOCOLS],
    default: 'none',
    description:
      'folder/csv only: the paper\'s frame selection for sequences. ckplus: first frame neutral + last frame expressive; mmi: first two neutral + middle third; oulu: first two neutral + last two fifths; cfee: still images, non-basic class folders skipped; none: every image with its label.',
  },
  imageCheck: {
    enum: [...IMAGE_CHECKS],
    default: 'decode',
    description: 'How images that stay in place are checked: decode (every pixel, finds truncated files), header (fast, misses truncation), none.',
  },
  onBadImage: { enum: ['skip', 'error'], default: 'skip', description: 'A missing or unreadable image: skip it (recorded with its reason, file and line in ingest-report.json) or stop with an error.' },
  rafImages: { enum: ['aligned', 'original'], default: 'aligned', description: 'raf-db: Image/aligned/<name>_aligned.jpg (100x100 aligned faces) or Image/original/<name>.' },
  cropFaces: {
    type: 'boolean',
    default: false,
    description: 'affectnet (CSV release): crop each image to its face_x/face_y/face_width/face_height box, written to images/. Default false: images used as stored.',
  },
  minFaceConfidence: { type: 'number', default: 0, description: 'expw: face boxes with face_box_confidence below this are skipped as low-confidence. Default 0 (keep all).' },
  maxListedSkips: { type: 'integer', minimum: 0, default: 200, description: 'Skipped items listed per reason in ingest-report.json (the counts are always complete).' },
  limit: {
    type: 'integer',
    minimum: 0,
    default: 0,
    description:
      'Keep only the first N rows of each split, in the source\'s order (deterministic), to test the wiring on a real copy in minutes (pipelines/paper/table1.yaml --profile smoke). 0 (default): every row. Rows past the limit are counted in ingest-report.json (notes.limit), not checked or copied.',
  },
};

/** The stage's JSON Schema: real-dataset properties plus the synthetic generator's, as @ldl-alsg/synthfer describes them. */
export const PARAMS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: { ...REAL_PROPERTIES, ...SYNTHFER_PROPERTIES },
};

/** Parameters of the ingest stage (after schema defaults). */
export interface IngestParams {
  format: IngestFormat;
  root: string;
  dataset: string | null;
  domain: 'wild' | 'lab' | null;
  split: IngestOptions['split'] | null;
  splitMap: NonNullable<IngestOptions['splitMap']>;
  protocol: NonNullable<IngestOptions['protocol']>;
  imageCheck: NonNullable<IngestOptions['imageCheck']>;
  onBadImage: 'skip' | 'error';
  rafImages: 'aligned' | 'original';
  cropFaces: boolean;
  minFaceConfidence: number;
  maxListedSkips: number;
  limit: number;
  /** Generator options (synthfer only), as described by @ldl-alsg/synthfer. */
  [synthferOption: string]: unknown;
}

/** The real-dataset options of `params` (null overrides dropped so the format's defaults apply). */
export function toIngestOptions(params: IngestParams): Omit<IngestOptions, 'format'> & { format: RealFormat | 'auto' } {
  return {
    format: params.format as RealFormat | 'auto',
    root: params.root,
    dataset: params.dataset ?? undefined,
    domain: params.domain ?? undefined,
    split: params.split ?? undefined,
    splitMap: params.splitMap,
    protocol: params.protocol,
    imageCheck: params.imageCheck,
    onBadImage: params.onBadImage,
    rafImages: params.rafImages,
    cropFaces: params.cropFaces,
    minFaceConfidence: params.minFaceConfidence,
    maxListedSkips: params.maxListedSkips,
    limit: params.limit,
  };
}
