/**
 * t-SNE maps (the paper's Fig. 3/4) robust to outliers. t-SNE sometimes leaves a few points far from the rest; a view
 * fitted to the extremes then squeezes the whole map into a corner. The view is instead fitted to robust quantiles:
 * per axis the 1st-99th percentile range (type 7), widened by a margin of 10% of that range on each side, so the
 * ordinary tails of the clusters stay inside. Points beyond the view are drawn on its edge as triangles, and the
 * caption says how many. Both axes get the same span (square view, square map), so distances read the same both ways.
 */
import { CLASSES } from '@ldl-alsg/labels';
import { quantileSorted } from '../stats';
import type { VegaLiteSpec } from './render-svg';
import { baseSpec, PALETTE } from './theme';

/** How the view is fitted. */
export interface RobustViewOptions {
  /** Lower quantile, default 0.01. */
  low?: number;
  /** Upper quantile, default 0.99. */
  high?: number;
  /** Margin on each side as a share of the quantile range, default 0.1. */
  margin?: number;
}

/** The view of a 2-D point set: x and y domains of equal span, and which points lie outside it. */
export interface RobustView {
  x: [number, number];
  y: [number, number];
  /** Per point: true when it lies outside the view (drawn clamped to the edge). */
  outside: boolean[];
  clipped: number;
}

/** Fits the view to `points` (x0, y0, x1, y1, ...; n points). */
export function robustView(points: ArrayLike<number>, n: number, options: RobustViewOptions = {}): RobustView {
  const low = options.low ?? 0.01;
  const high = options.high ?? 0.99;
  const margin = options.margin ?? 0.1;
  const axis = (c: number): [number, number] => {
    const v = Float64Array.from({ length: n }, (_, i) => points[2 * i + c]).sort();
    const lo = quantileSorted(v, low);
    const hi = quantileSorted(v, high);
    const pad = (hi - lo) * margin;
    return [lo - pad, hi + pad];
  };
  const ax = axis(0);
  const ay = axis(1);
  // Same span on both axes, centred on each axis's own range.
  const span = Math.max(ax[1] - ax[0], ay[1] - ay[0]) || 1;
  const centred = (a: [number, number]): [number, number] => {
    const mid = (a[0] + a[1]) / 2;
    return [mid - span / 2, mid + span / 2];
  };
  const x = centred(ax);
  const y = centred(ay);
  const outside = Array.from({ length: n }, (_, i) => points[2 * i] < x[0] || points[2 * i] > x[1] || points[2 * i + 1] < y[0] || points[2 * i + 1] > y[1]);
  return { x, y, outside, clipped: outside.filter((o) => o).length };
}

/** The Vega-Lite spec of a map coloured by class, with the view and the clipped points. */
export function tsneSpec(args: { title: string; points: ArrayLike<number>; classes: readonly number[]; view: RobustView }): VegaLiteSpec {
  const { view } = args;
  // Rounded to 6 significant figures (far below a pixel): the data, and so the SVG, do not depend on float noise
  // digits; the domains too, so a point clamped to the edge stays on it after rounding.
  const round = (v: number): number => Number(v.toPrecision(6));
  const dx: [number, number] = [round(view.x[0]), round(view.x[1])];
  const dy: [number, number] = [round(view.y[0]), round(view.y[1])];
  const clamp = (v: number, d: [number, number]): number => Math.min(d[1], Math.max(d[0], round(v)));
  const values = args.classes.map((c, i) => ({
    x: clamp(args.points[2 * i], dx),
    y: clamp(args.points[2 * i + 1], dy),
    label: CLASSES[c] ?? String(c),
    where: view.outside[i] ? 'outside the view (at its edge)' : 'inside',
  }));
  const axis = { labels: false, ticks: false, grid: false, title: null, domain: false };
  return {
    ...baseSpec(args.title),
    data: { values },
    width: 320,
    height: 320,
    mark: { type: 'point', filled: true, size: 18, opacity: 0.75, aria: false }, // no aria-label per point: it tripled the file
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { domain: dx, nice: false, zero: false }, axis },
      y: { field: 'y', type: 'quantitative', scale: { domain: dy, nice: false, zero: false }, axis },
      color: { field: 'label', type: 'nominal', title: 'label', scale: { domain: [...CLASSES], range: PALETTE.slice(0, CLASSES.length) } },
      shape: { field: 'where', type: 'nominal', title: null, scale: { domain: ['inside', 'outside the view (at its edge)'], range: ['circle', 'triangle-up'] } },
    },
  };
}
