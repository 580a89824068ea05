/**
 * A tiny anti-aliased greyscale rasteriser over a Float32Array canvas (values 0..1): shaded polygon fills, thick
 * polylines, ellipses, and the image-level filters (box downsampling, bilinear resampling, separable Gaussian blur).
 * Pure JS, no allocation per primitive beyond small scratch arrays, so thousands of faces per second fit on one core.
 */

export interface Canvas {
  w: number;
  h: number;
  data: Float32Array;
}

/** A w x h canvas filled with `fill` (0..1 grey). */
export function createCanvas(w: number, h: number, fill = 0): Canvas {
  return { w, h, data: new Float32Array(w * h).fill(fill) };
}

/** Shading of a fill: value at pixel (x, y) = base + gx * x + gy * y, optionally darkened radially around (cx, cy). */
export interface Shade {
  base: number;
  gx?: number;
  gy?: number;
  /** Radial falloff: value *= 1 - radial * ((x-cx)^2/rx^2 + (y-cy)^2/ry^2). */
  radial?: number;
  cx?: number;
  cy?: number;
  rx?: number;
  ry?: number;
}

const xsScratch = new Float64Array(256);
let polyCover = new Float32Array(0);

/**
 * Fills a polygon (even-odd) with 4 sub-scanlines per pixel row for vertical anti-aliasing and fractional coverage at
 * span ends. `pts` is interleaved x, y; `alpha` the opacity.
 */
export function fillPolygon(c: Canvas, pts: ArrayLike<number>, shade: Shade | number, alpha = 1): void {
  const n = pts.length / 2;
  if (n < 3) return;
  let minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = pts[2 * i + 1];
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(c.h - 1, Math.ceil(maxY));
  const s: Shade = typeof shade === 'number' ? { base: shade } : shade;
  const gx = s.gx ?? 0, gy = s.gy ?? 0, radial = s.radial ?? 0;
  const cx = s.cx ?? 0, cy = s.cy ?? 0, irx2 = s.rx ? 1 / (s.rx * s.rx) : 0, iry2 = s.ry ? 1 / (s.ry * s.ry) : 0;
  const SUB = 4;
  if (polyCover.length < c.w) polyCover = new Float32Array(c.w);
  const cover = polyCover;
  for (let y = y0; y <= y1; y++) {
    let any = false;
    let lo = c.w, hi = -1;
    for (let sub = 0; sub < SUB; sub++) {
      const sy = y + (sub + 0.5) / SUB;
      let k = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ay = pts[2 * i + 1], by = pts[2 * j + 1];
        if ((ay > sy) !== (by > sy)) {
          const ax = pts[2 * i], bx = pts[2 * j];
          if (k < xsScratch.length) xsScratch[k++] = ax + ((sy - ay) / (by - ay)) * (bx - ax);
        }
      }
      if (k < 2) continue;
      const xs = xsScratch.subarray(0, k).sort();
      for (let q = 0; q + 1 < k; q += 2) {
        const xa = Math.max(0, xs[q]), xb = Math.min(c.w, xs[q + 1]);
        if (xb <= xa) continue;
        any = true;
        const ia = Math.floor(xa), ib = Math.min(c.w - 1, Math.floor(xb - 1e-9));
        if (ia < lo) lo = ia;
        if (ib > hi) hi = ib;
        if (ia === ib) {
          cover[ia] += (xb - xa) / SUB;
        } else {
          cover[ia] += (ia + 1 - xa) / SUB;
          for (let x = ia + 1; x < ib; x++) cover[x] += 1 / SUB;
          cover[ib] += (xb - ib) / SUB;
        }
      }
    }
    if (!any) continue;
    const row = y * c.w;
    for (let x = lo; x <= hi; x++) {
      const a = cover[x] * alpha;
      if (a <= 0) continue;
      let v = s.base + gx * x + gy * y;
      if (radial) v *= 1 - radial * ((x - cx) * (x - cx) * irx2 + (y - cy) * (y - cy) * iry2);
      const aa = a > 1 ? 1 : a;
      c.data[row + x] += (v - c.data[row + x]) * aa;
    }
    cover.fill(0, lo, hi + 1);
  }
}

let coverScratch = new Float32Array(0);

/**
 * Strokes a polyline (interleaved x, y) of `width` pixels with soft edges; width may taper linearly to `width2`.
 * Each segment only visits its own bounding box; segment coverages are combined with max (no double blending at joints).
 */
export function strokePolyline(c: Canvas, pts: ArrayLike<number>, width: number, value: number, alpha = 1, closed = false, width2 = width): void {
  const n = pts.length / 2;
  if (n < 2 || alpha <= 0) return;
  if (coverScratch.length < c.w * c.h) coverScratch = new Float32Array(c.w * c.h);
  const cov = coverScratch;
  const segs = closed ? n : n - 1;
  let bx0 = c.w, by0 = c.h, bx1 = -1, by1 = -1;
  for (let s = 0; s < segs; s++) {
    const e = (s + 1) % n;
    const ax = pts[2 * s], ay = pts[2 * s + 1], bx = pts[2 * e], by = pts[2 * e + 1];
    const wa = width + (width2 - width) * (s / segs), wb = width + (width2 - width) * ((s + 1) / segs);
    const half = Math.max(wa, wb) / 2 + 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half)), x1 = Math.min(c.w - 1, Math.ceil(Math.max(ax, bx) + half));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half)), y1 = Math.min(c.h - 1, Math.ceil(Math.max(ay, by) + half));
    if (x1 < x0 || y1 < y0) continue;
    if (x0 < bx0) bx0 = x0;
    if (y0 < by0) by0 = y0;
    if (x1 > bx1) bx1 = x1;
    if (y1 > by1) by1 = y1;
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 0 ? 1 / len2 : 0;
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        let t = ((px - ax) * dx + (py - ay) * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = ax + t * dx - px, qy = ay + t * dy - py;
        const w = wa + (wb - wa) * t;
        const v = w / 2 - Math.sqrt(qx * qx + qy * qy) + 0.5;
        if (v > 0) {
          const i = y * c.w + x;
          const vv = v > 1 ? 1 : v;
          if (vv > cov[i]) cov[i] = vv;
        }
      }
    }
  }
  for (let y = by0; y <= by1; y++) {
    for (let x = bx0; x <= bx1; x++) {
      const i = y * c.w + x;
      const a = cov[i];
      if (a > 0) {
        c.data[i] += (value - c.data[i]) * a * alpha;
        cov[i] = 0;
      }
    }
  }
}

/**
 * Fills an axis-aligned ellipse with a soft edge; `mask` (optional polygon) restricts it to the polygon's inside.
 * Per row, the span well inside the ellipse is filled without computing coverage (most of a large ellipse's pixels).
 */
export function fillEllipse(c: Canvas, cx: number, cy: number, rx: number, ry: number, value: number, alpha = 1, mask?: ArrayLike<number>): void {
  if (rx <= 0 || ry <= 0 || alpha <= 0) return;
  const r = Math.min(rx, ry);
  const outer = 1 + 0.5 / r;
  const inner = Math.max(0, 1 - 0.6 / r);
  const y0 = Math.max(0, Math.floor(cy - ry - 1)), y1 = Math.min(c.h - 1, Math.ceil(cy + ry + 1));
  for (let y = y0; y <= y1; y++) {
    const dy = (y + 0.5 - cy) / ry;
    const dy2 = dy * dy;
    if (dy2 >= outer * outer) continue;
    const ho = Math.sqrt(outer * outer - dy2) * rx;
    const hi = dy2 < inner * inner ? Math.sqrt(inner * inner - dy2) * rx : -1;
    const x0 = Math.max(0, Math.floor(cx - ho - 0.5)), x1 = Math.min(c.w - 1, Math.ceil(cx + ho - 0.5));
    const row = y * c.w;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5;
      let a: number;
      if (hi > 0 && px > cx - hi && px < cx + hi) {
        a = alpha;
      } else {
        const dx = (px - cx) / rx;
        const cov = (1 - Math.sqrt(dx * dx + dy2)) * r + 0.5;
        if (cov <= 0) continue;
        a = (cov > 1 ? 1 : cov) * alpha;
      }
      if (mask && !insidePolygon(mask, px, y + 0.5)) continue;
      const i = row + x;
      c.data[i] += (value - c.data[i]) * a;
    }
  }
}

/** Fills an axis-aligned rectangle [x0, x1) x [y0, y1) (pixel-aligned, clipped) with `value` + gy * y at opacity alpha. */
export function fillRect(c: Canvas, x0: number, y0: number, x1: number, y1: number, value: number, alpha = 1, gy = 0): void {
  const xa = Math.max(0, Math.round(x0)), xb = Math.min(c.w, Math.round(x1));
  const ya = Math.max(0, Math.round(y0)), yb = Math.min(c.h, Math.round(y1));
  for (let y = ya; y < yb; y++) {
    const v = value + gy * y;
    const row = y * c.w;
    for (let x = xa; x < xb; x++) c.data[row + x] += (v - c.data[row + x]) * alpha;
  }
}

/** Even-odd point-in-polygon test. */
export function insidePolygon(pts: ArrayLike<number>, x: number, y: number): boolean {
  const n = pts.length / 2;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ay = pts[2 * i + 1], by = pts[2 * j + 1];
    if ((ay > y) !== (by > y)) {
      const ax = pts[2 * i], bx = pts[2 * j];
      if (x < ax + ((y - ay) / (by - ay)) * (bx - ax)) inside = !inside;
    }
  }
  return inside;
}

/** Averages `factor` x `factor` blocks (supersampled canvas -> output). */
export function downsample(c: Canvas, factor: number): Canvas {
  const w = Math.floor(c.w / factor), h = Math.floor(c.h / factor);
  const out = createCanvas(w, h);
  const inv = 1 / (factor * factor);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = 0; j < factor; j++) {
        const row = (y * factor + j) * c.w + x * factor;
        for (let i = 0; i < factor; i++) s += c.data[row + i];
      }
      out.data[y * w + x] = s * inv;
    }
  }
  return out;
}

/** Bilinear resampling to w x h (used to simulate a low-resolution source: down, then back up). */
export function resample(c: Canvas, w: number, h: number): Canvas {
  const out = createCanvas(w, h);
  const sx = c.w / w, sy = c.h / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(c.h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(c.h - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(c.w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(c.w - 1, x0 + 1), tx = fx - x0;
      const a = c.data[y0 * c.w + x0] * (1 - tx) + c.data[y0 * c.w + x1] * tx;
      const b = c.data[y1 * c.w + x0] * (1 - tx) + c.data[y1 * c.w + x1] * tx;
      out.data[y * w + x] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

/** Area-averaging resize to w x h (correct antialiasing when shrinking by a non-integer factor). */
export function shrink(c: Canvas, w: number, h: number): Canvas {
  const out = createCanvas(w, h);
  const sx = c.w / w, sy = c.h / h;
  for (let y = 0; y < h; y++) {
    const ya = Math.floor(y * sy), yb = Math.max(ya + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < w; x++) {
      const xa = Math.floor(x * sx), xb = Math.max(xa + 1, Math.floor((x + 1) * sx));
      let s = 0;
      for (let j = ya; j < yb; j++) for (let i = xa; i < xb; i++) s += c.data[j * c.w + i];
      out.data[y * w + x] = s / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}

/** Separable Gaussian blur with standard deviation `sigma` pixels (in place). */
export function gaussianBlur(c: Canvas, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.ceil(sigma * 2.5);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(c.data.length);
  const { w, h, data } = c;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
        s += data[y * w + xx] * k[i + r];
      }
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
        s += tmp[yy * w + x] * k[i + r];
      }
      data[y * w + x] = s;
    }
  }
}
