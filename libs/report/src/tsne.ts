/**
 * Exact t-SNE (van der Maaten & Hinton, JMLR 2008), for the paper's Fig. 3/4 maps of the AU and landmark spaces.
 * O(n^2) time and memory, so it runs on a seeded subsample (the report uses at most 1000 points by default).
 *
 * Settings follow the reference implementation (tsne.py / sklearn's exact method): Gaussian input affinities with a
 * per-point bandwidth found by binary search to the target perplexity (default 30), symmetrised P = (P_j|i + P_i|j) / 2n;
 * Student-t output affinities; gradient descent with momentum 0.5 for the first 250 iterations and 0.8 after, early
 * exaggeration 12 for the first 250 iterations, learning rate 200, per-parameter adaptive gains (+0.2 / x0.8, floor
 * 0.01); initial map N(0, 1e-4) from a seeded Rng, so the same seed gives the same map.
 */
import { AlsgError, Rng } from '@ldl-alsg/common';

/** t-SNE options (all optional). */
export interface TsneOptions {
  /** Target perplexity (effective neighbours), default 30; lowered to (n-1)/3 for tiny inputs. */
  perplexity?: number;
  /** Gradient iterations, default 1000. */
  iterations?: number;
  /** Learning rate, default 200. */
  learningRate?: number;
  /** Early exaggeration factor for the first 250 iterations, default 12. */
  exaggeration?: number;
  /** Seed of the initial map, default 0. */
  seed?: number;
}

/** Squared Euclidean distances between all rows of a row-major [n, d] matrix. */
function squaredDistances(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c] - x[j * d + c];
        s += t * t;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Joint probabilities P (symmetric, summing to 1) from distances, with per-point bandwidths matched to `perplexity`. */
export function jointProbabilities(dist: Float64Array, n: number, perplexity: number): Float64Array {
  const target = Math.log(perplexity);
  const p = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    // Scale-free start: distances can be in pixels (landmarks) or 0-5 intensities (AUs).
    let meanD = 0;
    for (let j = 0; j < n; j++) if (j !== i) meanD += dist[i * n + j];
    meanD /= Math.max(1, n - 1);
    if (meanD > 0) beta = 1 / meanD;
    for (let iter = 0; iter < 100; iter++) {
      let sum = 0;
      let minD = Infinity;
      for (let j = 0; j < n; j++) if (j !== i && dist[i * n + j] < minD) minD = dist[i * n + j];
      for (let j = 0; j < n; j++) {
        // Shift by the nearest distance so exp never underflows to an all-zero row.
        row[j] = j === i ? 0 : Math.exp(-(dist[i * n + j] - minD) * beta);
        sum += row[j];
      }
      let h = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const pj = row[j] / sum;
        if (pj > 1e-300) h -= pj * Math.log(pj);
      }
      for (let j = 0; j < n; j++) row[j] /= sum;
      const diff = h - target;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    for (let j = 0; j < n; j++) p[i * n + j] = row[j];
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = Math.max((p[i * n + j] + p[j * n + i]) / (2 * n), 1e-12);
  return out;
}

/**
 * Embeds the rows of a row-major [n, d] matrix in 2-D. Returns row-major [n, 2]. Rows must be finite (filter NaN rows
 * first).
 */
export function tsne(x: ArrayLike<number>, n: number, d: number, options: TsneOptions = {}): Float64Array {
  if (x.length !== n * d) throw new AlsgError('E_INPUT', `tsne: expected ${n}x${d} = ${n * d} values, but got ${x.length}`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new AlsgError('E_NUMERIC', `tsne: value ${i} (row ${Math.floor(i / d)}) is not finite`);
  if (n < 4) throw new AlsgError('E_INPUT', `tsne: needs at least 4 points, but got ${n}`);
  const perplexity = Math.min(options.perplexity ?? 30, (n - 1) / 3);
  const iterations = options.iterations ?? 1000;
  const lr = options.learningRate ?? 200;
  const exaggeration = options.exaggeration ?? 12;
  const P = jointProbabilities(squaredDistances(x, n, d), n, perplexity);
  const rng = new Rng(options.seed ?? 0, 'tsne-init');
  const y = new Float64Array(n * 2).map(() => rng.normal(0, 1e-2));
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const num = new Float64Array(n * n);
  const grad = new Float64Array(n * 2);
  for (let it = 0; it < iterations; it++) {
    const exag = it < 250 ? exaggeration : 1;
    const momentum = it < 250 ? 0.5 : 0.8;
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        num[i * n + j] = q;
        num[j * n + i] = q;
        sumQ += 2 * q;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let gx = 0;
      let gy = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const q = num[i * n + j];
        const mult = (exag * P[i * n + j] - q / sumQ) * q;
        gx += mult * (y[2 * i] - y[2 * j]);
        gy += mult * (y[2 * i + 1] - y[2 * j + 1]);
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }
    for (let k = 0; k < 2 * n; k++) {
      gains[k] = Math.sign(grad[k]) !== Math.sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8;
      if (gains[k] < 0.01) gains[k] = 0.01;
      update[k] = momentum * update[k] - lr * gains[k] * grad[k];
      y[k] += update[k];
    }
    // Keep the map centred (the objective is translation-invariant).
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    for (let i = 0; i < n; i++) {
      y[2 * i] -= mx / n;
      y[2 * i + 1] -= my / n;
    }
  }
  return y;
}

/**
 * A seeded subsample of at most `max` indices out of `candidates` (all when there are fewer), in ascending order.
 */
export function subsample(candidates: readonly number[], max: number, seed: number): number[] {
  if (candidates.length <= max) return [...candidates];
  const rng = new Rng(seed, 'tsne-subsample');
  const pool = [...candidates];
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, max).sort((a, b) => a - b);
}
