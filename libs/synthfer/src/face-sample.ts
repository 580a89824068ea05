/**
 * One synthetic face, everything but its pixels: latent distribution, true AUs, identity, pose, true landmarks, capture
 * nuisance, the published label. Each face draws from its own named random streams (seed + dataset/split/index), so a
 * face is the same whether it is generated alone, in a worker, with or without rendering.
 */
import { Rng } from '@ldl-alsg/common';
import { AU_IDS, NUM_CLASSES } from '@ldl-alsg/labels';
import type { Split } from '@ldl-alsg/datasets';
import { annotate } from './annotator';
import { sampleAus } from './au-model';
import type { DomainSpec } from './domains';
import { applyAus, NUM_POINTS, projectShape, sampleIdentity, type Identity, type Pose } from './face-shape';
import { sampleLatent } from './latent';

const DEG = Math.PI / 180;
/** Extra outline points (forehead arc) appended after the 68 landmarks for rendering. */
export const FOREHEAD_POINTS = 9;

/** Capture nuisance of one image (see CaptureSpec), already drawn. Sizes in output pixels. */
export interface CaptureDraw {
  /** Effective source resolution (pixels); >= image size means none. */
  resolution: number;
  blur: number;
  noise: number;
  brightness: number;
  contrast: number;
  /** Direction (radians) and strength of the illumination gradient. */
  lightAngle: number;
  lightStrength: number;
  /** Occluder kind: 0 none, 1 lower-face hand, 2 eye bar (glasses/hair), 3 side object. */
  occluder: number;
  /** Background grey and clutter flag. */
  background: number;
  clutter: boolean;
  nir: boolean;
}

export interface FaceSample {
  index: number;
  dataset: string;
  split: Split;
  subject: string;
  latent: Float64Array;
  dominant: number;
  partner: number;
  ambiguity: number;
  /** Expression intensity multiplier drawn for this face. */
  intensity: number;
  /** True AU intensities [17], OpenFace order, 0..5. */
  au: Float64Array;
  /** True landmarks in output pixels, interleaved x,y [68*2] followed by the forehead arc [9*2]. */
  points: Float64Array;
  /** Depth of each projected point after rotation (larger = nearer). */
  depth: Float64Array;
  pose: Pose;
  identity: Identity;
  capture: CaptureDraw;
  /** Published (annotated) label, class index. */
  label: number;
}

/** The random stream of one face for one purpose ('face', 'render', 'annotator', 'openface'). */
export function faceRng(seed: number, dataset: string, split: Split, index: number, purpose: string): Rng {
  return new Rng(seed, `${purpose}/${dataset}/${split}/${index}`);
}

/** The identity of subject `subject` of a dataset (lab datasets reuse a fixed pool of subjects). */
export function subjectIdentity(seed: number, dataset: string, subject: string): Identity {
  return sampleIdentity(new Rng(seed, `identity/${dataset}/${subject}`));
}

/** Draws the 3-D forehead arc (from the right temple over the hairline to the left temple) of an identity's shape. */
function foreheadArc(identity: Identity): Float64Array {
  const s = identity.shape;
  const x0 = s[0], y0 = s[1], x16 = s[48], y16 = s[49];
  const cx = (x0 + x16) / 2;
  const rx = (x16 - x0) / 2;
  const browTop = Math.min(s[3 * 19 + 1], s[3 * 24 + 1]);
  const top = browTop - identity.hairline;
  const base = (y0 + y16) / 2;
  const out = new Float64Array(FOREHEAD_POINTS * 3);
  for (let t = 0; t < FOREHEAD_POINTS; t++) {
    const theta = (Math.PI * t) / (FOREHEAD_POINTS - 1); // 0 = left side of the image (point 16 side) ... reversed below
    const c = Math.cos(theta);
    const sn = Math.sin(theta);
    out[3 * t] = cx + rx * c * (1 - 0.04 * sn);
    out[3 * t + 1] = base - (base - top) * Math.pow(sn, 0.7);
    out[3 * t + 2] = -0.24 + 0.34 * sn;
  }
  return out;
}

/**
 * Samples face `index` of `spec`/`split` at output size `size` (pixels). `prior` is the split's dominant-class prior.
 * Pure: the same arguments always give the same face.
 */
export function sampleFace(seed: number, spec: DomainSpec, split: Split, index: number, size: number): FaceSample {
  const rng = faceRng(seed, spec.dataset, split, index, 'face');
  const prior = spec.prior[split] ?? spec.prior.test ?? new Array(NUM_CLASSES).fill(1);
  const latent = sampleLatent(rng, spec, prior);
  const subjectNo = spec.subjects > 0 ? rng.int(spec.subjects) : -1;
  const subject = subjectNo >= 0 ? `${spec.dataset}-s${String(subjectNo).padStart(3, '0')}` : `${spec.dataset}-${split}-p${index}`;
  const identity = subjectIdentity(seed, spec.dataset, subject);
  const intensity = Math.max(0.2, rng.normal(spec.intensity[0], spec.intensity[1]));
  const au = sampleAus(rng, latent.p, intensity, identity.auBaseline);
  const cap = spec.capture;
  const k = size / 64;
  // Heavy-tailed yaw (Laplace-like mixture): most faces near frontal, some in profile-ish poses, clipped at 75 degrees.
  const yawDeg = Math.max(-75, Math.min(75, rng.normal(0, cap.yawSd) * (rng.uniform() < 0.15 ? 1.6 : 1)));
  const pose: Pose = {
    yaw: yawDeg * DEG,
    pitch: Math.max(-40, Math.min(40, rng.normal(0, cap.pitchSd))) * DEG,
    roll: Math.max(-35, Math.min(35, rng.normal(0, cap.rollSd))) * DEG,
    scale: Math.max(24, rng.normal(cap.scale[0], cap.scale[1])) * k,
    tx: size / 2 + rng.normal(0, cap.shiftSd) * k,
    ty: size * 0.4 + rng.normal(0, cap.shiftSd) * k,
  };
  const shape = applyAus(identity.shape, au);
  const full = new Float64Array((NUM_POINTS + FOREHEAD_POINTS) * 3);
  full.set(shape, 0);
  full.set(foreheadArc(identity), NUM_POINTS * 3);
  const points = new Float64Array((NUM_POINTS + FOREHEAD_POINTS) * 2);
  const depth = new Float64Array(NUM_POINTS + FOREHEAD_POINTS);
  projectShape(full, pose, points, depth);
  const lowRes = rng.uniform() < cap.lowRes[0];
  const capture: CaptureDraw = {
    resolution: lowRes ? rng.range(cap.lowRes[1], cap.lowRes[2]) * k : Infinity,
    blur: rng.range(cap.blur[0], cap.blur[1]) * k,
    noise: rng.range(cap.noise[0], cap.noise[1]),
    brightness: rng.normal(cap.brightness[0], cap.brightness[1]),
    contrast: rng.range(cap.contrast[0], cap.contrast[1]),
    lightAngle: rng.range(0, 2 * Math.PI),
    lightStrength: rng.range(0, cap.lightGradient),
    occluder: rng.uniform() < cap.occlusion ? 1 + rng.int(3) : 0,
    background: rng.range(0.15, 0.85),
    clutter: cap.clutter,
    nir: cap.nir,
  };
  const label = annotate(faceRng(seed, spec.dataset, split, index, 'annotator'), spec.annotator, latent.p, latent.dominant);
  return {
    index,
    dataset: spec.dataset,
    split,
    subject,
    latent: latent.p,
    dominant: latent.dominant,
    partner: latent.partner,
    ambiguity: latent.ambiguity,
    intensity,
    au,
    points,
    depth,
    pose,
    identity,
    capture,
    label,
  };
}

/** Inter-ocular distance (between eye centres) of a face's projected landmarks, pixels. */
export function interOcular(points: Float64Array): number {
  let rx = 0, ry = 0, lx = 0, ly = 0;
  for (let i = 36; i < 42; i++) {
    rx += points[2 * i];
    ry += points[2 * i + 1];
  }
  for (let i = 42; i < 48; i++) {
    lx += points[2 * i];
    ly += points[2 * i + 1];
  }
  return Math.hypot((lx - rx) / 6, (ly - ry) / 6);
}

/** Number of AU intensities per face (OpenFace's 17). */
export const NUM_AUS = AU_IDS.length;
