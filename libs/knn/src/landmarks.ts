/**
 * 68-point landmark shapes for the landmark graph: face size and generalised Procrustes alignment.
 *
 * Rows are OpenFace's layout, `x_0..x_67, y_0..y_67` (136 values). The size of a shape is the RMS distance of its
 * points from their centroid, sqrt(mean_p |p - c|^2), so ||l||^2 = 68 size^2 for a centred shape.
 *
 * Why align: raw landmark distances are dominated by where the face sits in the image, its scale and its roll, none of
 * which is expression. A similarity alignment (translation, rotation, scale) onto the mean shape keeps only the shape.
 */
import { AlsgError } from '@ldl-alsg/common';

export const FACE_SIZE_MEASURE = 'RMS distance of the landmarks from their centroid';

/** Centroid (mean x, mean y) of the P points of the row starting at offset `o`. */
function centroid(data: ArrayLike<number>, o: number, P: number): [number, number] {
  let cx = 0;
  let cy = 0;
  for (let p = 0; p < P; p++) {
    cx += data[o + p];
    cy += data[o + P + p];
  }
  return [cx / P, cy / P];
}

/** Per-row face size (see the module comment) of [n, 2P] landmark rows. */
export function faceSizes(data: ArrayLike<number>, n: number, d: number): Float64Array {
  if (d % 2 !== 0) throw new AlsgError('E_INPUT', `landmarks: expected x_0..x_P-1, y_0..y_P-1 columns (an even count), but got ${d}`);
  const P = d / 2;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    const [cx, cy] = centroid(data, o, P);
    let s = 0;
    for (let p = 0; p < P; p++) s += (data[o + p] - cx) ** 2 + (data[o + P + p] - cy) ** 2;
    out[r] = Math.sqrt(s / P);
  }
  return out;
}

/** Mean face size over the rows. */
export function meanFaceSize(data: ArrayLike<number>, n: number, d: number): number {
  const s = faceSizes(data, n, d);
  let sum = 0;
  for (let r = 0; r < n; r++) sum += s[r];
  return sum / n;
}

export interface LandmarkAlignment {
  /** [n, 2P] aligned shapes (float32), in units where the mean shape has size 1. */
  data: Float32Array;
  /** The final mean shape [2P] (centroid 0, size 1). */
  meanShape: number[];
  iterations: number;
  /** Mean over rows of the RMS point distance between each aligned shape and the mean shape, after each pass. */
  residual: number[];
  /** Mean face size of the input rows, in input units (e.g. px). */
  inputFaceSize: number;
  /** Mean face size of the aligned rows (slightly below 1: least-squares scaling shrinks shapes unlike the mean). */
  alignedFaceSize: number;
}

/**
 * Generalised Procrustes analysis of [n, 2P] shapes. Each pass fits, per shape, the similarity transform (translation,
 * rotation, scale; no reflection) minimising the squared distance to the current mean shape, then re-estimates the mean,
 * re-centres it, rescales it to size 1 and rotates it back onto the previous mean (so the frame does not drift).
 * The start is the mean of the centred, unit-size shapes (faces are roughly upright, so no rotation is needed to start).
 * In 2-d the fit is closed form: with centred shapes as complex vectors z (shape) and w (mean), the transform is
 * z -> a z with a = <z, w> / <z, z> (complex inner product), |a| the scale and arg a the rotation.
 */
export function alignLandmarks(data: ArrayLike<number>, n: number, d: number, iterations = 3): LandmarkAlignment {
  if (n === 0) throw new AlsgError('E_INPUT', 'alignLandmarks: no shapes');
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new AlsgError('E_CONFIG', `alignLandmarks: iterations must be an integer >= 1, but got ${iterations}`);
  const sizes = faceSizes(data, n, d);
  const P = d / 2;
  // centred copies, float64
  const c = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    if (!(sizes[r] > 0)) throw new AlsgError('E_INPUT', `alignLandmarks: row ${r} has all its landmarks at one point (size 0); it cannot be aligned`, { row: r });
    const o = r * d;
    const [cx, cy] = centroid(data, o, P);
    for (let p = 0; p < P; p++) {
      c[o + p] = data[o + p] - cx;
      c[o + P + p] = data[o + P + p] - cy;
    }
  }
  let mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += c[r * d + j] / sizes[r];
  normalizeShape(mean, P);

  const aligned = new Float64Array(n * d);
  const residual: number[] = [];
  const alignAll = (): void => {
    let res = 0;
    for (let r = 0; r < n; r++) {
      const o = r * d;
      let re = 0;
      let im = 0;
      let zz = 0;
      for (let p = 0; p < P; p++) {
        const x = c[o + p];
        const y = c[o + P + p];
        const u = mean[p];
        const v = mean[P + p];
        re += x * u + y * v;
        im += x * v - y * u;
        zz += x * x + y * y;
      }
      const ar = re / zz;
      const ai = im / zz;
      let e = 0;
      for (let p = 0; p < P; p++) {
        const x = c[o + p];
        const y = c[o + P + p];
        const ax = ar * x - ai * y;
        const ay = ar * y + ai * x;
        aligned[o + p] = ax;
        aligned[o + P + p] = ay;
        e += (ax - mean[p]) ** 2 + (ay - mean[P + p]) ** 2;
      }
      res += Math.sqrt(e / P);
    }
    residual.push(res / n);
  };
  for (let it = 0; it < iterations; it++) {
    alignAll();
    const next = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) next[j] += aligned[r * d + j] / n;
    normalizeShape(next, P);
    // rotate the new mean onto the previous one (rotation only) so repeated passes keep one frame
    let re = 0;
    let im = 0;
    for (let p = 0; p < P; p++) {
      re += next[p] * mean[p] + next[P + p] * mean[P + p];
      im += next[p] * mean[P + p] - next[P + p] * mean[p];
    }
    const len = Math.hypot(re, im);
    const cr = len > 0 ? re / len : 1;
    const ci = len > 0 ? im / len : 0;
    for (let p = 0; p < P; p++) {
      const x = next[p];
      const y = next[P + p];
      next[p] = cr * x - ci * y;
      next[P + p] = cr * y + ci * x;
    }
    mean = next;
  }
  alignAll();
  const out = Float32Array.from(aligned);
  return {
    data: out,
    meanShape: Array.from(mean),
    iterations,
    residual,
    inputFaceSize: meanFaceSize(data, n, d),
    alignedFaceSize: meanFaceSize(out, n, d),
  };
}

/** In place: centroid 0, size 1. */
function normalizeShape(s: Float64Array, P: number): void {
  let cx = 0;
  let cy = 0;
  for (let p = 0; p < P; p++) {
    cx += s[p];
    cy += s[P + p];
  }
  cx /= P;
  cy /= P;
  let ss = 0;
  for (let p = 0; p < P; p++) {
    s[p] -= cx;
    s[P + p] -= cy;
    ss += s[p] ** 2 + s[P + p] ** 2;
  }
  const size = Math.sqrt(ss / P);
  for (let j = 0; j < 2 * P; j++) s[j] /= size;
}
