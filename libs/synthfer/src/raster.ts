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
 * True while polyCover holds coverage outside the [lo, hi] range a row clears: a span with ib = ia - 1 adds to cover[ia]
 * and cover[ib] but may leave them out of that range, and the scanline fill has always let such coverage carry into later
 * rows (and polygons) that span those pixels. Pixels must stay bit-identical, so while it is set every row takes the
 * general path, which reads cover[]; it clears once the leftovers are consumed. In practice a vertex must lie within
 * 1e-9 of an integer x for this to happen.
 */
let coverDirty = false;
let polyPts = new Float64Array(0);
let spanIa = new Int32Array(64), spanIb = new Int32Array(64);
let spanXa = new Float64Array(64), spanXb = new Float64Array(64);

function growSpans(): void {
  const grow = <T extends Int32Array | Float64Array>(a: T): T => {
    const b = new (a.constructor as new (n: number) => T)(a.length * 2);
    b.set(a);
    return b;
  };
  spanIa = grow(spanIa);
  spanIb = grow(spanIb);
  spanXa = grow(spanXa);
  spanXb = grow(spanXb);
}

/** Copies `pts` into a reused Float64Array, so the hot loops see one array type (number[] and typed arrays both arrive). */
function polyScratch(pts: ArrayLike<number>): Float64Array {
  if (polyPts.length < pts.length) polyPts = new Float64Array(Math.max(pts.length, 2 * polyPts.length));
  for (let i = 0; i < pts.length; i++) polyPts[i] = pts[i];
  return polyPts;
}

/**
 * Sorts xs[0..k) ascending in place. Insertion sort: k is 2-6 for the face's polygons, where TypedArray#sort on a fresh
 * subarray cost more than the fill itself. Equal values keep their order; only +0/-0 could tell the two sorts apart, and
 * they lead to the same spans below.
 */
function sortSmall(xs: Float64Array, k: number): void {
  for (let i = 1; i < k; i++) {
    const v = xs[i];
    let j = i - 1;
    while (j >= 0 && xs[j] > v) {
      xs[j + 1] = xs[j];
      j--;
    }
    xs[j + 1] = v;
  }
}

/**
 * Fills a polygon (even-odd) with 4 sub-scanlines per pixel row for vertical anti-aliasing and fractional coverage at
 * span ends. `pts` is interleaved x, y; `alpha` the opacity.
 */
export function fillPolygon(c: Canvas, pts: ArrayLike<number>, shade: Shade | number, alpha = 1): void {
  const n = pts.length / 2;
  if (n < 3) return;
  const p = polyScratch(pts);
  let minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const y = p[2 * i + 1];
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const W = c.w, data = c.data;
  const y0 = Math.max(0, Math.floor(minY));
  const y1 = Math.min(c.h - 1, Math.ceil(maxY));
  const s: Shade = typeof shade === 'number' ? { base: shade } : shade;
  const base = s.base;
  const gx = s.gx ?? 0, gy = s.gy ?? 0, radial = s.radial ?? 0;
  const cx = s.cx ?? 0, cy = s.cy ?? 0, irx2 = s.rx ? 1 / (s.rx * s.rx) : 0, iry2 = s.ry ? 1 / (s.ry * s.ry) : 0;
  const SUB = 4;
  if (polyCover.length < W) polyCover = new Float32Array(W);
  const cover = polyCover;
  const xs = xsScratch;
  const cap = xs.length;
  for (let y = y0; y <= y1; y++) {
    // Spans of this row in drawing order (sub-scanline, then left to right), and whether each sub-scanline had one.
    let ns = 0;
    let simple = true;
    let leaks = false;
    let lo = W, hi = -1;
    for (let sub = 0; sub < SUB; sub++) {
      const sy = y + (sub + 0.5) / SUB;
      let k = 0;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ay = p[2 * i + 1], by = p[2 * j + 1];
        if ((ay > sy) !== (by > sy)) {
          const ax = p[2 * i], bx = p[2 * j];
          if (k < cap) xs[k++] = ax + ((sy - ay) / (by - ay)) * (bx - ax);
        }
      }
      const before = ns;
      if (k >= 2) {
        sortSmall(xs, k);
        for (let q = 0; q + 1 < k; q += 2) {
          const xa = Math.max(0, xs[q]), xb = Math.min(W, xs[q + 1]);
          if (xb <= xa) continue;
          const ia = Math.floor(xa), ib = Math.min(W - 1, Math.floor(xb - 1e-9));
          // A span a hair past an integer can end before it starts (ib = ia - 1); only the general path below draws
          // that exactly as before, including the coverage it leaves behind (see coverDirty).
          if (ib < ia) {
            simple = false;
            leaks = true;
          }
          if (ia < lo) lo = ia;
          if (ib > hi) hi = ib;
          if (ns >= spanIa.length) growSpans();
          spanIa[ns] = ia;
          spanIb[ns] = ib;
          spanXa[ns] = xa;
          spanXb[ns] = xb;
          ns++;
        }
      }
      if (ns - before !== 1) simple = false;
    }
    if (ns === 0) continue;
    const row = y * W;
    const ry2 = radial ? (y - cy) * (y - cy) * iry2 : 0;
    if (simple && !coverDirty) {
      // One span per sub-scanline: pixels inside all four spans' interiors got 1/4 four times (exactly 1 in float32);
      // the few others replay their span contributions in drawing order, rounding to float32 after each as cover[] did.
      let coreL = 0, coreR = W - 1;
      for (let q = 0; q < ns; q++) {
        if (spanIa[q] + 1 > coreL) coreL = spanIa[q] + 1;
        if (spanIb[q] - 1 < coreR) coreR = spanIb[q] - 1;
      }
      for (let x = lo; x <= hi; x++) {
        let cov: number;
        if (x >= coreL && x <= coreR) cov = 1;
        else {
          cov = 0;
          for (let q = 0; q < ns; q++) {
            const ia = spanIa[q], ib = spanIb[q];
            if (x < ia || x > ib) continue;
            if (ia === ib) cov = Math.fround(cov + (spanXb[q] - spanXa[q]) / SUB);
            else if (x === ia) cov = Math.fround(cov + (ia + 1 - spanXa[q]) / SUB);
            else if (x === ib) cov = Math.fround(cov + (spanXb[q] - ib) / SUB);
            else cov = Math.fround(cov + 1 / SUB);
          }
        }
        const a = cov * alpha;
        if (a <= 0) continue;
        let v = base + gx * x + gy * y;
        if (radial) v *= 1 - radial * ((x - cx) * (x - cx) * irx2 + ry2);
        const aa = a > 1 ? 1 : a;
        const d = data[row + x];
        data[row + x] = d + (v - d) * aa;
      }
      continue;
    }
    // Several spans on a sub-scanline (or none on some): accumulate coverage per pixel as drawn.
    for (let q = 0; q < ns; q++) {
      const ia = spanIa[q], ib = spanIb[q], xa = spanXa[q], xb = spanXb[q];
      if (ia === ib) {
        cover[ia] += (xb - xa) / SUB;
      } else {
        cover[ia] += (ia + 1 - xa) / SUB;
        for (let x = ia + 1; x < ib; x++) cover[x] += 1 / SUB;
        cover[ib] += (xb - ib) / SUB;
      }
    }
    for (let x = lo; x <= hi; x++) {
      const a = cover[x] * alpha;
      if (a <= 0) continue;
      let v = base + gx * x + gy * y;
      if (radial) v *= 1 - radial * ((x - cx) * (x - cx) * irx2 + ry2);
      const aa = a > 1 ? 1 : a;
      const d = data[row + x];
      data[row + x] = d + (v - d) * aa;
    }
    cover.fill(0, lo, hi + 1);
    if (leaks || coverDirty) coverDirty = cover.some((v) => v !== 0);
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
    // A pixel is covered only within max width / 2 + 0.5 of the segment. Per row, visit just the x range of the segment's
    // points within `reach` (that plus a pixel of margin) in y, widened by reach: pixels skipped are a pixel or more out
    // of reach, far beyond any rounding, so the covered pixels and their values are exactly those of the full box.
    const reach = Math.max(wa, wb) / 2 + 1.5;
    const sxMin = Math.min(ax, bx), sxMax = Math.max(ax, bx);
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      let lx = sxMin, hx = sxMax;
      if (dy !== 0) {
        let ta = (py - reach - ay) / dy, tb = (py + reach - ay) / dy;
        if (ta > tb) {
          const tt = ta;
          ta = tb;
          tb = tt;
        }
        if (ta < 0) ta = 0;
        if (tb > 1) tb = 1;
        if (ta > tb) continue;
        const xa = ax + ta * dx, xb = ax + tb * dx;
        lx = xa < xb ? xa : xb;
        hx = xa < xb ? xb : xa;
      }
      const rx0 = Math.max(x0, Math.floor(lx - reach)), rx1 = Math.min(x1, Math.ceil(hx + reach));
      for (let x = rx0; x <= rx1; x++) {
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
  const data = c.data;
  for (let y = y0; y <= y1; y++) {
    // The mask's crossings of this row, computed once: insidePolygon's test per pixel, without re-walking the edges.
    let nx = 0;
    if (mask) {
      nx = rowCrossings(mask, y + 0.5);
      if (nx === 0) continue;
    }
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
      if (mask) {
        let inside = false;
        for (let q = 0; q < nx; q++) if (px < maskXs[q]) inside = !inside;
        if (!inside) continue;
      }
      const i = row + x;
      const d = data[i];
      data[i] = d + (value - d) * a;
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

let maskXs = new Float64Array(64);

/**
 * The x where each edge of `pts` crosses the horizontal line at `y`, into maskXs (edge order, unsorted); returns their
 * count. Same crossing rule and arithmetic as insidePolygon, so `x < maskXs[q]` toggles exactly as it would there.
 */
function rowCrossings(pts: ArrayLike<number>, y: number): number {
  const n = pts.length / 2;
  if (maskXs.length < n) maskXs = new Float64Array(2 * n);
  let k = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ay = pts[2 * i + 1], by = pts[2 * j + 1];
    if ((ay > y) !== (by > y)) {
      const ax = pts[2 * i], bx = pts[2 * j];
      maskXs[k++] = ax + ((y - ay) / (by - ay)) * (bx - ax);
    }
  }
  return k;
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
  if (factor === 2) {
    // The drawing canvas is always 2x: the same four adds in the same order (row j, then column i), unrolled.
    const src = c.data, dst = out.data, cw = c.w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r0 = 2 * y * cw + 2 * x, r1 = r0 + cw;
        let s = 0;
        s += src[r0];
        s += src[r0 + 1];
        s += src[r1];
        s += src[r1 + 1];
        dst[y * w + x] = s * inv;
      }
    }
    return out;
  }
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

let blurTmp = new Float32Array(0);
let blurAcc = new Float64Array(0);

/**
 * Separable Gaussian blur with standard deviation `sigma` pixels (in place), edges clamped. Every output pixel is the
 * same sum, in the same tap order, as a plain per-pixel loop (taps -r..r, float32 kernel, float32 intermediate image), so
 * the pixels are bit-identical; the loops just keep the clamping out of the interior and walk memory row by row.
 */
export function gaussianBlur(c: Canvas, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.ceil(sigma * 2.5);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const { w, h, data } = c;
  if (blurTmp.length < data.length) blurTmp = new Float32Array(data.length);
  if (blurAcc.length < w) blurAcc = new Float64Array(w);
  const tmp = blurTmp, acc = blurAcc;
  const taps = 2 * r + 1;
  // Horizontal pass: clamped taps only within r of either edge.
  const xi0 = Math.min(r, w), xi1 = Math.max(xi0, w - r);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < xi0; x++) tmp[row + x] = hTap(data, row, x, w, r, k);
    for (let x = xi0; x < xi1; x++) {
      let s = 0;
      const o = row + x - r;
      for (let t = 0; t < taps; t++) s += data[o + t] * k[t];
      tmp[row + x] = s;
    }
    for (let x = xi1; x < w; x++) tmp[row + x] = hTap(data, row, x, w, r, k);
  }
  // Vertical pass: a float64 row of running sums takes the taps in order -r..r, so each pixel's sum is unchanged.
  for (let y = 0; y < h; y++) {
    acc.fill(0, 0, w);
    for (let i = -r; i <= r; i++) {
      const yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
      const kk = k[i + r];
      const src = yy * w;
      for (let x = 0; x < w; x++) acc[x] += tmp[src + x] * kk;
    }
    const row = y * w;
    for (let x = 0; x < w; x++) data[row + x] = acc[x];
  }
}

/** One horizontally blurred pixel with clamped taps (the image's left and right r columns). */
function hTap(data: Float32Array, row: number, x: number, w: number, r: number, k: Float32Array): number {
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
    s += data[row + xx] * k[i + r];
  }
  return s;
}
