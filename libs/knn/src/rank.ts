/**
 * Turns a search's candidate ids into a row of the index-similarity list: exact squared distances in float64, self
 * removed, ordered by (distance, index). FAISS's own distances are float32 and, for flat search, computed as
 * ||x||^2 + ||y||^2 - 2<x,y> with BLAS, so two equal distances can come back in either order and a duplicate of a row
 * can come back at a tiny non-zero distance; re-ranking by an exact computation makes ties break by the smaller index
 * on every machine.
 */

/** ||x_i - x_j||^2 in float64 for rows i, j of a row-major [n, d] matrix. */
export function squaredDistance(data: Float32Array, d: number, i: number, j: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let c = 0; c < d; c++) {
    const diff = data[a + c] - data[b + c];
    s += diff * diff;
  }
  return s;
}

/** The k best of one row: ids and their exact squared distances, nearest first. */
export interface RankedRow {
  ids: number[];
  dist: number[];
}

/**
 * Ranks `candidates` (graph-row ids; negative ids are "no result" and skipped) for query row `i`: drops `i` itself (a
 * duplicate of i, at distance 0, stays a valid neighbour), removes repeated ids, sorts by (exact distance, id) and keeps
 * the first `k` (fewer when there are not enough candidates).
 */
export function rankCandidates(data: Float32Array, d: number, i: number, candidates: ArrayLike<number>, k: number): RankedRow {
  // Insertion into a short sorted list: candidate lists are a handful of ids, so this beats building and sorting pairs
  // (it runs once per row: 300k times for a paper-size graph).
  const ids: number[] = [];
  const dist: number[] = [];
  for (let c = 0; c < candidates.length; c++) {
    const j = candidates[c];
    if (j < 0 || j === i || ids.includes(j)) continue;
    const e = squaredDistance(data, d, i, j);
    let p = ids.length;
    while (p > 0 && (dist[p - 1] > e || (dist[p - 1] === e && ids[p - 1] > j))) p--;
    if (p >= k) continue;
    ids.splice(p, 0, j);
    dist.splice(p, 0, e);
    if (ids.length > k) {
      ids.pop();
      dist.pop();
    }
  }
  return { ids, dist };
}

/**
 * Exact k nearest neighbours of row `i` by scanning every row (O(n d)): the fallback for the rare row an approximate
 * index returns too few results for. Same ordering rules as {@link rankCandidates}.
 */
export function scanRow(data: Float32Array, n: number, d: number, i: number, k: number): RankedRow {
  const bestD: number[] = [];
  const bestI: number[] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const dist = squaredDistance(data, d, i, j);
    if (bestD.length === k && dist >= bestD[k - 1]) continue; // j > every kept id, so an equal distance loses the tie
    let p = bestD.length;
    while (p > 0 && bestD[p - 1] > dist) p--;
    bestD.splice(p, 0, dist);
    bestI.splice(p, 0, j);
    if (bestD.length > k) {
      bestD.pop();
      bestI.pop();
    }
  }
  return { ids: bestI, dist: bestD };
}

/**
 * recall@k of an approximate graph against exact neighbours on the same rows: the mean over rows of
 * |approx_i ∩ exact_i| / k. Both arrays are [rows, k] row-major.
 */
export function recallAtK(approx: Int32Array, exact: Int32Array, k: number): number {
  const rows = exact.length / k;
  if (rows === 0) return Number.NaN;
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    const truth = new Set<number>();
    for (let c = 0; c < k; c++) truth.add(exact[r * k + c]);
    for (let c = 0; c < k; c++) if (truth.has(approx[r * k + c])) hits++;
  }
  return hits / (rows * k);
}
