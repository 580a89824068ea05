/**
 * Generates a contiguous range of faces of one dataset/split: draws each face, renders and writes its PNG, simulates
 * and writes its OpenFace CSV, and returns the per-row truth for the caller to append, in order, to the streamed outputs.
 * Runs in the calling thread or in a worker (worker.ts); its output depends only on its arguments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Split } from '@ldl-alsg/datasets';
import { argmaxRow, CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { DOMAINS, type SynthferDataset } from './domains';
import { faceRng, sampleFace } from './face-sample';
import { NUM_POINTS, toOpenFaceOrder } from './face-shape';
import { formatOpenFaceCsv, LOW_CONFIDENCE, observeFace } from './observation';
import { encodePngGray } from './png';
import { renderFace } from './render';

export interface ChunkJob {
  seed: number;
  dataset: SynthferDataset;
  split: Split;
  start: number;
  end: number;
  size: number;
  render: boolean;
  openface: boolean;
  outDir: string;
}

export interface ChunkResult {
  n: number;
  latent: Float32Array;
  au: Float32Array;
  landmarks: Float32Array;
  /** CSV lines (no header) for manifest.csv and truth/annotations.csv. */
  manifestLines: string;
  annotationLines: string;
  /** Per-row published label and latent argmax, dominant class, OpenFace outcome (0 no CSV, 1 ok, 2 low confidence), faces in CSV. */
  labels: Int32Array;
  argmax: Int32Array;
  dominant: Int32Array;
  outcome: Int32Array;
  faces: Int32Array;
  missProbability: Float64Array;
  /** Bytes written (PNG + CSV). */
  bytes: number;
}

/** Columns of truth/annotations.csv (one row per face, manifest order). */
export const ANNOTATION_COLUMNS = [
  'id', 'dataset', 'split', 'subject', 'dominant', 'partner', 'label', 'latent_argmax', 'ambiguity', 'intensity',
  'yaw_deg', 'pitch_deg', 'roll_deg', 'resolution', 'occluder', 'openface_faces', 'openface_confidence', 'miss_probability',
] as const;

/** Id of face `index` of a dataset/split: `<dataset>-<split>-<index, 6 digits>`. */
export function faceId(dataset: string, split: string, index: number): string {
  return `${dataset}-${split}-${String(index).padStart(6, '0')}`;
}

/** Image path of a face relative to the output folder. */
export function imagePath(dataset: string, split: string, id: string): string {
  return `images/${dataset}/${split}/${id}.png`;
}

/** Generates faces [job.start, job.end) of one dataset/split, writing their PNGs and CSVs; returns their truth rows. */
export function runChunk(job: ChunkJob): ChunkResult {
  const spec = DOMAINS[job.dataset];
  const n = job.end - job.start;
  const res: ChunkResult = {
    n,
    latent: new Float32Array(n * NUM_CLASSES),
    au: new Float32Array(n * 17),
    landmarks: new Float32Array(n * 2 * NUM_POINTS),
    manifestLines: '',
    annotationLines: '',
    labels: new Int32Array(n),
    argmax: new Int32Array(n),
    dominant: new Int32Array(n),
    outcome: new Int32Array(n),
    faces: new Int32Array(n),
    missProbability: new Float64Array(n),
    bytes: 0,
  };
  const imgDir = join(job.outDir, 'images', job.dataset, job.split);
  const ofDir = join(job.outDir, 'openface');
  if (job.render) mkdirSync(imgDir, { recursive: true });
  if (job.openface) mkdirSync(ofDir, { recursive: true });
  const manifest: string[] = [];
  const annotations: string[] = [];
  const deg = 180 / Math.PI;
  for (let k = 0; k < n; k++) {
    const index = job.start + k;
    const id = faceId(job.dataset, job.split, index);
    const face = sampleFace(job.seed, spec, job.split, index, job.size);
    for (let c = 0; c < NUM_CLASSES; c++) res.latent[k * NUM_CLASSES + c] = face.latent[c];
    const am = argmaxRow(face.latent, 0, NUM_CLASSES);
    for (let j = 0; j < 17; j++) res.au[k * 17 + j] = face.au[j];
    toOpenFaceOrder(face.points, res.landmarks, k * 2 * NUM_POINTS);
    if (job.render) {
      const png = encodePngGray(renderFace(face, job.size, faceRng(job.seed, job.dataset, job.split, index, 'render')), job.size, job.size);
      writeFileSync(join(imgDir, `${id}.png`), png);
      res.bytes += png.length;
    }
    // The extractor's view is simulated even when no CSV is written, so the truth table is the same either way.
    const obs = observeFace(faceRng(job.seed, job.dataset, job.split, index, 'openface'), face, spec.extractor, job.size);
    if (job.openface && obs.faces.length > 0) {
      const csv = formatOpenFaceCsv(obs);
      writeFileSync(join(ofDir, `${id}.csv`), csv);
      res.bytes += csv.length;
    }
    const conf = obs.faces.length > 0 ? obs.faces[0].confidence : 0;
    res.outcome[k] = obs.faces.length === 0 ? 0 : conf < LOW_CONFIDENCE ? 2 : 1;
    res.faces[k] = obs.faces.length;
    res.missProbability[k] = obs.missProbability;
    res.labels[k] = face.label;
    res.argmax[k] = am;
    res.dominant[k] = face.dominant;
    const label = CLASSES[face.label];
    manifest.push([id, imagePath(job.dataset, job.split, id), label, job.dataset, job.split, spec.domain, face.subject, label].join(','));
    annotations.push(
      [
        id, job.dataset, job.split, face.subject, CLASSES[face.dominant], face.partner >= 0 ? CLASSES[face.partner] : '', label, CLASSES[am],
        face.ambiguity.toFixed(4), face.intensity.toFixed(4), (face.pose.yaw * deg).toFixed(2), (face.pose.pitch * deg).toFixed(2),
        (face.pose.roll * deg).toFixed(2), Number.isFinite(face.capture.resolution) ? face.capture.resolution.toFixed(1) : '',
        face.capture.occluder, obs.faces.length, obs.faces.length > 0 ? conf.toFixed(3) : '', obs.missProbability.toFixed(4),
      ].join(','),
    );
  }
  res.manifestLines = manifest.length ? manifest.join('\n') + '\n' : '';
  res.annotationLines = annotations.length ? annotations.join('\n') + '\n' : '';
  return res;
}
