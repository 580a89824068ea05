/**
 * Diagnostics of a built graph (the graph stage writes them as diagnostics.json): is the graph informative, and how
 * selective is its Eq. 3 weighting?
 *
 * - similarity: the a_ij over all (centre, neighbour) slots against a_ij of random pairs of graph rows (what a_ij would
 *   be without the graph). a_ij near 1 everywhere means sigma is too wide: every neighbour pulls at full strength.
 * - labels: how often a neighbour's given label equals the centre's, against random pairs (chance agreement), per class.
 * - distribution (only when true label distributions are known, e.g. synthfer): the mean total-variation distance
 *   TV(d_i, d_j) = 1/2 sum_c |d_i,c - d_j,c| between a centre's true distribution and each neighbour's, against k random
 *   rows with the same given label and k random rows; plus the a_ij-weighted mean sum a_ij TV_ij / sum a_ij, i.e. the
 *   pairs weighted as the guidance loss (Eq. 4, sum_j a_ij KL(f_j || f_i)) weighs them.
 *
 * Everything is computed on the graph's rows (indices 0..n-1). Random draws use `new Rng(seed, 'graph-diagnostics/...')`,
 * k draws per centre, so the figures are deterministic given the seed.
 */
import { AlsgError, Rng } from '@ldl-alsg/common';
import { localSimilarity } from '@ldl-alsg/ldl';

export const GRAPH_DIAGNOSTICS_SCHEMA = 'alsg-graph-diagnostics/1';
const QUANTILES = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1] as const;
const HISTOGRAM_BINS = 20;

export interface SimilarityStats {
  /** Slots (graph) or pairs (random) counted. */
  count: number;
  mean: number;
  /** Population standard deviation. */
  sd: number;
  /** Keys p0, p5, p25, p50, p75, p95, p100; linear interpolation between order statistics. */
  quantiles: Record<string, number>;
  /** Counts in `bins` equal bins on [0, 1] (the last bin includes 1). */
  histogram: { bins: number; range: [number, number]; counts: number[] };
  /** Mean over centres of sum_j a_ij: the total pull of the guidance term on a centre. */
  meanRowSum: number;
}

export interface LabelAgreement {
  /** Fraction of neighbour slots whose given label equals the centre's. */
  graph: number;
  /** The same for k random other rows per centre. */
  random: number;
  /** sum_c prior_c^2: the agreement expected of independent random pairs. */
  chance: number;
  perClass: { class: string; centres: number; prior: number; graph: number; random: number }[];
}

export interface DistributionDiagnostics {
  metric: 'total variation';
  /** Centres with a known true distribution (and at least one neighbour with one). */
  centres: number;
  /** Mean TV over (centre, neighbour) slots. */
  graph: number;
  /** sum a_ij TV_ij / sum a_ij over the same slots; null when every a_ij is 0. */
  graphWeighted: number | null;
  /**
   * (sum a)^2 / sum a^2 over the slots, divided by the slots: the fraction of slots that effectively carry the weight.
   * Near 0 = a few near-duplicate pairs dominate graphWeighted (sigma too narrow), so it says little about the guidance.
   */
  effectiveSlotFraction: number | null;
  /** k random rows with the centre's given label. */
  sameLabelRandom: number;
  /** k random rows. */
  random: number;
  /** graph / sameLabelRandom and graphWeighted / sameLabelRandom: below 1 = the graph finds closer distributions than the label alone. */
  ratio: { graph: number; graphWeighted: number | null };
}

export interface GraphDiagnostics {
  schema: typeof GRAPH_DIAGNOSTICS_SCHEMA;
  rows: number;
  k: number;
  sigma: number;
  seed: number;
  similarity: { graph: SimilarityStats; random: SimilarityStats };
  labels: LabelAgreement | null;
  distribution: DistributionDiagnostics | null;
  seconds: number;
}

export interface GraphDiagnosticsInput {
  /** [n, d] rows in the space the graph was searched in (after any alignment / standardisation). */
  features: ArrayLike<number>;
  n: number;
  d: number;
  /** [n, k] graph-row indices (-1 = no neighbour). */
  neighbors: Int32Array;
  /** [n, k] a_ij. */
  similarity: ArrayLike<number>;
  k: number;
  sigma: number;
  seed: number;
  /** Given label index per graph row, with the class names; omit when unknown. */
  labels?: { index: ArrayLike<number>; classes: readonly string[] };
  /** [n, C] true label distributions per graph row (NaN rows = unknown); omit when unknown. */
  distributions?: ArrayLike<number>;
}

/** Type-7 quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Statistics of a_ij values given per slot, grouped `k` per centre for the row sums. */
export function similarityStats(values: ArrayLike<number>, rowSums: ArrayLike<number>): SimilarityStats {
  const sorted = Float64Array.from(values).sort();
  const m = sorted.length;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += sorted[i];
  mean /= m || 1;
  let v = 0;
  for (let i = 0; i < m; i++) v += (sorted[i] - mean) ** 2;
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let i = 0; i < m; i++) counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(sorted[i] * HISTOGRAM_BINS)))]++;
  let rs = 0;
  for (let i = 0; i < rowSums.length; i++) rs += rowSums[i];
  return {
    count: m,
    mean: m ? mean : Number.NaN,
    sd: m ? Math.sqrt(v / m) : Number.NaN,
    quantiles: Object.fromEntries(QUANTILES.map((q) => [`p${Math.round(q * 100)}`, quantile(sorted, q)])),
    histogram: { bins: HISTOGRAM_BINS, range: [0, 1], counts },
    meanRowSum: rowSums.length ? rs / rowSums.length : Number.NaN,
  };
}

/** A random row in [0, n) other than `self`. */
function otherRow(rng: Rng, n: number, self: number): number {
  const j = rng.int(n - 1);
  return j >= self ? j + 1 : j;
}

/** Computes the diagnostics of one graph (see the module comment). */
export function graphDiagnostics(input: GraphDiagnosticsInput): GraphDiagnostics {
  const t0 = performance.now();
  const { features, n, d, neighbors, similarity, k, sigma, seed } = input;
  if (neighbors.length !== n * k || similarity.length !== n * k || features.length !== n * d) {
    throw new AlsgError('E_INPUT', `graphDiagnostics: expected ${n} rows of ${k} neighbours and ${d} features, but got ${neighbors.length} neighbours, ${similarity.length} similarities, ${features.length} feature values`);
  }
  if (n < 2) throw new AlsgError('E_INPUT', `graphDiagnostics: needs at least 2 rows, got ${n}`);

  // a_ij over the graph's slots, and over k random other rows per centre
  const graphA: number[] = [];
  const graphSums = new Float64Array(n);
  const randomA = new Float64Array(n * k);
  const randomSums = new Float64Array(n);
  const rngPairs = new Rng(seed, 'graph-diagnostics/pairs');
  const randomJ = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < k; s++) {
      if (neighbors[i * k + s] >= 0) {
        graphA.push(similarity[i * k + s]);
        graphSums[i] += similarity[i * k + s];
      }
      const j = otherRow(rngPairs, n, i);
      randomJ[i * k + s] = j;
      let e = 0;
      for (let c = 0; c < d; c++) {
        const diff = features[i * d + c] - features[j * d + c];
        e += diff * diff;
      }
      randomA[i * k + s] = localSimilarity(e, sigma);
      randomSums[i] += randomA[i * k + s];
    }
  }

  let labels: LabelAgreement | null = null;
  if (input.labels) {
    const { index, classes } = input.labels;
    const C = classes.length;
    const counts = new Float64Array(C);
    for (let i = 0; i < n; i++) counts[index[i]]++;
    const agreeG = new Float64Array(C);
    const slotsG = new Float64Array(C);
    const agreeR = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      const c = index[i];
      for (let s = 0; s < k; s++) {
        const j = neighbors[i * k + s];
        if (j >= 0) {
          slotsG[c]++;
          if (index[j] === c) agreeG[c]++;
        }
        if (index[randomJ[i * k + s]] === c) agreeR[c]++;
      }
    }
    const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
    labels = {
      graph: sum(agreeG) / sum(slotsG),
      random: sum(agreeR) / (n * k),
      chance: Array.from(counts).reduce((acc, m) => acc + (m / n) ** 2, 0),
      perClass: classes.map((name, c) => ({
        class: name,
        centres: counts[c],
        prior: counts[c] / n,
        graph: slotsG[c] ? agreeG[c] / slotsG[c] : Number.NaN,
        random: counts[c] ? agreeR[c] / (counts[c] * k) : Number.NaN,
      })),
    };
  }

  let distribution: DistributionDiagnostics | null = null;
  if (input.distributions) {
    const D = input.distributions;
    const C = D.length / n;
    if (!Number.isInteger(C) || C < 1) throw new AlsgError('E_INPUT', `graphDiagnostics: distributions hold ${D.length} values, not a multiple of ${n} rows`);
    const known = new Uint8Array(n);
    for (let i = 0; i < n; i++) known[i] = Number.isNaN(D[i * C]) ? 0 : 1;
    const tv = (i: number, j: number): number => {
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.abs(D[i * C + c] - D[j * C + c]);
      return s / 2;
    };
    // rows with a known distribution, by given label, for the same-label baseline
    const byLabel = new Map<number, number[]>();
    const knownRows: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!known[i]) continue;
      knownRows.push(i);
      const l = input.labels ? input.labels.index[i] : 0;
      let list = byLabel.get(l);
      if (!list) byLabel.set(l, (list = []));
      list.push(i);
    }
    const rngSame = new Rng(seed, 'graph-diagnostics/same-label');
    const rngAny = new Rng(seed, 'graph-diagnostics/random');
    let centres = 0;
    let gSum = 0;
    let gCount = 0;
    let wSum = 0;
    let wTot = 0;
    let wSq = 0;
    let sSum = 0;
    let sCount = 0;
    let rSum = 0;
    let rCount = 0;
    // position of each known row in its label list and in knownRows, to exclude the centre from its own draws
    const posInLabel = new Int32Array(n).fill(-1);
    for (const list of byLabel.values()) list.forEach((r, p) => (posInLabel[r] = p));
    const posInKnown = new Int32Array(n).fill(-1);
    knownRows.forEach((r, p) => (posInKnown[r] = p));
    for (let i = 0; i < n; i++) {
      if (!known[i]) continue;
      let any = false;
      for (let s = 0; s < k; s++) {
        const j = neighbors[i * k + s];
        if (j < 0 || !known[j]) continue;
        any = true;
        const t = tv(i, j);
        gSum += t;
        gCount++;
        const a = similarity[i * k + s];
        wSum += a * t;
        wTot += a;
        wSq += a * a;
      }
      if (!any) continue;
      centres++;
      const list = byLabel.get(input.labels ? input.labels.index[i] : 0) as number[];
      if (list.length > 1) {
        for (let s = 0; s < k; s++) {
          sSum += tv(i, list[otherRow(rngSame, list.length, posInLabel[i])]);
          sCount++;
        }
      }
      if (knownRows.length > 1) {
        for (let s = 0; s < k; s++) {
          rSum += tv(i, knownRows[otherRow(rngAny, knownRows.length, posInKnown[i])]);
          rCount++;
        }
      }
    }
    if (gCount > 0) {
      const graph = gSum / gCount;
      const graphWeighted = wTot > 0 ? wSum / wTot : null;
      const sameLabelRandom = sCount ? sSum / sCount : Number.NaN;
      distribution = {
        metric: 'total variation',
        centres,
        graph,
        graphWeighted,
        effectiveSlotFraction: wSq > 0 ? (wTot * wTot) / wSq / gCount : null,
        sameLabelRandom,
        random: rCount ? rSum / rCount : Number.NaN,
        ratio: { graph: graph / sameLabelRandom, graphWeighted: graphWeighted === null ? null : graphWeighted / sameLabelRandom },
      };
    }
  }

  return {
    schema: GRAPH_DIAGNOSTICS_SCHEMA,
    rows: n,
    k,
    sigma,
    seed,
    similarity: { graph: similarityStats(graphA, graphSums), random: similarityStats(randomA, randomSums) },
    labels,
    distribution,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** One line for the stage log. */
export function describeDiagnostics(g: GraphDiagnostics): string {
  const f = (x: number | null): string => (x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(3));
  const parts = [`a_ij mean ${f(g.similarity.graph.mean)} (median ${f(g.similarity.graph.quantiles.p50)}; random pairs ${f(g.similarity.random.mean)})`];
  if (g.labels) parts.push(`label agreement ${f(g.labels.graph)} (random ${f(g.labels.random)})`);
  if (g.distribution) {
    const t = g.distribution;
    parts.push(`TV to true distribution ${f(t.graph)}, a-weighted ${f(t.graphWeighted)} (same-label random ${f(t.sameLabelRandom)}, random ${f(t.random)})`);
  }
  return `diagnostics: ${parts.join('; ')}`;
}
