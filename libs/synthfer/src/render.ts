/**
 * Renders a synthetic face to greyscale pixels: the face drawn on a supersampled canvas (draw-face.ts: head, features,
 * AU appearance cues, occluder), then the capture nuisance: low source resolution, blur, illumination, contrast and
 * sensor noise.
 */
import type { Rng } from '@ldl-alsg/common';
import { drawFace, SS } from './draw-face';
import type { FaceSample } from './face-sample';
import { downsample, gaussianBlur, resample, shrink } from './raster';

/**
 * Standard normal quantiles at 4096 equally likely levels: sensor noise draws one 12-bit index per pixel instead of a
 * Box-Muller pair (5x cheaper; the per-pixel noise distribution is the same to within its 1/4096 discretisation).
 */
const NORMAL_TABLE = (() => {
  const t = new Float32Array(4096);
  // Inverse normal CDF by bisection on erf (built once).
  const cdf = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  for (let i = 0; i < t.length; i++) {
    const q = (i + 0.5) / t.length;
    let lo = -6, hi = 6;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (cdf(mid) < q) lo = mid;
      else hi = mid;
    }
    t[i] = (lo + hi) / 2;
  }
  return t;
})();

/** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Renders a face to `size` x `size` greyscale bytes. `rng` is the face's 'render' stream. */
export function renderFace(face: FaceSample, size: number, rng: Rng): Uint8Array {
  let img = downsample(drawFace(face, size, rng), SS);
  const cap = face.capture;
  if (cap.resolution < size) {
    const r = Math.max(8, Math.round(cap.resolution));
    img = resample(shrink(img, r, r), size, size);
  }
  gaussianBlur(img, cap.blur);
  const out = new Uint8Array(size * size);
  const mean = 0.5;
  for (let i = 0; i < out.length; i++) {
    let v = (img.data[i] - mean) * cap.contrast + mean + cap.brightness + cap.noise * NORMAL_TABLE[rng.nextUint32() & 4095];
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    out[i] = Math.round(v * 255);
  }
  return out;
}
