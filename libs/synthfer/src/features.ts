/**
 * generateSynthferFeatures: the auxiliary label spaces of synthfer without pixels or files, for the paper-scale graph
 * benchmark (300k faces in seconds). Face i here is face i of generateSynthfer with the same seed, dataset and split:
 * the same truth, the same simulated OpenFace observation.
 */
import { AlsgError } from '@ldl-alsg/common';
import type { Split } from '@ldl-alsg/datasets';
import { NUM_CLASSES } from '@ldl-alsg/labels';
import { DOMAINS, SYNTHFER_DATASETS, type SynthferDataset } from './domains';
import { faceRng, sampleFace } from './face-sample';
import { toOpenFaceOrder } from './face-shape';
import { LOW_CONFIDENCE, observeFace } from './observation';

export interface SynthferFeatureOptions {
  /** Number of faces. */
  n: number;
  /** Random seed (same meaning as generateSynthfer's). Default 1. */
  seed?: number;
  /** Synthetic dataset whose domain the faces come from (alias: dataset). Default 'affectnet-syn'. */
  domain?: SynthferDataset;
  dataset?: SynthferDataset;
  /** Split (default the dataset's first: train for the wild training sets, test otherwise). */
  split?: Split;
  /** Image size the landmarks refer to (pixels). Default 64. */
  imageSize?: number;
  /** First face index (for generating in pieces). Default 0. */
  start?: number;
}

export interface SynthferFeatures {
  n: number;
  /** True AU intensities [n*17]. */
  trueAu: Float32Array;
  /** OpenFace-observed AU intensities [n*17]; NaN rows where no face was found. */
  observedAu: Float32Array;
  /** True landmarks [n*136] (x_0..x_67, y_0..y_67). */
  trueLandmarks: Float32Array;
  /** Observed landmarks [n*136]; NaN rows where no face was found. */
  observedLandmarks: Float32Array;
  /** Latent label distributions [n*7]. */
  latent: Float32Array;
  /** Published labels (class index) [n]. */
  labels: Int32Array;
  /** 0 no face, 1 ok, 2 low confidence (< 0.5) [n]. */
  status: Int32Array;
}

/**
 * Generates `options.n` faces of one synthetic dataset/split without pixels or files and returns their true and
 * OpenFace-observed AUs [n*17] and landmarks [n*136] (OpenFace column order), latent distributions [n*7], published
 * labels and extraction status. Deterministic: face i equals face i of generateSynthfer with the same seed.
 */
export function generateSynthferFeatures(options: SynthferFeatureOptions): SynthferFeatures {
  const { n } = options;
  if (!Number.isInteger(n) || n < 0) throw new AlsgError('E_CONFIG', `generateSynthferFeatures: n must be a non-negative integer, but got ${n}`);
  const dataset = options.domain ?? options.dataset ?? 'affectnet-syn';
  const spec = DOMAINS[dataset];
  if (!spec) throw new AlsgError('E_CONFIG', `generateSynthferFeatures: domain must be one of ${SYNTHFER_DATASETS.join(', ')}, but got "${dataset}"`);
  const split = options.split ?? spec.splits[0];
  if (!spec.splits.includes(split)) throw new AlsgError('E_CONFIG', `generateSynthferFeatures: ${dataset} has splits ${spec.splits.join(', ')}, but got "${split}"`);
  const seed = options.seed ?? 1;
  const size = options.imageSize ?? 64;
  const start = options.start ?? 0;
  const out: SynthferFeatures = {
    n,
    trueAu: new Float32Array(n * 17),
    observedAu: new Float32Array(n * 17),
    trueLandmarks: new Float32Array(n * 136),
    observedLandmarks: new Float32Array(n * 136),
    latent: new Float32Array(n * NUM_CLASSES),
    labels: new Int32Array(n),
    status: new Int32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const index = start + k;
    const face = sampleFace(seed, spec, split, index, size);
    for (let j = 0; j < 17; j++) out.trueAu[k * 17 + j] = face.au[j];
    for (let c = 0; c < NUM_CLASSES; c++) out.latent[k * NUM_CLASSES + c] = face.latent[c];
    toOpenFaceOrder(face.points, out.trueLandmarks, k * 136);
    out.labels[k] = face.label;
    const obs = observeFace(faceRng(seed, dataset, split, index, 'openface'), face, spec.extractor, size);
    if (obs.faces.length === 0) {
      out.observedAu.fill(NaN, k * 17, (k + 1) * 17);
      out.observedLandmarks.fill(NaN, k * 136, (k + 1) * 136);
      out.status[k] = 0;
    } else {
      const f = obs.faces[0];
      out.observedAu.set(f.au, k * 17);
      out.observedLandmarks.set(f.landmarks, k * 136);
      out.status[k] = f.confidence < LOW_CONFIDENCE ? 2 : 1;
    }
  }
  return out;
}
