/**
 * The search itself, run inside the search process (knn-worker.ts): builds a FAISS index over the graph's rows, finds
 * every row's k nearest other rows (exact or approximate), and measures recall@k of an approximate graph against exact
 * search on a seeded sample of rows.
 *
 * Exact mode guarantees the result an exhaustive float64 scan would give (ties by smaller index): FAISS's float32
 * distances only pick candidates; each row asks for a few more than k, re-ranks them exactly (rank.ts), and when the
 * k-th exact distance is not safely below the last candidate's FAISS distance (a tie or near-tie could sit just past the
 * candidate list: many duplicates, equal distances on integer data), that row is searched again with twice as many.
 */
import { AlsgError, Rng } from '@ldl-alsg/common';
import type { SearchBackend, SearchIndex } from './backends';
import type { ResolvedKnnOptions } from './options';
import { rankCandidates, recallAtK, scanRow, type RankedRow } from './rank';

/** Called between chunks: phase name, rows done, rows in the phase. */
export type ProgressFn = (phase: string, done: number, total: number) => void;

export interface RecallInfo {
  /** recall@k against exact search; 1 in exact mode (it is the ground truth); null when not measured. */
  value: number | null;
  /** Rows the value was measured on (0 in exact mode). */
  sample: number;
  /** How the value was obtained. */
  method: string;
}

export interface SearchInfo {
  backend: string;
  backendVersion: string;
  /** faiss index_factory description of the index searched. */
  description: string;
  threads: { omp: number; openblas: number } | null;
  /** HNSW: OpenMP threads that inserted the rows (1: the same graph every run); null for other modes. */
  hnswBuildThreads: number | null;
  /** Candidates asked per row in the first pass. */
  candidates: number;
  /** Exact mode: rows searched again with more candidates because of ties / near-ties at the k-th neighbour. */
  expandedRows: number;
  /** Approximate modes: rows the index returned fewer than k others for, completed by an exact scan. */
  fallbackRows: number;
  /** HNSW: rows stored in locality order, grouped around this many seeded centres (see localityOrder); null: input order. */
  localityGroups: number | null;
  recall: RecallInfo;
  /** Seconds per phase. */
  timings: { build: number; search: number; recall: number };
  /** Peak resident set size of the search process, MB (set by the worker). */
  searchProcessPeakRssMB?: number;
  /** CPU seconds (user + system, all threads) the search process used (set by the worker): wall / CPU shows contention. */
  searchProcessCpuSeconds?: number;
}

export interface SearchResult {
  /** [n, k] graph-row ids, nearest first. */
  neighbors: Int32Array;
  /** [n, k] exact squared distances (float64). */
  squaredDistances: Float64Array;
  info: SearchInfo;
}

const now = (): number => performance.now() / 1000;
/** Below this many rows the graph's memory fits the caches anyway and the locality order is skipped. */
const LOCALITY_MIN_ROWS = 20_000;
/**
 * Mean rows per locality group: ~1000 rows of 136 float32 (544 KB) fit a core's L2 cache here (1.25 MB), and few groups
 * keep the assignment (a flat search of every row against n / 1000 centres) cheap.
 */
const LOCALITY_GROUP_ROWS = 1000;
const EPS32 = 2 ** -23;

/**
 * Refuses to store a row with fewer than k neighbours. The output arrays start zero-filled, so a short list written into
 * them reads as neighbours [.., 0, 0] at distance 0 (similarity 1): a wrong graph that looks fine. It happens only when
 * FAISS returns no result for rows it should have found (non-finite float32 distances), which the magnitude check in
 * features.ts is meant to prevent; this is the guard behind it.
 */
function requireComplete(ranked: RankedRow, k: number, i: number, n: number, how: string): void {
  if (ranked.ids.length === k) return;
  throw new AlsgError(
    'E_NUMERIC',
    `knn: row ${i} has only ${ranked.ids.length} of its k = ${k} neighbours after ${how} over ${n} rows; FAISS returned no result for the others (non-finite float32 distances: features too large or degenerate). No graph was written`,
    { row: i },
  );
}

/** Column means (float64) used to centre the data handed to FAISS: it keeps ||x||^2 small, so flat search rounds less. */
function columnMeans(data: Float32Array, n: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) m[c] += data[i * d + c];
  for (let c = 0; c < d; c++) m[c] /= n;
  return m;
}

/** Centred float32 copies of the given rows (a contiguous range or a list). */
function centredRows(data: Float32Array, d: number, mean: Float64Array, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * d;
    for (let c = 0; c < d; c++) out[r * d + c] = data[base + c] - mean[c];
  }
  return out;
}

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/**
 * Adds all rows (centred) to `index` in chunks, reporting progress; with `order`, index position p holds row order[p];
 * with `ompThreads`, each add runs with that many OpenMP threads.
 */
function addAll(index: SearchIndex, data: Float32Array, n: number, d: number, mean: Float64Array, chunk: number, progress: ProgressFn, order?: Int32Array, ompThreads?: number): void {
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    index.add(centredRows(data, d, mean, order ? order.subarray(s, e) : range(s, e)), ompThreads);
    progress('add', e, n);
  }
}

/**
 * A row order that puts near rows next to each other: each row goes to the nearest of `groups` seeded random rows
 * (one flat search), rows sorted by group, stable. Why: HNSW in libfaiss 1.7.3 walks the graph with one random memory
 * access per visited vector, and on 300k rows (20-160 MB) those are cache misses that cost more than the distances.
 * Stored in this order, a graph neighbourhood lies in a few contiguous runs, and consecutive queries (also in this
 * order) walk the same region, so the caches hold it. The order changes only where vectors sit in memory; every id is
 * mapped back before ranking.
 */
export function localityOrder(backend: SearchBackend, data: Float32Array, n: number, d: number, mean: Float64Array, groups: number, seed: number, chunk: number): Int32Array {
  const m = Math.min(n, groups);
  const centres = backend.create(d, 'Flat');
  centres.add(centredRows(data, d, mean, sampleRows(n, m, seed)));
  const group = new Int32Array(n);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    const { labels } = centres.search(centredRows(data, d, mean, range(s, e)), 1);
    group.set(labels, s);
  }
  centres.free();
  // counting sort by group: stable, O(n)
  const start = new Int32Array(m + 1);
  for (let i = 0; i < n; i++) start[Math.max(0, group[i]) + 1]++;
  for (let g = 0; g < m; g++) start[g + 1] += start[g];
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[start[Math.max(0, group[i])]++] = i;
  return order;
}

/**
 * Exact k nearest neighbours of `queryRows` using a flat index over all n rows, with the tie-safe expansion described in
 * the file comment. Returns [queryRows.length, k] ids and exact squared distances.
 */
function exactNeighbours(
  index: SearchIndex,
  data: Float32Array,
  n: number,
  d: number,
  mean: Float64Array,
  queryRows: Int32Array,
  k: number,
  chunk: number,
  phase: string,
  progress: ProgressFn,
): { ids: Int32Array; dist: Float64Array; expanded: number; candidates: number } {
  // Bound on |FAISS float32 distance - exact distance|: BLAS's ||x||^2 + ||y||^2 - 2<x,y> loses up to ~d ulps of the norms.
  const normSq = (i: number): number => {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = data[i * d + c] - mean[c];
      s += v * v;
    }
    return s;
  };
  let maxNormSq = 0;
  for (let i = 0; i < n; i++) maxNormSq = Math.max(maxNormSq, normSq(i));
  const tolerance = (i: number): number => 2 * (d + 2) * EPS32 * (normSq(i) + maxNormSq) + 1e-30;

  const ids = new Int32Array(queryRows.length * k);
  const dist = new Float64Array(queryRows.length * k);
  const first = Math.min(n, k + 4);
  let pending = range(0, queryRows.length); // positions into queryRows
  let want = first;
  let expanded = 0;
  let done = 0;
  while (pending.length > 0) {
    const retry: number[] = [];
    for (let s = 0; s < pending.length; s += chunk) {
      const positions = pending.subarray(s, Math.min(pending.length, s + chunk));
      const rows = Array.from(positions, (p) => queryRows[p]);
      const { labels, distances } = index.search(centredRows(data, d, mean, rows), want);
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r];
        const ranked = rankCandidates(data, d, i, labels.subarray(r * want, (r + 1) * want), k);
        const complete = want >= n; // every row was a candidate: nothing can hide past the list
        const safe = complete || (ranked.ids.length === k && ranked.dist[k - 1] + tolerance(i) < distances[(r + 1) * want - 1]);
        if (!safe) {
          retry.push(positions[r]);
          continue;
        }
        requireComplete(ranked, k, i, n, 'an exhaustive flat search');
        ids.set(ranked.ids, positions[r] * k);
        dist.set(ranked.dist, positions[r] * k);
        done++;
      }
      progress(phase, done, queryRows.length);
    }
    expanded += retry.length;
    pending = Int32Array.from(retry);
    want = Math.min(n, want * 2);
  }
  return { ids, dist, expanded, candidates: first };
}

/** A seeded sample of `size` distinct rows of [0, n), sorted. */
export function sampleRows(n: number, size: number, seed: number): Int32Array {
  const rng = new Rng(seed, 'knn-recall-sample');
  const all = range(0, n);
  for (let s = 0; s < size; s++) {
    const j = s + rng.int(n - s);
    const t = all[s];
    all[s] = all[j];
    all[j] = t;
  }
  return all.slice(0, size).sort();
}

/** faiss index_factory description for the resolved options. */
export function indexDescription(o: ResolvedKnnOptions): string {
  const pre = o.pca > 0 ? `PCA${o.pca},` : '';
  if (o.mode === 'ivf') return `${pre}IVF${o.nlist},Flat`;
  if (o.mode === 'hnsw') return `${pre}HNSW${o.M}`;
  return 'Flat';
}

/** Builds the graph over `data` [n, d] (the rows of the graph, already standardised if asked). */
export function searchGraph(backend: SearchBackend, data: Float32Array, n: number, d: number, o: ResolvedKnnOptions, progress: ProgressFn): SearchResult {
  const k = o.k;
  const mean = columnMeans(data, n, d);
  const description = indexDescription(o);
  // Only HNSW insertion is order-dependent across OpenMP threads (docs/graph.md "Repeatable HNSW builds").
  const insertThreads = o.mode === 'hnsw' ? o.hnswBuildThreads : null;
  const info: SearchInfo = {
    backend: backend.name,
    backendVersion: backend.version,
    description,
    threads: backend.threads ?? null,
    hnswBuildThreads: insertThreads,
    candidates: 0,
    expandedRows: 0,
    fallbackRows: 0,
    localityGroups: null,
    recall: { value: 1, sample: 0, method: 'exact search is the ground truth' },
    timings: { build: 0, search: 0, recall: 0 },
  };
  const addChunk = 65536;

  if (o.mode === 'exact') {
    let t = now();
    const index = backend.create(d, 'Flat');
    addAll(index, data, n, d, mean, addChunk, progress);
    info.timings.build = now() - t;
    t = now();
    const r = exactNeighbours(index, data, n, d, mean, range(0, n), k, o.chunkSize, 'search', progress);
    index.free();
    info.timings.search = now() - t;
    info.candidates = r.candidates;
    info.expandedRows = r.expanded;
    return { neighbors: r.ids, squaredDistances: r.dist, info };
  }

  // --- approximate: IVF or HNSW ---
  let t = now();
  const index = backend.create(d, description);
  if (o.mode === 'hnsw') index.setParam('efConstruction', o.efConstruction);
  if (!index.isTrained()) {
    // A seeded sample: k-means needs no more than ~64 points per list for IVF-Flat (FAISS itself caps at 256), and a PCA
    // of <= 136 dimensions is well determined by 50k rows.
    const size = Math.max(o.mode === 'ivf' ? o.nlist * 64 : 0, o.pca > 0 ? 50_000 : 0);
    const trainRows = sampleRows(n, Math.min(n, size), o.seed);
    index.train(centredRows(data, d, mean, trainRows));
  }
  // ALSG_KNN_LOCALITY=off stores rows in input order (tools/bench/graph.ts's locality=off, for same-run comparisons).
  const useOrder = o.mode === 'hnsw' && n > LOCALITY_MIN_ROWS && process.env.ALSG_KNN_LOCALITY !== 'off';
  const order = useOrder ? localityOrder(backend, data, n, d, mean, Math.ceil(n / LOCALITY_GROUP_ROWS), o.seed, o.chunkSize) : undefined;
  if (order) info.localityGroups = Math.min(n, Math.ceil(n / LOCALITY_GROUP_ROWS));
  addAll(index, data, n, d, mean, addChunk, progress, order, insertThreads ?? undefined);
  if (o.mode === 'ivf') index.setParam('nprobe', o.nprobe);
  if (o.mode === 'hnsw') index.setParam('efSearch', o.efSearch);
  info.timings.build = now() - t;

  t = now();
  const neighbors = new Int32Array(n * k);
  const squaredDistances = new Float64Array(n * k);
  const want = o.candidates; // k + 1 by default: self is normally among the results
  info.candidates = want;
  const short: number[] = [];
  // Index positions back to row ids (no-op without a locality order).
  const toRows = (labels: Int32Array): Int32Array => {
    if (order) for (let j = 0; j < labels.length; j++) if (labels[j] >= 0) labels[j] = order[labels[j]];
    return labels;
  };
  for (let s = 0; s < n; s += o.chunkSize) {
    const e = Math.min(n, s + o.chunkSize);
    const rows = order ? order.subarray(s, e) : range(s, e);
    const labels = toRows(index.search(centredRows(data, d, mean, rows), want).labels);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const ranked = rankCandidates(data, d, i, labels.subarray(r * want, (r + 1) * want), k);
      if (ranked.ids.length < k) short.push(i);
      neighbors.set(ranked.ids, i * k);
      squaredDistances.set(ranked.dist, i * k);
    }
    progress('search', e, n);
  }
  // Rows with fewer than k results (self not returned and a duplicate missing, or IVF lists too small): ask again
  // with more candidates, then scan exactly what is still short.
  if (short.length > 0) {
    const more = Math.min(n, 4 * want);
    if (o.mode === 'hnsw') index.setParam('efSearch', Math.max(o.efSearch, more));
    const labels = toRows(index.search(centredRows(data, d, mean, short), more).labels);
    short.forEach((i, r) => {
      let ranked = rankCandidates(data, d, i, labels.subarray(r * more, (r + 1) * more), k);
      if (ranked.ids.length < k) {
        ranked = scanRow(data, n, d, i, k);
        info.fallbackRows++;
      }
      requireComplete(ranked, k, i, n, 'an exact scan');
      neighbors.set(ranked.ids, i * k);
      squaredDistances.set(ranked.dist, i * k);
    });
  }
  index.free();
  info.timings.search = now() - t;

  // recall@k on a seeded sample, against the exact neighbours of the same rows
  t = now();
  if (o.recallSample > 0) {
    const rows = sampleRows(n, o.recallSample, o.seed);
    const flat = backend.create(d, 'Flat');
    addAll(flat, data, n, d, mean, addChunk, () => undefined);
    const truth = exactNeighbours(flat, data, n, d, mean, rows, k, o.chunkSize, 'recall', progress);
    flat.free();
    const approx = new Int32Array(rows.length * k);
    rows.forEach((i, r) => approx.set(neighbors.subarray(i * k, (i + 1) * k), r * k));
    info.recall = { value: recallAtK(approx, truth.ids, k), sample: rows.length, method: `exact flat search on ${rows.length} seeded random rows` };
  } else {
    info.recall = { value: null, sample: 0, method: 'not measured (recallSample 0)' };
  }
  info.timings.recall = now() - t;
  return { neighbors, squaredDistances, info };
}
