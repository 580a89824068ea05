/**
 * What OpenFace's FaceLandmarkImg would report for a synthetic image: a detection (or none), a confidence, noisy
 * landmarks and AU intensities, AU presence, and now and then a spurious second face. Written in the exact column layout
 * of `-2Dfp -aus` (shared/reference/openface.md): face, confidence, x_0..x_67, y_0..y_67, AUxx_r (17), AUxx_c (18, AU28
 * included, in OpenFace's numeric order).
 *
 * Difficulty d of an image (0 = ideal): |yaw| beyond 20 degrees, low source resolution, blur, occlusion, NIR look.
 *   P(no face)  = min(0.95, missBase + 0.6 * max(0, |yaw| - 40) / 35 + 0.08 * occluded + 0.25 * max(0, 20 / res - 1))
 *   confidence  = clip(0.97 - 0.3 d + N(0, 0.05^2), 0.05, 0.99); a row below 0.5 is a tracking failure whose landmarks
 *                 and AUs carry 4x the noise.
 *   AU_r        = clip((1 - 0.15 min(d, 1)) au + N(0, (auNoise (1 + d) m_j)^2), 0, 5), m_j per-AU (unreliable AUs noisier)
 *   landmarks   = truth + N(0, (landmarkNoise * IOD * (1 + d))^2) per coordinate.
 */
import type { Rng } from '@ldl-alsg/common';
import { AU_IDS } from '@ldl-alsg/labels';
import type { ExtractorSpec } from './domains';
import { interOcular, type FaceSample } from './face-sample';
import { NUM_POINTS } from './face-shape';

/**
 * Per-AU reliability of OpenFace 2.0's intensity estimates, approximately the concordance reported by Baltrusaitis et al.
 * (2018, FG, DISFA/BP4D): well-estimated AUs (12, 25) get less noise than poorly estimated ones (20, 15, 23, 14).
 */
export const AU_RELIABILITY: Record<string, number> = {
  '01': 0.64, '02': 0.5, '04': 0.7, '05': 0.67, '06': 0.59, '07': 0.55, '09': 0.54, '10': 0.7, '12': 0.85,
  '14': 0.5, '15': 0.39, '17': 0.49, '20': 0.22, '23': 0.45, '25': 0.85, '26': 0.67, '45': 0.7,
};
const NOISE_MULT = AU_IDS.map((id) => 0.5 + 1.5 * (1 - AU_RELIABILITY[id]));

/** Confidence below which a row counts as a tracking failure (the extract stage's default `minConfidence`). */
export const LOW_CONFIDENCE = 0.5;

/** The 18 AU presence columns of OpenFace (the 17 intensity AUs plus AU28, numeric order). */
export const AU_PRESENCE_IDS = ['01', '02', '04', '05', '06', '07', '09', '10', '12', '14', '15', '17', '20', '23', '25', '26', '28', '45'] as const;

/** Header of a FaceLandmarkImg CSV written with `-2Dfp -aus`. */
export const OPENFACE_COLUMNS: readonly string[] = [
  'face',
  'confidence',
  ...Array.from({ length: NUM_POINTS }, (_, i) => `x_${i}`),
  ...Array.from({ length: NUM_POINTS }, (_, i) => `y_${i}`),
  ...AU_IDS.map((id) => `AU${id}_r`),
  ...AU_PRESENCE_IDS.map((id) => `AU${id}_c`),
];

export interface ObservedFace {
  confidence: number;
  /** [136] OpenFace order x_0..x_67, y_0..y_67. */
  landmarks: Float32Array;
  /** [17] AU intensities. */
  au: Float32Array;
  /** [18] presence 0/1 (AU28 at index 16). */
  presence: Uint8Array;
}

export interface Observation {
  /** Difficulty d of the image. */
  difficulty: number;
  /** Probability that no face is found (for tests of the failure rates). */
  missProbability: number;
  /** Detected faces, best first in the file order OpenFace uses (face 0 = the real face); empty = no CSV. */
  faces: ObservedFace[];
}

/** Difficulty of a face's image for a landmark/AU extractor (0 = frontal, sharp, unoccluded). */
export function imageDifficulty(face: FaceSample, size: number): number {
  const yaw = Math.abs(face.pose.yaw) * (180 / Math.PI);
  const res = Math.min(face.capture.resolution, size) * (64 / size);
  return (
    Math.max(0, yaw - 20) / 40 +
    Math.max(0, 32 / res - 1) * 0.6 +
    (face.capture.blur * 64) / size / 2 +
    (face.capture.occluder > 0 ? 0.5 : 0) +
    (face.capture.nir ? 0.2 : 0) +
    Math.max(0, 0.6 - face.capture.contrast)
  );
}

function observeAus(rng: Rng, au: ArrayLike<number>, spec: ExtractorSpec, d: number, failed: boolean): Float32Array {
  const out = new Float32Array(au.length);
  const gain = 1 - 0.15 * Math.min(d, 1);
  const sd = spec.auNoise * (1 + d) * (failed ? 4 : 1);
  for (let j = 0; j < out.length; j++) {
    const v = gain * au[j] + rng.normal(0, sd * NOISE_MULT[j]);
    out[j] = v < 0 ? 0 : v > 5 ? 5 : v;
  }
  return out;
}

function presenceOf(rng: Rng, au: Float32Array): Uint8Array {
  const out = new Uint8Array(AU_PRESENCE_IDS.length);
  for (let c = 0; c < AU_PRESENCE_IDS.length; c++) {
    const id = AU_PRESENCE_IDS[c];
    const j = AU_IDS.indexOf(id as (typeof AU_IDS)[number]);
    // OpenFace's presence classifiers are separate models: they mostly agree with intensity >= 1, with ~5% disagreement.
    const present = j >= 0 ? au[j] >= 1 : rng.uniform() < 0.03;
    out[c] = (rng.uniform() < 0.05 ? !present : present) ? 1 : 0;
  }
  return out;
}

/** Simulates OpenFace on one face. `rng` is the face's 'openface' stream. */
export function observeFace(rng: Rng, face: FaceSample, spec: ExtractorSpec, size: number): Observation {
  const d = imageDifficulty(face, size);
  const yaw = Math.abs(face.pose.yaw) * (180 / Math.PI);
  const res = Math.min(face.capture.resolution, size) * (64 / size);
  const missProbability = Math.min(
    0.95,
    spec.missBase + (0.6 * Math.max(0, yaw - 40)) / 35 + (face.capture.occluder > 0 ? 0.08 : 0) + 0.25 * Math.max(0, 20 / res - 1),
  );
  const missed = rng.uniform() < missProbability;
  const confidence = Math.min(0.99, Math.max(0.05, 0.97 - 0.3 * d + rng.normal(0, 0.05)));
  const second = rng.uniform() < spec.secondFace;
  if (missed) return { difficulty: d, missProbability, faces: [] };
  const failed = confidence < LOW_CONFIDENCE;
  const iod = interOcular(face.points);
  const lsd = spec.landmarkNoise * iod * (1 + d) * (failed ? 4 : 1);
  const landmarks = new Float32Array(2 * NUM_POINTS);
  // A failed fit drifts as a whole as well as point by point.
  const driftX = failed ? rng.normal(0, 0.3 * iod) : 0;
  const driftY = failed ? rng.normal(0, 0.3 * iod) : 0;
  for (let i = 0; i < NUM_POINTS; i++) {
    landmarks[i] = face.points[2 * i] + driftX + rng.normal(0, lsd);
    landmarks[NUM_POINTS + i] = face.points[2 * i + 1] + driftY + rng.normal(0, lsd);
  }
  const au = observeAus(rng, face.au, spec, d, failed);
  const faces: ObservedFace[] = [{ confidence, landmarks, au, presence: presenceOf(rng, au) }];
  if (second) {
    // A spurious detection (background clutter taken for a small face): low confidence, unrelated landmarks.
    const s = rng.range(0.2, 0.4) * size;
    const cx = rng.range(0.1, 0.9) * size;
    const cy = rng.range(0.1, 0.9) * size;
    const lm = new Float32Array(2 * NUM_POINTS);
    for (let i = 0; i < NUM_POINTS; i++) {
      lm[i] = cx + (face.points[2 * i] - face.pose.tx) * (s / face.pose.scale) + rng.normal(0, 0.05 * s);
      lm[NUM_POINTS + i] = cy + (face.points[2 * i + 1] - face.pose.ty) * (s / face.pose.scale) + rng.normal(0, 0.05 * s);
    }
    const sau = new Float32Array(AU_IDS.length);
    for (let j = 0; j < sau.length; j++) sau[j] = Math.max(0, rng.normal(0.3, 0.5));
    faces.push({ confidence: Math.max(0.02, confidence * rng.range(0.2, 0.6)), landmarks: lm, au: sau, presence: presenceOf(rng, sau) });
  }
  return { difficulty: d, missProbability, faces };
}

/** Formats an observation as a FaceLandmarkImg CSV (OpenFace's ", " separator; landmarks 1 decimal, AUs 2). */
export function formatOpenFaceCsv(obs: Observation): string {
  const lines = [OPENFACE_COLUMNS.join(', ')];
  obs.faces.forEach((f, k) => {
    const cells: string[] = [String(k), f.confidence.toFixed(3)];
    for (let i = 0; i < 2 * NUM_POINTS; i++) cells.push(f.landmarks[i].toFixed(1));
    for (let j = 0; j < f.au.length; j++) cells.push(f.au[j].toFixed(2));
    for (let c = 0; c < f.presence.length; c++) cells.push(f.presence[c] ? '1' : '0');
    lines.push(cells.join(', '));
  });
  return lines.join('\n') + '\n';
}
