/**
 * The geometric face model of synthfer: a 3-D mean shape of the 68 iBUG points, identity shape variation, one displacement
 * field per action unit, and head pose / scale / translation into image pixels.
 *
 * Face units: the mean shape spans about 0.9 units from ear to ear (x) and 0.9 from brow to chin (y), origin between the
 * eyes at nose-bridge height, y pointing down (image convention), z pointing towards the camera.
 */
import type { Rng } from '@ldl-alsg/common';
import { AU_IDS } from '@ldl-alsg/labels';

/**
 * Mean 2-D iBUG-68 shape (x, y in [0, 1.06]), the public mean of dlib's 68-point predictor as shipped in CMU OpenFace's
 * `align_dlib.py` TEMPLATE (Amos et al. 2016, Apache-2.0). Used as the average face; the mouth is closed below.
 */
const TEMPLATE: readonly number[] = [
  0.0792, 0.3392, 0.0829, 0.457, 0.0968, 0.5756, 0.1221, 0.6919, 0.1687, 0.8003, 0.2398, 0.8957, 0.3257, 0.9771, 0.4223, 1.0433,
  0.5318, 1.0608, 0.6413, 1.0398, 0.7381, 0.9723, 0.8244, 0.8896, 0.8948, 0.7925, 0.9394, 0.6815, 0.9611, 0.5622, 0.9706, 0.4418,
  0.9712, 0.3221, 0.1638, 0.2492, 0.2178, 0.2043, 0.2913, 0.1924, 0.3675, 0.2036, 0.4393, 0.2331, 0.5864, 0.2281, 0.6602, 0.1959,
  0.7375, 0.1824, 0.8132, 0.1928, 0.8708, 0.2353, 0.5153, 0.3186, 0.5162, 0.3962, 0.5171, 0.4738, 0.5182, 0.5532, 0.4337, 0.6041,
  0.4755, 0.6208, 0.5207, 0.6343, 0.5659, 0.6188, 0.6071, 0.6016, 0.2524, 0.3311, 0.2987, 0.3026, 0.3557, 0.303, 0.4037, 0.3387,
  0.3525, 0.35, 0.2968, 0.3505, 0.6313, 0.3341, 0.6791, 0.2965, 0.736, 0.2947, 0.7829, 0.3213, 0.7403, 0.3418, 0.685, 0.3437,
  0.3532, 0.7462, 0.4146, 0.7191, 0.4777, 0.7068, 0.5227, 0.7171, 0.5698, 0.7054, 0.6352, 0.7157, 0.6995, 0.7394, 0.6394, 0.8052,
  0.5764, 0.8354, 0.5254, 0.8417, 0.4764, 0.8375, 0.4138, 0.81, 0.3801, 0.75, 0.478, 0.7451, 0.5234, 0.7489, 0.5711, 0.7433,
  0.6724, 0.7442, 0.5725, 0.7766, 0.524, 0.7834, 0.4776, 0.7785,
];

/** Landmarks per face (iBUG-68). */
export const NUM_POINTS = 68;
/** Index ranges of the iBUG-68 parts. */
export const PARTS = {
  jaw: [0, 17],
  browRight: [17, 22],
  browLeft: [22, 27],
  noseBridge: [27, 31],
  nostrils: [31, 36],
  eyeRight: [36, 42],
  eyeLeft: [42, 48],
  outerLip: [48, 60],
  innerLip: [60, 68],
} as const;

/** Heuristic depth (z, face units, towards the camera) of each point: a rounded face with a protruding nose. */
function depthOf(i: number, x: number): number {
  if (i < 17) return 0.34 * Math.sqrt(Math.max(0, 1 - (x / 0.47) ** 2)) - 0.24;
  if (i < 27) return 0.14 - 0.5 * x * x;
  if (i < 31) return 0.14 + 0.08 * (i - 27);
  if (i < 36) return i === 33 ? 0.26 : 0.2 - Math.abs(x) * 0.6;
  if (i < 48) return 0.1 - 0.8 * (Math.abs(x) - 0.12) ** 2;
  return 0.2 - 2.2 * x * x;
}

/** The 3-D mean shape, [68 * 3] (x, y, z interleaved), centred between the eyes; the mouth closed. */
export const MEAN_SHAPE: Float64Array = (() => {
  const out = new Float64Array(NUM_POINTS * 3);
  const cx = 0.518;
  const cy = 0.33;
  for (let i = 0; i < NUM_POINTS; i++) {
    const x = TEMPLATE[2 * i] - cx;
    const y = TEMPLATE[2 * i + 1] - cy;
    out[3 * i] = x;
    out[3 * i + 1] = y;
    out[3 * i + 2] = depthOf(i, x);
  }
  // Close the mouth at rest: the inner lips meet on the line between the upper and lower inner lip (the template is an
  // average over faces with open mouths, so its lips part slightly).
  const pairs = [[61, 67], [62, 66], [63, 65]];
  for (const [u, l] of pairs) {
    const mid = (out[3 * u + 1] + out[3 * l + 1]) / 2;
    out[3 * u + 1] = mid;
    out[3 * l + 1] = mid;
  }
  return out;
})();

/**
 * Displacement per AU at full intensity (5), face units, as [point, dx, dy] triples for the right half of the face
 * (image left); each is mirrored to the left half by the symmetric partner below. Directions follow the FACS Manual's
 * appearance changes (Ekman, Friesen & Hager 2002): e.g. AU12 pulls the lip corners up and out, AU26 drops the jaw.
 */
const AU_FIELDS: Record<string, number[]> = {
  // AU1 inner brow raiser: inner brow ends up, outer ends barely.
  '01': [21, 0, -0.09, 20, 0, -0.065, 19, 0, -0.03],
  // AU2 outer brow raiser: outer brow up.
  '02': [17, 0, -0.085, 18, 0, -0.08, 19, 0, -0.05, 20, 0, -0.02],
  // AU4 brow lowerer: brows down and drawn together; upper lid lowered slightly.
  '04': [17, 0, 0.04, 18, 0.01, 0.05, 19, 0.02, 0.06, 20, 0.035, 0.07, 21, 0.045, 0.075, 37, 0, 0.012, 38, 0, 0.015],
  // AU5 upper lid raiser: upper lid up, eye widens.
  '05': [37, 0, -0.035, 38, 0, -0.035, 36, -0.004, -0.005, 39, 0, -0.004],
  // AU6 cheek raiser: lower lid pushed up, outer eye corner narrowed, lip corners lifted a little.
  '06': [40, 0, -0.022, 41, 0, -0.026, 36, 0.004, -0.008, 48, 0, -0.01, 1, 0.005, -0.01, 2, 0.005, -0.01],
  // AU7 lid tightener: lower lid up and straightened, upper lid slightly down.
  '07': [40, 0, -0.028, 41, 0, -0.03, 37, 0, 0.01, 38, 0, 0.01],
  // AU9 nose wrinkler: nostril wings up, inner brows pulled down, upper lip up a little.
  '09': [31, -0.01, -0.035, 32, 0, -0.03, 33, 0, -0.025, 21, 0.01, 0.03, 20, 0, 0.015, 50, 0, -0.02, 51, 0, -0.02, 61, 0, -0.015, 62, 0, -0.015],
  // AU10 upper lip raiser: upper lip up (more laterally), nostrils lifted.
  '10': [49, 0, -0.055, 50, 0, -0.05, 51, 0, -0.04, 61, 0, -0.05, 62, 0, -0.045, 31, 0, -0.012, 32, 0, -0.008, 48, 0, -0.015, 60, 0, -0.02],
  // AU12 lip corner puller: corners up and out; the lips follow.
  '12': [48, -0.075, -0.06, 60, -0.06, -0.055, 49, -0.035, -0.03, 59, -0.035, -0.018, 61, -0.025, -0.025, 67, -0.025, -0.012, 50, -0.01, -0.008, 58, -0.01, -0.004],
  // AU14 dimpler: corners tightened inwards-backwards (slightly out in 2-D) and up a little.
  '14': [48, -0.02, -0.01, 60, -0.015, -0.01, 49, -0.006, 0, 59, -0.006, 0],
  // AU15 lip corner depressor: corners down.
  '15': [48, 0.01, 0.06, 60, 0.008, 0.05, 49, 0, 0.02, 59, 0, 0.03, 61, 0, 0.012, 67, 0, 0.02],
  // AU17 chin raiser: lower lip and chin pushed up; lower lip protrudes, the mouth line curves down.
  '17': [55, 0, -0.03, 56, 0, -0.035, 57, 0, -0.04, 65, 0, -0.01, 66, 0, -0.012, 7, 0, -0.03, 8, 0, -0.035, 6, 0, -0.015, 48, 0, 0.012],
  // AU20 lip stretcher: corners pulled sideways (horizontally), lips flattened.
  '20': [48, -0.07, 0.012, 60, -0.06, 0.01, 49, -0.035, 0.005, 59, -0.035, 0, 61, -0.02, 0, 67, -0.02, 0, 4, -0.005, 0.005],
  // AU23 lip tightener: lips narrowed and thinned, red parts less visible.
  '23': [48, 0.02, 0, 60, 0.018, 0, 49, 0.01, 0.012, 50, 0, 0.015, 51, 0, 0.015, 59, 0.01, -0.012, 58, 0, -0.015, 57, 0, -0.015],
  // AU25 lips part: lower inner lip down, upper inner lip slightly up.
  '25': [65, 0, 0.045, 66, 0, 0.05, 67, 0, 0.045, 55, 0, 0.025, 56, 0, 0.03, 57, 0, 0.03, 61, 0, -0.01, 62, 0, -0.012],
  // AU26 jaw drop: lower lip, chin and lower jaw move down.
  '26': [
    65, 0, 0.1, 66, 0, 0.11, 67, 0, 0.1, 55, 0, 0.1, 56, 0, 0.11, 57, 0, 0.12, 59, 0, 0.1, 48, 0.01, 0.03, 60, 0.008, 0.03, 8, 0, 0.12, 7, 0, 0.11, 6, 0.005, 0.09,
    5, 0.008, 0.07, 4, 0.008, 0.045, 3, 0.005, 0.02,
  ],
  // AU45 blink is applied geometrically (upper lid onto lower lid) in applyAus.
  '45': [],
};

/** Mirror partner of each point (iBUG-68 left-right symmetry). */
export const MIRROR: Int32Array = (() => {
  const m = new Int32Array(NUM_POINTS);
  for (let i = 0; i < NUM_POINTS; i++) m[i] = i;
  const pairs: [number, number][] = [
    ...Array.from({ length: 8 }, (_, k) => [k, 16 - k] as [number, number]),
    ...Array.from({ length: 5 }, (_, k) => [17 + k, 26 - k] as [number, number]),
    [31, 35], [32, 34], [36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46],
    [48, 54], [49, 53], [50, 52], [59, 55], [58, 56], [60, 64], [61, 63], [67, 65],
  ];
  for (const [a, b] of pairs) {
    m[a] = b;
    m[b] = a;
  }
  return m;
})();

/**
 * Overall gain of the displacement fields: at 64x64 the FACS-proportioned movements above were too small to see, so they
 * were scaled once, by eye on the contact sheet, before any method was trained (a rendering choice, not a result tuning).
 */
const FIELD_GAIN = 1.3;

/** Dense per-AU displacement fields [17][68*2], mirrored to both halves (dx flips sign on the mirror side). */
export const AU_DISPLACEMENT: Float64Array[] = AU_IDS.map((id) => {
  const field = new Float64Array(NUM_POINTS * 2);
  const triples = AU_FIELDS[id];
  for (let t = 0; t < triples.length; t += 3) {
    const p = triples[t];
    const q = MIRROR[p];
    field[2 * p] = FIELD_GAIN * triples[t + 1];
    field[2 * p + 1] = FIELD_GAIN * triples[t + 2];
    if (q !== p) {
      field[2 * q] = -FIELD_GAIN * triples[t + 1];
      field[2 * q + 1] = FIELD_GAIN * triples[t + 2];
    } else {
      field[2 * p] = 0;
    }
  }
  return field;
});

/** Person-specific face geometry and appearance, drawn once per subject. */
export interface Identity {
  /** 3-D neutral shape of this person [68*3]. */
  shape: Float64Array;
  /** Skin grey level 0..1. */
  skin: number;
  /** Hair / brow grey level 0..1. */
  hair: number;
  /** Hairline height above the brows, face units. */
  hairline: number;
  /** Lip darkness relative to skin (0..1 of skin). */
  lip: number;
  /** Resting AU activation (person-specific baseline, 0..5) [17]. */
  auBaseline: Float64Array;
}

/**
 * Draws an identity: global proportions (face width/height, eye spacing and size, brow height, nose length, mouth width,
 * lip thickness, jaw width; each a few per cent, as in anthropometric surveys, Farkas 1994) plus small per-point jitter,
 * and a sparse resting AU baseline (some people rest with lowered brows or down-turned corners).
 */
export function sampleIdentity(rng: Rng): Identity {
  const shape = Float64Array.from(MEAN_SHAPE);
  const faceW = 1 + rng.normal(0, 0.05);
  const faceH = 1 + rng.normal(0, 0.05);
  const eyeSpread = rng.normal(0, 0.015);
  const eyeSize = 1 + rng.normal(0, 0.1);
  const browLift = rng.normal(0, 0.018);
  const noseLen = rng.normal(0, 0.02);
  const mouthW = 1 + rng.normal(0, 0.07);
  const lipThick = 1 + rng.normal(0, 0.15);
  const jawW = 1 + rng.normal(0, 0.06);
  const eyeCentre = (a: number, b: number, axis: number) => {
    let s = 0;
    for (let i = a; i < b; i++) s += shape[3 * i + axis];
    return s / (b - a);
  };
  const eyes: [number, number][] = [[36, 42], [42, 48]];
  const centres = eyes.map(([a, b]) => [eyeCentre(a, b, 0), eyeCentre(a, b, 1)]);
  for (let e = 0; e < 2; e++) {
    const [a, b] = eyes[e];
    const [cx, cy] = centres[e];
    for (let i = a; i < b; i++) {
      shape[3 * i] = cx + (shape[3 * i] - cx) * eyeSize + (e === 0 ? -eyeSpread : eyeSpread);
      shape[3 * i + 1] = cy + (shape[3 * i + 1] - cy) * eyeSize;
    }
  }
  for (let i = 17; i < 27; i++) shape[3 * i + 1] -= browLift;
  for (let i = 28; i < 36; i++) shape[3 * i + 1] += noseLen * (i < 31 ? (i - 27) / 3 : 1);
  const mouthCy = (shape[3 * 51 + 1] + shape[3 * 57 + 1]) / 2;
  for (let i = 48; i < 68; i++) {
    shape[3 * i] *= mouthW;
    shape[3 * i + 1] = mouthCy + (shape[3 * i + 1] - mouthCy) * lipThick + noseLen;
  }
  for (let i = 0; i < 17; i++) {
    shape[3 * i] *= jawW;
    if (i >= 4 && i <= 12) shape[3 * i + 1] += noseLen;
  }
  for (let i = 0; i < NUM_POINTS; i++) {
    shape[3 * i] = shape[3 * i] * faceW + rng.normal(0, 0.005);
    shape[3 * i + 1] = shape[3 * i + 1] * faceH + rng.normal(0, 0.005);
  }
  const auBaseline = new Float64Array(AU_IDS.length);
  for (let j = 0; j < auBaseline.length; j++) if (rng.uniform() < 0.12) auBaseline[j] = rng.range(0.2, 1.0);
  return {
    shape,
    skin: rng.range(0.5, 0.82),
    hair: rng.range(0.05, 0.45),
    hairline: rng.range(0.2, 0.32),
    lip: rng.range(0.72, 0.88),
    auBaseline,
  };
}

/**
 * Applies AU intensities (0..5, OpenFace order) to a neutral 3-D shape: the sum of AU displacement fields scaled by
 * intensity / 5, then AU45 (blink) moves each upper lid onto its lower lid. Returns a new [68*3] shape.
 */
export function applyAus(neutral: Float64Array, au: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(neutral);
  for (let j = 0; j < AU_DISPLACEMENT.length; j++) {
    const w = au[j] / 5;
    if (w === 0) continue;
    const field = AU_DISPLACEMENT[j];
    for (let i = 0; i < NUM_POINTS; i++) {
      out[3 * i] += w * field[2 * i];
      out[3 * i + 1] += w * field[2 * i + 1];
    }
  }
  const blink = Math.min(1, Math.max(0, au[AU_IDS.length - 1] / 5));
  if (blink > 0) {
    for (const [u, l] of [[37, 41], [38, 40], [43, 47], [44, 46]]) {
      out[3 * u + 1] += blink * 0.92 * (out[3 * l + 1] - out[3 * u + 1]);
    }
  }
  // A lip cannot pass through the other: keep the lower inner lip at or below the upper one.
  for (const [u, l] of [[61, 67], [62, 66], [63, 65]]) {
    if (out[3 * l + 1] < out[3 * u + 1]) out[3 * l + 1] = out[3 * u + 1];
  }
  return out;
}

/** Head pose and placement of a face in the image. */
export interface Pose {
  /** Rotation about the vertical axis, radians (positive turns the face to the image's right). */
  yaw: number;
  /** Rotation about the horizontal axis, radians (positive tilts the chin down). */
  pitch: number;
  /** In-plane rotation, radians. */
  roll: number;
  /** Pixels per face unit. */
  scale: number;
  /** Image position of the face origin (between the eyes), pixels. */
  tx: number;
  ty: number;
}

/**
 * Rotates a 3-D shape by yaw, pitch, roll and projects it orthographically (weak perspective) into image pixels.
 * `out` receives [n*2] interleaved x, y; the rotated depth goes into `depth` when given (for visibility).
 */
export function projectShape(shape: Float64Array, pose: Pose, out: Float64Array, depth?: Float64Array): Float64Array {
  const cy = Math.cos(pose.yaw), sy = Math.sin(pose.yaw);
  const cp = Math.cos(pose.pitch), sp = Math.sin(pose.pitch);
  const cr = Math.cos(pose.roll), sr = Math.sin(pose.roll);
  const n = shape.length / 3;
  for (let i = 0; i < n; i++) {
    const x = shape[3 * i], y = shape[3 * i + 1], z = shape[3 * i + 2];
    // yaw (about y), then pitch (about x)
    const x1 = cy * x + sy * z;
    const z1 = -sy * x + cy * z;
    const y2 = cp * y - sp * z1;
    const z2 = sp * y + cp * z1;
    // roll in the image plane
    const xr = cr * x1 - sr * y2;
    const yr = sr * x1 + cr * y2;
    out[2 * i] = pose.tx + pose.scale * xr;
    out[2 * i + 1] = pose.ty + pose.scale * yr;
    if (depth) depth[i] = z2;
  }
  return out;
}

/** Converts interleaved [x0,y0,x1,y1,...] points to OpenFace order [x_0..x_67, y_0..y_67] into `out` at `offset`. */
export function toOpenFaceOrder(points: Float64Array, out: Float32Array, offset = 0): void {
  for (let i = 0; i < NUM_POINTS; i++) {
    out[offset + i] = points[2 * i];
    out[offset + NUM_POINTS + i] = points[2 * i + 1];
  }
}
