/**
 * Options of a kNN graph build (the paper's "index-similarity list" for one auxiliary label space), their defaults and
 * the checks that run before any work starts.
 */
import { availableParallelism } from 'node:os';
import { AlsgError } from '@ldl-alsg/common';

/** exact: flat index (ground truth); ivf: inverted lists; hnsw: small-world graph; auto: exact up to `autoExactMaxRows` rows, else hnsw. */
export type KnnMode = 'exact' | 'ivf' | 'hnsw' | 'auto';
/** companion: tools/native/build/alsg-faiss.node (fast, all modes); faiss-node: the npm package (exact mode only); auto: companion when built, else faiss-node. */
export type KnnBackend = 'auto' | 'companion' | 'faiss-node';

export interface KnnGraphOptions {
  /** Neighbours per row (paper: 4 or 8). Integer >= 1 and < rows. Default 4. */
  k?: number;
  /** Eq. 3 bandwidth, in feature units (after standardisation when that is on). Required; > 0. Paper: 1 (AU), 68 (landmarks). */
  sigma: number;
  /** Standardise every column to mean 0, sd 1 (over the graph's rows) before searching. Default false. */
  standardize?: boolean;
  /** Search mode. Default 'auto'. */
  mode?: KnnMode;
  /** Native module. Default 'auto'. */
  backend?: KnnBackend;
  /** IVF: number of inverted lists. Default round(2 * sqrt(rows)), clamped to [1, rows / 39]. */
  nlist?: number;
  /** IVF: lists visited per query. Default 8. */
  nprobe?: number;
  /** HNSW: links per node. Default 16. */
  M?: number;
  /** HNSW: candidate list size while building. Default 40. */
  efConstruction?: number;
  /** HNSW: candidate list size while searching (raised to at least `candidates`). Default 20. */
  efSearch?: number;
  /**
   * Approximate modes: project the features onto their first `pca` principal components (fitted on a seeded sample) for
   * the index search only; candidates are re-ranked by exact distance in the full space. 0 = off. Default 0.
   */
  pca?: number;
  /** Approximate modes: candidates asked per row before exact re-ranking. Default k + 1 (2k + 1 with pca). */
  candidates?: number;
  /** Rows drawn (seeded) to measure recall@k of an approximate graph against exact search; 0 turns it off. Default 1000. */
  recallSample?: number;
  /** Seed of the recall sample and of the IVF training sample. Default 0. */
  seed?: number;
  /** Rows per search call (progress granularity). Default 4096 (exact), 16384 (approximate). */
  chunkSize?: number;
  /** auto mode: largest row count searched exactly. Default 50000. */
  autoExactMaxRows?: number;
  /** OpenMP / OpenBLAS threads of the search process; default: per mode, see {@link defaultThreads}. */
  threads?: { omp: number; openblas: number };
  /**
   * HNSW: OpenMP threads that insert rows into the graph. Default 1: the same graph on every run. FAISS 1.7.3 inserts
   * from every thread it is given, in an order that depends on thread timing, so with more than one the links differ
   * between runs and so do the few neighbours the search misses (docs/graph.md "Repeatable HNSW builds"). The searches
   * keep `threads.omp` either way (each query is searched alone: repeatable).
   */
  hnswBuildThreads?: number;
}

/**
 * The graph stage's HNSW settings per auxiliary space (M, efConstruction, efSearch): the benchmarked ones
 * (tools/bench/graph.ts, 300,000 synthfer faces; sweep and figures in docs/graph.md "Performance"), the cheapest
 * measured that keep recall@4 >= 0.95 with margin on both spaces. The library's own defaults (16 / 40 / 20) apply to
 * callers that name no space.
 */
export const HNSW_DEFAULTS: Readonly<Record<'au' | 'landmarks', { M: number; efConstruction: number; efSearch: number }>> = {
  au: { M: 16, efConstruction: 40, efSearch: 24 },
  // efConstruction 20 < 2M = 24: FAISS 1.7.3 then keeps every level-0 candidate instead of pruning them with the HNSW
  // heuristic; measured recall@4 0.981 vs 0.968 at efConstruction 24, for the same time (docs/graph.md).
  landmarks: { M: 12, efConstruction: 20, efSearch: 16 },
};

/** `options` with the space's HNSW defaults filled in where M / efConstruction / efSearch are not given. */
export function withHnswDefaults<T extends { M?: number; efConstruction?: number; efSearch?: number }>(space: 'au' | 'landmarks' | undefined, options: T): T {
  if (space === undefined) return options;
  const def = HNSW_DEFAULTS[space];
  return { ...options, M: options.M ?? def.M, efConstruction: options.efConstruction ?? def.efConstruction, efSearch: options.efSearch ?? def.efSearch };
}

export type ResolvedKnnOptions = Required<Omit<KnnGraphOptions, 'mode' | 'backend'>> & {
  mode: Exclude<KnnMode, 'auto'>;
  backend: Exclude<KnnBackend, 'auto'>;
};

/**
 * Thread counts that do not oversubscribe `cores`. Flat search spends its time in OpenBLAS sgemm (environment.md: OMP 1 +
 * OpenBLAS 2 was fastest on 2 cores; both at 2 oversubscribes); IVF and HNSW parallelise over queries with OpenMP. IVF
 * calls BLAS for small products and gets a single BLAS thread; HNSW gets both (see below).
 */
export function defaultThreads(mode: Exclude<KnnMode, 'auto'>, cores = availableParallelism()): { omp: number; openblas: number } {
  if (mode === 'exact') return { omp: 1, openblas: cores };
  // HNSW never calls BLAS inside its OpenMP loops; the flat searches around it (locality order, recall check) are sgemm
  // outside them, so there both BLAS threads work and nothing oversubscribes.
  if (mode === 'hnsw') return { omp: cores, openblas: cores };
  return { omp: cores, openblas: 1 };
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new AlsgError('E_CONFIG', `knn: ${name} must be an integer >= ${min}, but got ${value}`, { path: name });
  }
  return value;
}

/**
 * Fills defaults and checks every option against `rows` (the number of rows in the graph) and the backends that are built.
 * Throws AlsgError E_CONFIG / E_INPUT with the option's name.
 */
export function resolveKnnOptions(options: KnnGraphOptions, rows: number, companionBuilt: boolean, dimension = Infinity): ResolvedKnnOptions {
  if (rows === 0) throw new AlsgError('E_INPUT', 'knn: the graph has no rows (empty set): nothing to search');
  const k = positiveInt('k', options.k ?? 4);
  if (k >= rows) {
    throw new AlsgError('E_INPUT', `knn: k must be smaller than the number of rows in the graph (${rows}), but got k = ${k}`, { path: 'k' });
  }
  const sigma = options.sigma;
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0) {
    throw new AlsgError('E_CONFIG', `knn: sigma must be a finite number > 0, but got ${sigma}`, { path: 'sigma' });
  }
  const autoExactMaxRows = positiveInt('autoExactMaxRows', options.autoExactMaxRows ?? 50_000);
  const requested = options.mode ?? 'auto';
  if (!['exact', 'ivf', 'hnsw', 'auto'].includes(requested)) {
    throw new AlsgError('E_CONFIG', `knn: mode must be one of exact, ivf, hnsw, auto, but got "${requested}"`, { path: 'mode' });
  }
  const mode = requested === 'auto' ? (rows <= autoExactMaxRows ? 'exact' : 'hnsw') : requested;
  const requestedBackend = options.backend ?? 'auto';
  if (!['auto', 'companion', 'faiss-node'].includes(requestedBackend)) {
    throw new AlsgError('E_CONFIG', `knn: backend must be one of auto, companion, faiss-node, but got "${requestedBackend}"`, { path: 'backend' });
  }
  const backend = requestedBackend === 'auto' ? (companionBuilt ? 'companion' : 'faiss-node') : requestedBackend;
  if (backend === 'faiss-node' && mode !== 'exact') {
    throw new AlsgError(
      'E_CONFIG',
      `knn: mode "${mode}" needs the companion binding (faiss-node cannot set nprobe / efSearch / efConstruction); ` +
        'run tools/native/build.sh (or npm run setup), or use mode exact',
      { path: 'mode' },
    );
  }
  const defaultNlist = Math.max(1, Math.min(Math.round(2 * Math.sqrt(rows)), Math.floor(rows / 39)));
  const nlist = positiveInt('nlist', options.nlist ?? defaultNlist);
  if (mode === 'ivf' && nlist > rows) {
    throw new AlsgError('E_CONFIG', `knn: nlist must be <= the number of rows (${rows}), but got ${nlist}`, { path: 'nlist' });
  }
  const pca = positiveInt('pca', options.pca ?? 0, 0);
  if (pca > 0 && pca >= dimension) {
    throw new AlsgError('E_CONFIG', `knn: pca must be smaller than the feature dimension (${dimension}), but got ${pca}`, { path: 'pca' });
  }
  const candidates = Math.min(rows, positiveInt('candidates', options.candidates ?? (pca > 0 ? 2 * k + 1 : k + 1), k + 1));
  const threads = options.threads ?? defaultThreads(mode);
  positiveInt('threads.omp', threads.omp);
  positiveInt('threads.openblas', threads.openblas);
  const hnswBuildThreads = positiveInt('hnswBuildThreads', options.hnswBuildThreads ?? 1);
  return {
    k,
    sigma,
    standardize: options.standardize ?? false,
    mode,
    backend,
    nlist,
    nprobe: Math.min(positiveInt('nprobe', options.nprobe ?? 8), nlist),
    M: positiveInt('M', options.M ?? 16, 2),
    efConstruction: positiveInt('efConstruction', options.efConstruction ?? 40),
    efSearch: Math.max(positiveInt('efSearch', options.efSearch ?? 20), candidates),
    pca,
    candidates,
    recallSample: Math.min(positiveInt('recallSample', options.recallSample ?? 1000, 0), rows),
    seed: options.seed ?? 0,
    chunkSize: positiveInt('chunkSize', options.chunkSize ?? (mode === 'exact' ? 4096 : 16384)),
    autoExactMaxRows,
    threads,
    hnswBuildThreads,
  };
}
