/**
 * Draws a synthetic face on a supersampled canvas, back to front, from its projected landmarks and AUs: background,
 * neck, hair, a shaded face, brows, eyes (sclera, iris, lids), nose, lips, the open mouth's interior and teeth, the
 * appearance cues of AUs that landmarks alone do not show (nasolabial folds for AU6/9/10/12, nose wrinkles for AU9,
 * brow furrows for AU4, forehead lines for AU1/2, lower-lid bulge for AU6/7, chin boss for AU17, dimples for AU14),
 * and the capture's occluder. render.ts turns the canvas into the final pixels.
 */
import type { Rng } from '@ldl-alsg/common';
import type { FaceSample } from './face-sample';
import { FOREHEAD_POINTS } from './face-sample';
import { NUM_POINTS } from './face-shape';
import { createCanvas, fillEllipse, fillPolygon, fillRect, strokePolyline, type Canvas } from './raster';

/** Supersampling factor of the drawing canvas. */
export const SS = 2;
const AU = { a01: 0, a02: 1, a04: 2, a05: 3, a06: 4, a07: 5, a09: 6, a10: 7, a12: 8, a14: 9, a15: 10, a17: 11, a20: 12, a23: 13, a25: 14, a26: 15, a45: 16 };

function pick(p: Float64Array, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length * 2);
  for (let k = 0; k < idx.length; k++) {
    out[2 * k] = p[2 * idx[k]];
    out[2 * k + 1] = p[2 * idx[k] + 1];
  }
  return out;
}
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, k) => a + k);
}
function lerp(p: Float64Array, i: number, j: number, t: number): [number, number] {
  return [p[2 * i] + (p[2 * j] - p[2 * i]) * t, p[2 * i + 1] + (p[2 * j + 1] - p[2 * i + 1]) * t];
}

function drawBackground(c: Canvas, face: FaceSample, rng: Rng): void {
  const bg = face.capture.background;
  c.data.fill(bg);
  const w = c.w;
  if (!face.capture.clutter) {
    fillRect(c, 0, 0, w, w, bg - 0.05, 1, 0.1 / w);
    return;
  }
  // Clutter: a few large soft shapes of random grey, as behind a face cropped from a web photo.
  const n = 3 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const x = rng.range(0, w), y = rng.range(0, w), a = rng.range(0.1, 0.6) * w, b = rng.range(0.1, 0.6) * w;
    const v = rng.range(0.05, 0.95);
    if (rng.uniform() < 0.5) fillRect(c, x, y, x + a, y + b, v, rng.range(0.4, 1));
    else fillEllipse(c, x, y, a / 2, b / 2, v, rng.range(0.4, 1));
  }
}

/**
 * What every drawing step reads: the canvas, the landmarks in canvas pixels (68 points, then the forehead arc), the AU
 * intensities, the scale and the tones of this face under this capture.
 */
interface FaceFrame {
  readonly c: Canvas;
  /** Landmarks in canvas pixels, x/y interleaved. */
  readonly p: Float64Array;
  readonly au: Float64Array;
  /** Canvas pixels per face unit. */
  readonly sc: number;
  readonly nir: boolean;
  readonly skin: number;
  readonly hair: number;
  readonly lipTone: number;
  /** Width of a fine line (creases, lid and lip lines). */
  readonly line: number;
}

function faceFrame(c: Canvas, face: FaceSample): FaceFrame {
  const id = face.identity;
  const nir = face.capture.nir;
  const skin = nir ? Math.min(0.9, id.skin + 0.12) : id.skin;
  const sc = face.pose.scale * SS;
  return {
    c,
    p: face.points.map((v) => v * SS),
    au: face.au,
    sc,
    nir,
    skin,
    hair: nir ? Math.min(0.6, id.hair + 0.15) : id.hair,
    lipTone: skin * (nir ? 0.93 : id.lip),
    line: Math.max(1.1, 0.022 * sc),
  };
}

/** The head outline (jaw 0..16, then the forehead arc back to 0), the arc alone, and the outline's centroid. */
function headOutline(p: Float64Array): { outline: Float64Array; fore: Float64Array; cx: number; cy: number } {
  const fore = new Float64Array(FOREHEAD_POINTS * 2);
  for (let t = 0; t < FOREHEAD_POINTS; t++) {
    fore[2 * t] = p[2 * (NUM_POINTS + t)];
    fore[2 * t + 1] = p[2 * (NUM_POINTS + t) + 1];
  }
  const jaw = pick(p, range(0, 17));
  const outline = new Float64Array(jaw.length + fore.length);
  outline.set(jaw, 0);
  outline.set(fore, jaw.length);
  let cx = 0, cy = 0;
  for (let i = 0; i < outline.length / 2; i++) {
    cx += outline[2 * i];
    cy += outline[2 * i + 1];
  }
  cx /= outline.length / 2;
  cy /= outline.length / 2;
  return { outline, fore, cx, cy };
}

/** Neck, then hair (a larger blob behind and above the face), then the shaded face itself and the hairline fringe. */
function drawHead(f: FaceFrame, face: FaceSample, head: ReturnType<typeof headOutline>): void {
  const { c, p, sc, skin, hair } = f;
  const { outline, fore, cx, cy } = head;
  const W = c.w;
  const chinX = p[16], chinY = p[17];
  fillPolygon(c, [chinX - 0.28 * sc, chinY - 0.2 * sc, chinX + 0.28 * sc, chinY - 0.2 * sc, chinX + 0.34 * sc, W + 2, chinX - 0.34 * sc, W + 2], skin * 0.72, 1);
  const hairCy = cy - 0.16 * sc;
  fillEllipse(c, cx, hairCy, 0.6 * sc, 0.62 * sc, hair, 1);
  const la = face.capture.lightAngle, ls = face.capture.lightStrength;
  const gx = (Math.cos(la) * ls * skin) / (0.9 * sc), gy = (Math.sin(la) * ls * skin) / (0.9 * sc);
  fillPolygon(c, outline, { base: skin - gx * cx - gy * cy, gx, gy, radial: 0.22, cx, cy: cy + 0.05 * sc, rx: 0.55 * sc, ry: 0.7 * sc }, 1);
  strokePolyline(c, fore.subarray(2, fore.length - 2), 0.07 * sc, hair, 0.9);
}

/** Forehead lines (AU1/AU2 raise the brows and wrinkle the forehead) and brow furrows (AU4, vertical creases). */
function drawForeheadCues(f: FaceFrame): void {
  const { c, p, au, sc, skin, line } = f;
  const fl = Math.min(1, (au[AU.a01] + au[AU.a02]) / 6);
  if (fl > 0.15) {
    for (let k = 1; k <= 2; k++) {
      const off = k * 0.055 * sc;
      const arc = pick(p, [18, 19, 20, 23, 24, 25]);
      for (let q = 0; q < arc.length / 2; q++) arc[2 * q + 1] -= off + 0.03 * sc;
      strokePolyline(c, arc, line * 0.8, skin * 0.62, 0.55 * fl);
    }
  }
  const bf = Math.min(1, au[AU.a04] / 3.5);
  if (bf > 0.1) {
    const mx = (p[42] + p[44]) / 2, my = (p[43] + p[45]) / 2;
    for (const dx of [-0.035, 0.035]) strokePolyline(c, [mx + dx * sc, my - 0.02 * sc, mx + dx * 0.7 * sc, my + 0.09 * sc], line, skin * 0.55, 0.7 * bf);
  }
}

/** Brows: thick, tapering towards the outer end. */
function drawBrows(f: FaceFrame): void {
  const { c, p, sc, hair } = f;
  strokePolyline(c, pick(p, [21, 20, 19, 18, 17]), 0.06 * sc, hair, 0.95, false, 0.035 * sc);
  strokePolyline(c, pick(p, [22, 23, 24, 25, 26]), 0.06 * sc, hair, 0.95, false, 0.035 * sc);
}

/**
 * One eye (landmarks a..b-1): socket shadow, sclera, iris (masked by the lids), upper and lower lid lines; with AU6/AU7
 * (`lowerBulge`) a bulge below the lower lid and crow's feet at the outer corner.
 */
function drawEye(f: FaceFrame, a: number, b: number, lowerBulge: number): void {
  const { c, p, sc, skin, nir, line } = f;
  const eye = pick(p, range(a, b));
  let ex = 0, ey = 0;
  for (let i = a; i < b; i++) {
    ex += p[2 * i];
    ey += p[2 * i + 1];
  }
  ex /= b - a;
  ey /= b - a;
  const ew = Math.hypot(p[2 * (a + 3)] - p[2 * a], p[2 * (a + 3) + 1] - p[2 * a + 1]);
  fillEllipse(c, ex, ey - 0.01 * sc, ew * 0.75, ew * 0.45, skin * 0.8, 0.5);
  const open = (p[2 * (a + 5) + 1] + p[2 * (a + 4) + 1] - p[2 * (a + 1) + 1] - p[2 * (a + 2) + 1]) / 2;
  if (open > 0.3) {
    fillPolygon(c, eye, nir ? 0.75 : 0.86, 1);
    const ir = Math.min(ew * 0.24, Math.max(open * 0.9, 0.6));
    fillEllipse(c, ex, ey, ew * 0.24, ew * 0.24, nir ? 0.45 : 0.18, 1, eye);
    fillEllipse(c, ex, ey, ir * 0.45, ir * 0.45, 0.04, 1, eye);
  }
  strokePolyline(c, pick(p, [a, a + 1, a + 2, a + 3]), line * 1.3, 0.12, 0.9);
  strokePolyline(c, pick(p, [a + 3, a + 4, a + 5, a]), line * 0.7, skin * 0.5, 0.6);
  if (lowerBulge > 0.1) {
    const bag = pick(p, [a + 3, a + 4, a + 5, a]);
    for (let q = 0; q < 4; q++) bag[2 * q + 1] += 0.04 * sc;
    strokePolyline(c, bag, line, skin * 0.65, 0.6 * lowerBulge);
    // crow's feet at the outer corner
    const oc = a === 36 ? a : a + 3;
    const dir = a === 36 ? -1 : 1;
    for (const dy of [-0.02, 0.015]) strokePolyline(c, [p[2 * oc] + dir * 0.03 * sc, p[2 * oc + 1] + dy * sc, p[2 * oc] + dir * 0.08 * sc, p[2 * oc + 1] + dy * 2 * sc], line * 0.8, skin * 0.6, 0.5 * lowerBulge);
  }
}

/** Nose: lit-side bridge line, shadowed base, nostrils; AU9 wrinkles across the bridge. */
function drawNose(f: FaceFrame): void {
  const { c, p, au, sc, skin, line } = f;
  strokePolyline(c, pick(p, [27, 28, 29, 30]).map((v, k) => (k % 2 === 0 ? v + 0.035 * sc : v)), line, skin * 0.8, 0.5);
  strokePolyline(c, pick(p, [31, 32, 33, 34, 35]), line * 1.2, skin * 0.6, 0.7);
  fillEllipse(c, p[64], p[65] - 0.005 * sc, 0.022 * sc, 0.014 * sc, skin * 0.3, 0.9);
  fillEllipse(c, p[68], p[69] - 0.005 * sc, 0.022 * sc, 0.014 * sc, skin * 0.3, 0.9);
  const nw = Math.min(1, au[AU.a09] / 3);
  if (nw > 0.1) {
    for (const t of [0.3, 0.55, 0.8]) {
      const [x, y] = lerp(p, 27, 29, t);
      strokePolyline(c, [x - 0.05 * sc, y, x + 0.05 * sc, y - 0.008 * sc], line, skin * 0.55, 0.7 * nw);
    }
  }
}

/** Nasolabial folds: deepen with cheek raise, nose wrinkle, upper lip raise and smiling (AU6/9/10/12). */
function drawNasolabialFolds(f: FaceFrame): void {
  const { c, p, au, sc, skin, line } = f;
  const nl = Math.min(1, (au[AU.a06] + au[AU.a09] + au[AU.a10] + au[AU.a12]) / 7);
  if (nl > 0.1) {
    for (const [n, m] of [[31, 48], [35, 54]]) {
      const dir = n === 31 ? -1 : 1;
      const fold = [
        p[2 * n] + dir * 0.04 * sc, p[2 * n + 1] - 0.01 * sc,
        p[2 * n] + dir * 0.08 * sc, p[2 * n + 1] + 0.06 * sc,
        p[2 * m] + dir * 0.03 * sc, p[2 * m + 1] + 0.02 * sc,
      ];
      strokePolyline(c, fold, line * 1.2, skin * 0.55, 0.8 * nl);
    }
  }
}

/** Mouth: lips, the open mouth's dark interior, teeth when the upper lip is up (AU25 with AU12/10/26), the lip line. */
function drawMouth(f: FaceFrame): void {
  const { c, p, au, sc, nir, lipTone, line } = f;
  fillPolygon(c, pick(p, range(48, 60)), lipTone, 1);
  const inner = pick(p, range(60, 68));
  const gap = (p[2 * 66 + 1] - p[2 * 62 + 1] + p[2 * 67 + 1] - p[2 * 61 + 1] + p[2 * 65 + 1] - p[2 * 63 + 1]) / 3;
  if (gap > 0.4) {
    fillPolygon(c, inner, 0.06, Math.min(1, gap / 1.5));
    const showTeeth = au[AU.a25] > 0.8 && (au[AU.a12] > 1 || au[AU.a10] > 1 || au[AU.a26] > 1.5);
    if (showTeeth) {
      const th = Math.min(gap * 0.5, 0.05 * sc);
      const upper = pick(p, [60, 61, 62, 63, 64]);
      const teeth = new Float64Array(upper.length * 2);
      teeth.set(upper, 0);
      for (let q = 4; q >= 0; q--) {
        teeth[upper.length + 2 * (4 - q)] = upper[2 * q];
        teeth[upper.length + 2 * (4 - q) + 1] = upper[2 * q + 1] + (q === 0 || q === 4 ? 0 : th);
      }
      fillPolygon(c, teeth, nir ? 0.7 : 0.88, 1);
    }
  }
  strokePolyline(c, pick(p, [60, 61, 62, 63, 64]), line, lipTone * 0.45, 0.85);
  if (gap > 0.4) strokePolyline(c, pick(p, [64, 65, 66, 67, 60]), line * 0.8, lipTone * 0.5, 0.6);
}

/** Chin boss (AU17) and dimples (AU14). */
function drawChinCues(f: FaceFrame): void {
  const { c, p, au, sc, skin, line } = f;
  const cb = Math.min(1, au[AU.a17] / 3);
  if (cb > 0.1) strokePolyline(c, [p[2 * 58], p[2 * 58 + 1] + 0.06 * sc, p[2 * 57], p[2 * 57 + 1] + 0.045 * sc, p[2 * 56], p[2 * 56 + 1] + 0.06 * sc], line * 1.2, skin * 0.6, 0.6 * cb);
  const dm = Math.min(1, au[AU.a14] / 3);
  if (dm > 0.1) {
    fillEllipse(c, p[96] - 0.03 * sc, p[97], 0.012 * sc, 0.02 * sc, skin * 0.5, 0.7 * dm);
    fillEllipse(c, p[108] + 0.03 * sc, p[109], 0.012 * sc, 0.02 * sc, skin * 0.5, 0.7 * dm);
  }
}

/** The capture's occluder: a hand over the mouth (1), a bar over the eyes (2) or an object at the side (3). */
function drawOccluder(f: FaceFrame, occ: number, cx: number, cy: number, rng: Rng): void {
  const { c, p, sc } = f;
  if (occ <= 0) return;
  const v = rng.range(0.1, 0.9);
  if (occ === 1) fillEllipse(c, p[2 * 57] + rng.normal(0, 0.1) * sc, p[2 * 57 + 1] + 0.05 * sc, 0.3 * sc, 0.2 * sc, v, 1);
  else if (occ === 2) {
    const y = (p[2 * 37 + 1] + p[2 * 44 + 1]) / 2;
    fillPolygon(c, [p[0] - 0.02 * sc, y - 0.06 * sc, p[32] + 0.02 * sc, y - 0.06 * sc, p[32] + 0.02 * sc, y + 0.07 * sc, p[0] - 0.02 * sc, y + 0.07 * sc], v * 0.4, 0.92);
  } else {
    const side = rng.uniform() < 0.5 ? -1 : 1;
    fillEllipse(c, cx + side * 0.4 * sc, cy + rng.normal(0, 0.2) * sc, 0.25 * sc, 0.4 * sc, v, 1);
  }
}

/**
 * Draws the face onto a supersampled canvas and returns it, back to front. `rng` is drawn from only by the background
 * and the occluder, in that order, so the steps between can change without changing any face's random stream.
 */
export function drawFace(face: FaceSample, size: number, rng: Rng): Canvas {
  const c = createCanvas(size * SS, size * SS);
  drawBackground(c, face, rng);
  const f = faceFrame(c, face);
  const head = headOutline(f.p);
  drawHead(f, face, head);
  drawForeheadCues(f);
  drawBrows(f);
  const lowerBulge = Math.min(1, (f.au[AU.a06] + f.au[AU.a07]) / 5);
  drawEye(f, 36, 42, lowerBulge);
  drawEye(f, 42, 48, lowerBulge);
  drawNose(f);
  drawNasolabialFolds(f);
  drawMouth(f);
  drawChinCues(f);
  drawOccluder(f, face.capture.occluder, head.cx, head.cy, rng);
  return c;
}
