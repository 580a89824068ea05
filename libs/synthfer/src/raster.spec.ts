import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { createCanvas, fillEllipse, fillPolygon, gaussianBlur, insidePolygon, strokePolyline, type Canvas, type Shade } from './raster';

// The rasteriser's fast paths (one-span rows, per-row stroke ranges, mask crossings per row, blur without clamping in
// the interior) must draw exactly what the plain per-pixel loops below draw; these are the loops raster.ts had before.

// Shared across calls like raster.ts's scratch row: coverage a degenerate span leaves outside [lo, hi] carries over.
let refCover = new Float32Array(0);

function refFillPolygon(c: Canvas, pts: ArrayLike<number>, shade: Shade | number, alpha = 1): void {
  const n = pts.length / 2;
  if (n < 3) return;
  let minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minY = Math.min(minY, pts[2 * i + 1]);
    maxY = Math.max(maxY, pts[2 * i + 1]);
  }
  const y0 = Math.max(0, Math.floor(minY)), y1 = Math.min(c.h - 1, Math.ceil(maxY));
  const s: Shade = typeof shade === 'number' ? { base: shade } : shade;
  const gx = s.gx ?? 0, gy = s.gy ?? 0, radial = s.radial ?? 0;
  const cx = s.cx ?? 0, cy = s.cy ?? 0, irx2 = s.rx ? 1 / (s.rx * s.rx) : 0, iry2 = s.ry ? 1 / (s.ry * s.ry) : 0;
  const SUB = 4;
  if (refCover.length < c.w) refCover = new Float32Array(c.w);
  const cover = refCover;
  for (let y = y0; y <= y1; y++) {
    let any = false;
    let lo = c.w, hi = -1;
    for (let sub = 0; sub < SUB; sub++) {
      const sy = y + (sub + 0.5) / SUB;
      const xs: number[] = [];
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ay = pts[2 * i + 1], by = pts[2 * j + 1];
        if ((ay > sy) !== (by > sy)) xs.push(pts[2 * i] + ((sy - ay) / (by - ay)) * (pts[2 * j] - pts[2 * i]));
      }
      if (xs.length < 2) continue;
      const sorted = Float64Array.from(xs).sort();
      for (let q = 0; q + 1 < sorted.length; q += 2) {
        const xa = Math.max(0, sorted[q]), xb = Math.min(c.w, sorted[q + 1]);
        if (xb <= xa) continue;
        any = true;
        const ia = Math.floor(xa), ib = Math.min(c.w - 1, Math.floor(xb - 1e-9));
        lo = Math.min(lo, ia);
        hi = Math.max(hi, ib);
        if (ia === ib) cover[ia] += (xb - xa) / SUB;
        else {
          cover[ia] += (ia + 1 - xa) / SUB;
          for (let x = ia + 1; x < ib; x++) cover[x] += 1 / SUB;
          cover[ib] += (xb - ib) / SUB;
        }
      }
    }
    if (!any) continue;
    for (let x = lo; x <= hi; x++) {
      const a = cover[x] * alpha;
      if (a <= 0) continue;
      let v = s.base + gx * x + gy * y;
      if (radial) v *= 1 - radial * ((x - cx) * (x - cx) * irx2 + (y - cy) * (y - cy) * iry2);
      c.data[y * c.w + x] += (v - c.data[y * c.w + x]) * Math.min(1, a);
    }
    cover.fill(0, lo, hi + 1);
  }
}

function refStroke(c: Canvas, pts: ArrayLike<number>, width: number, value: number, alpha = 1, closed = false, width2 = width): void {
  const n = pts.length / 2;
  if (n < 2 || alpha <= 0) return;
  const cov = new Float32Array(c.w * c.h);
  const segs = closed ? n : n - 1;
  for (let s = 0; s < segs; s++) {
    const e = (s + 1) % n;
    const ax = pts[2 * s], ay = pts[2 * s + 1], bx = pts[2 * e], by = pts[2 * e + 1];
    const wa = width + (width2 - width) * (s / segs), wb = width + (width2 - width) * ((s + 1) / segs);
    const half = Math.max(wa, wb) / 2 + 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half)), x1 = Math.min(c.w - 1, Math.ceil(Math.max(ax, bx) + half));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half)), y1 = Math.min(c.h - 1, Math.ceil(Math.max(ay, by) + half));
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const inv = len2 > 0 ? 1 / len2 : 0;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let t = ((x + 0.5 - ax) * dx + (y + 0.5 - ay) * dy) * inv;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const qx = ax + t * dx - (x + 0.5), qy = ay + t * dy - (y + 0.5);
        const v = (wa + (wb - wa) * t) / 2 - Math.sqrt(qx * qx + qy * qy) + 0.5;
        if (v > 0 && Math.min(1, v) > cov[y * c.w + x]) cov[y * c.w + x] = Math.min(1, v);
      }
    }
  }
  for (let i = 0; i < cov.length; i++) if (cov[i] > 0) c.data[i] += (value - c.data[i]) * cov[i] * alpha;
}

function refEllipse(c: Canvas, cx: number, cy: number, rx: number, ry: number, value: number, alpha = 1, mask?: ArrayLike<number>): void {
  const r = Math.min(rx, ry);
  const outer = 1 + 0.5 / r, inner = Math.max(0, 1 - 0.6 / r);
  for (let y = Math.max(0, Math.floor(cy - ry - 1)); y <= Math.min(c.h - 1, Math.ceil(cy + ry + 1)); y++) {
    const dy = (y + 0.5 - cy) / ry;
    const dy2 = dy * dy;
    if (dy2 >= outer * outer) continue;
    const ho = Math.sqrt(outer * outer - dy2) * rx;
    const hi = dy2 < inner * inner ? Math.sqrt(inner * inner - dy2) * rx : -1;
    for (let x = Math.max(0, Math.floor(cx - ho - 0.5)); x <= Math.min(c.w - 1, Math.ceil(cx + ho - 0.5)); x++) {
      const px = x + 0.5;
      let a: number;
      if (hi > 0 && px > cx - hi && px < cx + hi) a = alpha;
      else {
        const dx = (px - cx) / rx;
        const cov = (1 - Math.sqrt(dx * dx + dy2)) * r + 0.5;
        if (cov <= 0) continue;
        a = Math.min(1, cov) * alpha;
      }
      if (mask && !insidePolygon(mask, px, y + 0.5)) continue;
      c.data[y * c.w + x] += (value - c.data[y * c.w + x]) * a;
    }
  }
}

function refBlur(c: Canvas, sigma: number): void {
  if (sigma < 0.2) return;
  const r = Math.ceil(sigma * 2.5);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const { w, h, data } = c;
  const tmp = new Float32Array(data.length);
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += data[y * w + clamp(x + i, w)] * k[i + r];
    tmp[y * w + x] = s;
  }
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let i = -r; i <= r; i++) s += tmp[clamp(y + i, h) * w + x] * k[i + r];
    data[y * w + x] = s;
  }
}

/** A random background so blending differences show. */
function noisyCanvas(rng: Rng, w: number, h: number): Canvas {
  const c = createCanvas(w, h);
  for (let i = 0; i < c.data.length; i++) c.data[i] = rng.uniform();
  return c;
}

function twin(c: Canvas): Canvas {
  return { w: c.w, h: c.h, data: c.data.slice() };
}

/** A random polygon: star-shaped around a centre (simple) or with shuffled vertices (self-intersecting, several spans). */
function randomPolygon(rng: Rng, size: number): number[] {
  const n = 3 + rng.int(28);
  const cx = rng.range(-10, size + 10), cy = rng.range(-10, size + 10), rad = rng.range(1, size * 0.7);
  const pts: number[] = [];
  const tangled = rng.uniform() < 0.3;
  for (let i = 0; i < n; i++) {
    const ang = tangled ? rng.range(0, 2 * Math.PI) : (2 * Math.PI * i) / n;
    let x = cx + Math.cos(ang) * rad * rng.range(0.3, 1), y = cy + Math.sin(ang) * rad * rng.range(0.3, 1);
    // Vertices on integers and quarter rows, and hairs past them, where span ends and sub-scanlines are decided.
    if (rng.uniform() < 0.2) x = Math.round(x) + (rng.uniform() < 0.5 ? 1e-10 : 0);
    if (rng.uniform() < 0.2) y = Math.round(y * 4) / 4 + 0.125;
    pts.push(x, y);
  }
  return pts;
}

describe('raster fast paths', () => {
  it('fillPolygon draws exactly the reference scanline fill (simple and self-intersecting, shaded, clipped)', () => {
    const rng = new Rng(3, 'raster-poly');
    for (let t = 0; t < 400; t++) {
      const size = 16 + rng.int(120);
      const a = noisyCanvas(rng, size, size), b = twin(a);
      const pts = randomPolygon(rng, size);
      const shade: Shade | number = rng.uniform() < 0.5 ? rng.uniform()
        : { base: rng.uniform(), gx: rng.range(-0.01, 0.01), gy: rng.range(-0.01, 0.01), radial: rng.uniform() < 0.5 ? 0.2 : 0, cx: size / 2, cy: size / 2, rx: size / 3, ry: size / 2 };
      const alpha = rng.uniform() < 0.3 ? rng.range(0.2, 1) : 1;
      fillPolygon(a, pts, shade, alpha);
      refFillPolygon(b, pts, shade, alpha);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), `polygon ${t}`).toBe(true);
    }
  });

  it('fillPolygon keeps the coverage a span ending a hair before it starts leaves for the next polygon', () => {
    const a = createCanvas(16, 8, 0.5), b = twin(a);
    const sliver = [5, 0, 5 + 1e-10, 0, 5 + 1e-10, 8, 5, 8];
    const square = [2, 2, 10, 2, 10, 6, 2, 6];
    for (const c of [a, b]) c.data[0] = 0.25;
    fillPolygon(a, sliver, 1);
    refFillPolygon(b, sliver, 1);
    fillPolygon(a, square, 0.9, 0.3);
    refFillPolygon(b, square, 0.9, 0.3);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    // The carried coverage shows in the square's first row (which clears it): columns 4 and 5 are drawn opaque.
    expect(a.data[2 * 16 + 4]).not.toBe(a.data[2 * 16 + 7]);
    expect(a.data[3 * 16 + 4]).toBe(a.data[3 * 16 + 7]);
    // With the leftovers consumed, a fresh square's inner pixels are all alike again.
    const fresh = createCanvas(16, 8, 0.5);
    fillPolygon(fresh, square, 0.9, 0.3);
    expect(fresh.data[2 * 16 + 4]).toBe(fresh.data[2 * 16 + 7]);
  });

  it('strokePolyline draws exactly the full-box reference (long diagonals, tapers, closed, degenerate segments)', () => {
    const rng = new Rng(4, 'raster-stroke');
    for (let t = 0; t < 300; t++) {
      const size = 16 + rng.int(120);
      const a = noisyCanvas(rng, size, size), b = twin(a);
      const n = 2 + rng.int(8);
      const pts: number[] = [];
      for (let i = 0; i < n; i++) pts.push(rng.range(-5, size + 5), rng.uniform() < 0.15 && i > 0 ? pts[2 * i - 1] : rng.range(-5, size + 5));
      if (rng.uniform() < 0.1) pts.push(pts[pts.length - 2], pts[pts.length - 1]);
      const w1 = rng.range(0.3, 8), w2 = rng.uniform() < 0.5 ? w1 : rng.range(0.3, 8);
      const closed = rng.uniform() < 0.2, alpha = rng.range(0.1, 1), value = rng.uniform();
      strokePolyline(a, pts, w1, value, alpha, closed, w2);
      refStroke(b, pts, w1, value, alpha, closed, w2);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), `stroke ${t}`).toBe(true);
    }
  });

  it('fillEllipse with and without a mask draws exactly the per-pixel reference', () => {
    const rng = new Rng(5, 'raster-ellipse');
    for (let t = 0; t < 300; t++) {
      const size = 16 + rng.int(120);
      const a = noisyCanvas(rng, size, size), b = twin(a);
      const mask = rng.uniform() < 0.5 ? randomPolygon(rng, size) : undefined;
      const args = [rng.range(0, size), rng.range(0, size), rng.range(0.3, size / 2), rng.range(0.3, size / 2), rng.uniform(), rng.range(0.2, 1)] as const;
      fillEllipse(a, ...args, mask);
      refEllipse(b, ...args, mask);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), `ellipse ${t}`).toBe(true);
    }
  });

  it('gaussianBlur gives exactly the clamped per-pixel blur, including kernels wider than the image', () => {
    const rng = new Rng(6, 'raster-blur');
    for (let t = 0; t < 60; t++) {
      const w = 2 + rng.int(70), h = 2 + rng.int(70);
      const a = noisyCanvas(rng, w, h), b = twin(a);
      const sigma = rng.uniform() < 0.2 ? rng.range(3, 12) : rng.range(0.1, 3);
      gaussianBlur(a, sigma);
      refBlur(b, sigma);
      expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)), `blur ${t} ${w}x${h} sigma ${sigma}`).toBe(true);
    }
  });
});
