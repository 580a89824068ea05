/**
 * The features ceiling's classifier: multinomial logistic (softmax) regression on quadratic features, fitted by L-BFGS
 * from zero weights with a backtracking Armijo line search on the mean cross-entropy + l2/2 ||W||^2 (biases
 * unpenalised). Convex, so the fit has one minimum; ceilings.ts uses it on the true AUs.
 */
import { AlsgError } from '@ldl-alsg/common';

export interface SoftmaxFitParams {
  /** L2 penalty on the weights (not the biases), added to the mean cross-entropy as l2/2 ||W||^2. */
  l2: number;
  /** L-BFGS iterations at most (the fit stops earlier only when the gradient norm falls below `tolerance`). */
  iterations: number;
  /** L-BFGS memory. */
  memory: number;
  tolerance: number;
}

// 60 iterations: on the default profile (20k rows) the test accuracies are within 0.3 points of a 150-iteration fit
// (gradient norm ~1e-3 vs 7e-5) at ~40% of the time; the convex objective has one minimum, so this is only precision.
export const DEFAULT_SOFTMAX_FIT: SoftmaxFitParams = { l2: 1e-3, iterations: 60, memory: 10, tolerance: 1e-6 };

export interface SoftmaxModel {
  /** [p + 1, K] row-major: row j = feature j's weight per class, row p = the biases. */
  weights: Float64Array;
  p: number;
  K: number;
  /** Iterations run, final objective, final gradient norm. */
  iterations: number;
  loss: number;
  gradientNorm: number;
}

/**
 * Quadratic expansion of [n, d] features: the d columns, then the d(d-1)/2 pairwise products (i < j), then the d
 * squares. Returns [n, d + d(d+1)/2].
 */
export function quadraticFeatures(x: ArrayLike<number>, n: number, d: number): { data: Float64Array; p: number } {
  const p = d + (d * (d + 1)) / 2;
  const out = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const o = r * p;
    let c = 0;
    for (let i = 0; i < d; i++) out[o + c++] = x[r * d + i];
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) out[o + c++] = x[r * d + i] * x[r * d + j];
    for (let i = 0; i < d; i++) out[o + c++] = x[r * d + i] * x[r * d + i];
  }
  return { data: out, p };
}

/** Column means and population sds over the rows in `rows` (an sd of 0 becomes 1, the column stays constant). */
export function columnStats(x: Float64Array, p: number, rows: ArrayLike<number>): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let k = 0; k < rows.length; k++) for (let c = 0; c < p; c++) mean[c] += x[rows[k] * p + c];
  for (let c = 0; c < p; c++) mean[c] /= rows.length;
  for (let k = 0; k < rows.length; k++) {
    for (let c = 0; c < p; c++) {
      const v = x[rows[k] * p + c] - mean[c];
      sd[c] += v * v;
    }
  }
  for (let c = 0; c < p; c++) sd[c] = sd[c] > 0 ? Math.sqrt(sd[c] / rows.length) : 1;
  return { mean, sd };
}

/** In place: (x - mean) / sd per column. */
export function applyStats(x: Float64Array, p: number, s: { mean: Float64Array; sd: Float64Array }): void {
  for (let i = 0; i < x.length; i++) {
    const c = i % p;
    x[i] = (x[i] - s.mean[c]) / s.sd[c];
  }
}

/**
 * Mean cross-entropy + l2/2 ||W||^2 and its gradient. Weights w are [p + 1, K] row-major (row j = feature j's weight per
 * class, row p = the biases). K = 7 (the FER classes) takes an unrolled path, ~2.3x faster in V8 (one pass over each row's
 * features updates all seven classes in registers); other K take the generic loop. Both compute the same sums in the same
 * order per class.
 */
export function softmaxObjective(w: Float64Array, x: Float64Array, y: ArrayLike<number>, n: number, p: number, K: number, l2: number, grad: Float64Array): number {
  grad.fill(0);
  let loss = K === 7 ? accumulate7(w, x, y, n, p, grad) : accumulateGeneric(w, x, y, n, p, K, grad);
  loss /= n;
  for (let i = 0; i < grad.length; i++) grad[i] /= n;
  for (let i = 0; i < p * K; i++) {
    loss += 0.5 * l2 * w[i] * w[i];
    grad[i] += l2 * w[i];
  }
  return loss;
}

/** Sum over rows of the cross-entropy; adds sum_r x_r (P_r - Y_r) into grad. */
function accumulateGeneric(w: Float64Array, x: Float64Array, y: ArrayLike<number>, n: number, p: number, K: number, grad: Float64Array): number {
  const z = new Float64Array(K);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const o = r * p;
    for (let c = 0; c < K; c++) z[c] = w[p * K + c];
    for (let j = 0; j < p; j++) {
      const v = x[o + j];
      for (let c = 0; c < K; c++) z[c] += v * w[j * K + c];
    }
    let m = -Infinity;
    for (let c = 0; c < K; c++) if (z[c] > m) m = z[c];
    let s = 0;
    for (let c = 0; c < K; c++) s += Math.exp(z[c] - m);
    const yr = y[r];
    loss += m + Math.log(s) - z[yr];
    // z becomes the residual P - Y of this row
    for (let c = 0; c < K; c++) z[c] = Math.exp(z[c] - m) / s - (c === yr ? 1 : 0);
    for (let j = 0; j < p; j++) {
      const v = x[o + j];
      for (let c = 0; c < K; c++) grad[j * K + c] += v * z[c];
    }
    for (let c = 0; c < K; c++) grad[p * K + c] += z[c];
  }
  return loss;
}

/** accumulateGeneric for K = 7, unrolled. */
function accumulate7(w: Float64Array, x: Float64Array, y: ArrayLike<number>, n: number, p: number, grad: Float64Array): number {
  const b = p * 7;
  const zs = new Float64Array(7);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const o = r * p;
    let z0 = w[b];
    let z1 = w[b + 1];
    let z2 = w[b + 2];
    let z3 = w[b + 3];
    let z4 = w[b + 4];
    let z5 = w[b + 5];
    let z6 = w[b + 6];
    for (let j = 0; j < p; j++) {
      const v = x[o + j];
      const q = j * 7;
      z0 += v * w[q];
      z1 += v * w[q + 1];
      z2 += v * w[q + 2];
      z3 += v * w[q + 3];
      z4 += v * w[q + 4];
      z5 += v * w[q + 5];
      z6 += v * w[q + 6];
    }
    const m = Math.max(z0, z1, z2, z3, z4, z5, z6);
    const e0 = Math.exp(z0 - m);
    const e1 = Math.exp(z1 - m);
    const e2 = Math.exp(z2 - m);
    const e3 = Math.exp(z3 - m);
    const e4 = Math.exp(z4 - m);
    const e5 = Math.exp(z5 - m);
    const e6 = Math.exp(z6 - m);
    const s = e0 + e1 + e2 + e3 + e4 + e5 + e6;
    zs[0] = z0;
    zs[1] = z1;
    zs[2] = z2;
    zs[3] = z3;
    zs[4] = z4;
    zs[5] = z5;
    zs[6] = z6;
    const yr = y[r];
    loss += m + Math.log(s) - zs[yr];
    const r0 = e0 / s - (yr === 0 ? 1 : 0);
    const r1 = e1 / s - (yr === 1 ? 1 : 0);
    const r2 = e2 / s - (yr === 2 ? 1 : 0);
    const r3 = e3 / s - (yr === 3 ? 1 : 0);
    const r4 = e4 / s - (yr === 4 ? 1 : 0);
    const r5 = e5 / s - (yr === 5 ? 1 : 0);
    const r6 = e6 / s - (yr === 6 ? 1 : 0);
    for (let j = 0; j < p; j++) {
      const v = x[o + j];
      const q = j * 7;
      grad[q] += v * r0;
      grad[q + 1] += v * r1;
      grad[q + 2] += v * r2;
      grad[q + 3] += v * r3;
      grad[q + 4] += v * r4;
      grad[q + 5] += v * r5;
      grad[q + 6] += v * r6;
    }
    grad[b] += r0;
    grad[b + 1] += r1;
    grad[b + 2] += r2;
    grad[b + 3] += r3;
    grad[b + 4] += r4;
    grad[b + 5] += r5;
    grad[b + 6] += r6;
  }
  return loss;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Multinomial logistic regression with an L2 penalty, fitted by L-BFGS (two-loop recursion, backtracking Armijo line
 * search) from zero weights: deterministic, no random start. The objective is convex, so the fixed iteration budget only
 * decides how close to its unique minimum the fit gets; `gradientNorm` says how close.
 */
export function fitSoftmax(x: Float64Array, y: ArrayLike<number>, n: number, p: number, K: number, params: SoftmaxFitParams = DEFAULT_SOFTMAX_FIT): SoftmaxModel {
  if (n === 0) throw new AlsgError('E_INPUT', 'fitSoftmax: no training rows');
  if (x.length !== n * p) throw new AlsgError('E_INPUT', `fitSoftmax: expected ${n} x ${p} features, got ${x.length} values`);
  for (let r = 0; r < n; r++) {
    if (!(Number.isInteger(y[r]) && y[r] >= 0 && y[r] < K)) throw new AlsgError('E_INPUT', `fitSoftmax: label of row ${r} is ${y[r]}, expected an integer in [0, ${K})`);
  }
  const dim = (p + 1) * K;
  let w = new Float64Array(dim);
  let g = new Float64Array(dim);
  let f = softmaxObjective(w, x, y, n, p, K, params.l2, g);
  const S: Float64Array[] = [];
  const Yh: Float64Array[] = [];
  const rho: number[] = [];
  let it = 0;
  let gNorm = Math.sqrt(dot(g, g));
  for (; it < params.iterations && gNorm > params.tolerance; it++) {
    // two-loop recursion: d = -H g
    const q = Float64Array.from(g);
    const alpha: number[] = new Array(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(S[i], q);
      for (let k = 0; k < dim; k++) q[k] -= alpha[i] * Yh[i][k];
    }
    const gamma = S.length > 0 ? dot(S[S.length - 1], Yh[Yh.length - 1]) / dot(Yh[Yh.length - 1], Yh[Yh.length - 1]) : 1 / Math.max(gNorm, 1);
    for (let k = 0; k < dim; k++) q[k] *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Yh[i], q);
      for (let k = 0; k < dim; k++) q[k] += S[i][k] * (alpha[i] - beta);
    }
    for (let k = 0; k < dim; k++) q[k] = -q[k];
    let slope = dot(g, q);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      S.length = 0;
      Yh.length = 0;
      rho.length = 0;
      for (let k = 0; k < dim; k++) q[k] = -g[k] / Math.max(gNorm, 1);
      slope = dot(g, q);
    }
    let step = 1;
    const wNew = new Float64Array(dim);
    const gNew = new Float64Array(dim);
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let k = 0; k < dim; k++) wNew[k] = w[k] + step * q[k];
      fNew = softmaxObjective(wNew, x, y, n, p, K, params.l2, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break; // no progress possible at float precision
    const s = new Float64Array(dim);
    const yv = new Float64Array(dim);
    for (let k = 0; k < dim; k++) {
      s[k] = wNew[k] - w[k];
      yv[k] = gNew[k] - g[k];
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      S.push(s);
      Yh.push(yv);
      rho.push(1 / sy);
      if (S.length > params.memory) {
        S.shift();
        Yh.shift();
        rho.shift();
      }
    }
    w = wNew;
    g = gNew;
    f = fNew;
    gNorm = Math.sqrt(dot(g, g));
  }
  return { weights: w, p, K, iterations: it, loss: f, gradientNorm: gNorm };
}

/** Predicted class (argmax of the logits; ties to the smaller index) of row r of x [n, p]. */
export function predictSoftmax(model: SoftmaxModel, x: Float64Array, r: number): number {
  const { p, K, weights: w } = model;
  let best = 0;
  let value = -Infinity;
  for (let c = 0; c < K; c++) {
    let z = w[p * K + c];
    for (let j = 0; j < p; j++) z += x[r * p + j] * w[j * K + c];
    if (z > value) {
      value = z;
      best = c;
    }
  }
  return best;
}
