/**
 * The paper's "index-similarity list" for one auxiliary label space (Sec. 3.2): for every row of the graph, its k nearest
 * other rows in the label space and their local similarities a_ij (Eq. 3, `localSimilarity` in @ldl-alsg/ldl).
 *
 * Checks run first, before any work (empty set, k >= rows, non-finite rows, sigma, native build); the search runs in a
 * forked process (knn-worker.ts) so the caller's event loop stays free and the process gets thread settings that do not
 * oversubscribe the cores (options.ts `defaultThreads`).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AlsgError, startProgress, type Progress } from '@ldl-alsg/common';
import { localSimilarity } from '@ldl-alsg/ldl';
import { assertFiniteRows, assertSearchableMagnitude, standardizeFeatures, type Standardization } from './features';
import { assertNativeBuilt, nativeStatus } from './native';
import { resolveKnnOptions, type KnnGraphOptions, type ResolvedKnnOptions } from './options';
import type { SearchInfo } from './search';
import type { WorkerMessage, WorkerRequest } from './knn-worker';

export interface KnnGraph {
  /** Rows in the graph. */
  n: number;
  k: number;
  /** [n, k] neighbour row ids (0-based rows of the input), nearest first, self excluded, ties by smaller id. */
  neighbors: Int32Array;
  /** [n, k] squared Euclidean distances (in the searched, possibly standardised, space). */
  squaredDistances: Float64Array;
  /** [n, k] Eq. 3 similarities a_ij = exp(-d_ij^2 / (2 sigma^2)). */
  similarity: Float32Array;
  /** Everything graph.json records about the build. */
  info: KnnGraphInfo;
}

export interface KnnGraphInfo extends SearchInfo {
  mode: ResolvedKnnOptions['mode'];
  k: number;
  sigma: number;
  dimension: number;
  params: { nlist?: number; nprobe?: number; M?: number; efConstruction?: number; efSearch?: number; pca?: number; candidates?: number; recallSample: number; seed: number; chunkSize: number };
  standardization: ({ enabled: true } & Standardization) | { enabled: false };
  /** Seconds: validation + standardisation, the search process (incl. its start), similarities, total. */
  wall: { prepare: number; process: number; similarity: number; total: number };
}

export interface BuildKnnGraphArgs extends KnnGraphOptions {
  /** What the features are, for error messages (e.g. a file name). Default "features". */
  what?: string;
  /** Describes row r in error messages (e.g. `manifest row 12 (id x)`). Default `row r`. */
  describeRow?: (r: number) => string;
  /** Progress reporter factory; default startProgress on stderr. */
  progress?: (label: string, total: number) => Progress;
  /** Silence the default progress output. */
  silent?: boolean;
}

const require = createRequire(import.meta.url);
const WORKER = fileURLToPath(new URL('./knn-worker.ts', import.meta.url));

/** Runs the search process and resolves with its result; rejects with its error (code kept). */
function runWorker(request: WorkerRequest, onProgress: (m: Extract<WorkerMessage, { type: 'progress' }>) => void): Promise<Extract<WorkerMessage, { type: 'result' }>['result']> {
  const t = request.options.threads;
  const child = fork(WORKER, [], {
    execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
    env: { ...process.env, OMP_NUM_THREADS: String(t.omp), OPENBLAS_NUM_THREADS: String(t.openblas), OMP_WAIT_POLICY: 'PASSIVE' },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (child.connected) child.disconnect();
      fn();
    };
    child.on('message', (raw) => {
      const m = raw as WorkerMessage;
      if (m.type === 'progress') onProgress(m);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else if (m.type === 'error') {
        finish(() =>
          reject(
            m.code
              ? new AlsgError(m.code as AlsgError['code'], m.message, (m.details ?? {}) as Record<string, unknown>)
              : new AlsgError('E_STAGE', `knn search process failed: ${m.message}`, { cause: m.stack }),
          ),
        );
      }
    });
    child.on('error', (err) => finish(() => reject(new AlsgError('E_STAGE', `knn: could not start the search process: ${err.message}`, { cause: err }))));
    child.on('exit', (code, signal) =>
      finish(() => reject(new AlsgError('E_STAGE', `knn: the search process exited (${signal ?? `code ${code}`}) before returning a result`))),
    );
    child.send(request);
  });
}

/**
 * Builds one kNN graph over `features` ([n, d] row-major float32). See {@link KnnGraphOptions} for the options.
 * Throws AlsgError before any work for: an empty set, k >= n, a non-finite value (naming the first bad row), a row too
 * large for float32 search (features.ts `assertSearchableMagnitude`), sigma <= 0, a missing native build.
 */
export async function buildKnnGraph(features: Float32Array, n: number, d: number, args: BuildKnnGraphArgs): Promise<KnnGraph> {
  const t0 = performance.now();
  const what = args.what ?? 'features';
  if (!Number.isInteger(d) || d < 1 || features.length !== n * d) {
    throw new AlsgError('E_INPUT', `${what}: expected ${n} rows x ${d} columns (${n * d} values), but got ${features.length} values`);
  }
  const o = resolveKnnOptions(args, n, nativeStatus().companion, d);
  assertFiniteRows(features, n, d, what, args.describeRow);
  assertNativeBuilt(o.backend);
  let data = features;
  let standardization: KnnGraphInfo['standardization'] = { enabled: false };
  if (o.standardize) {
    const s = standardizeFeatures(features, n, d);
    data = s.data;
    standardization = { enabled: true, ...s.stats };
  }
  assertSearchableMagnitude(data, n, d, what, args.describeRow);

  const dir = mkdtempSync(join(tmpdir(), 'alsg-knn-'));
  const file = join(dir, 'features.f32');
  const t1 = performance.now();
  let result;
  try {
    writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const bars = new Map<string, Progress>();
    const makeBar = args.progress ?? ((label: string, total: number) => startProgress(label, total, { unit: 'rows', silent: args.silent }));
    result = await runWorker({ file, n, d, options: o }, (m) => {
      let bar = bars.get(m.phase);
      if (!bar) bars.set(m.phase, (bar = makeBar(`knn ${o.mode} ${m.phase}`, m.total)));
      bar.update(m.done);
      if (m.done === m.total) bar.done();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const t2 = performance.now();
  const similarity = new Float32Array(n * o.k);
  for (let i = 0; i < similarity.length; i++) similarity[i] = localSimilarity(result.squaredDistances[i], o.sigma);
  const t3 = performance.now();

  const params: KnnGraphInfo['params'] = { recallSample: o.recallSample, seed: o.seed, chunkSize: o.chunkSize };
  if (o.mode === 'ivf') Object.assign(params, { nlist: o.nlist, nprobe: o.nprobe });
  if (o.mode === 'hnsw') Object.assign(params, { M: o.M, efConstruction: o.efConstruction, efSearch: o.efSearch });
  if (o.mode !== 'exact') Object.assign(params, { pca: o.pca, candidates: o.candidates });
  return {
    n,
    k: o.k,
    neighbors: result.neighbors,
    squaredDistances: result.squaredDistances,
    similarity,
    info: {
      mode: o.mode,
      k: o.k,
      sigma: o.sigma,
      dimension: d,
      params,
      standardization,
      ...result.info,
      threads: result.info.threads ?? o.threads,
      wall: { prepare: (t1 - t0) / 1000, process: (t2 - t1) / 1000, similarity: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
    },
  };
}
