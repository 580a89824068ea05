/**
 * The two native FAISS backends behind one small interface, used only inside the search process (knn-worker.ts).
 * companion: alsg-faiss (zero-copy Float32Array, any index_factory description, parameters by name).
 * faiss-node: the npm package; only IndexFlatL2, fed through number[] copies, so it serves exact mode on modest data and
 * cross-checks the companion in tests.
 */
import { createRequire } from 'node:module';
import { AlsgError } from '@ldl-alsg/common';
import { COMPANION_PATH, loadCompanion, loadFaissNode } from './native';

export interface SearchIndex {
  isTrained(): boolean;
  train(x: Float32Array): void;
  /** Adds rows; `ompThreads` (companion only) runs the insertion with that many OpenMP threads. */
  add(x: Float32Array, ompThreads?: number): void;
  /** Sets a search/build parameter by FAISS name (nprobe, efSearch, efConstruction). */
  setParam(name: string, value: number): void;
  /** k nearest stored vectors of each query row, nearest first (-1 where fewer were found); [nq, k]. */
  search(queries: Float32Array, k: number): { labels: Int32Array; distances: Float32Array };
  free(): void;
}

export interface SearchBackend {
  name: 'companion' | 'faiss-node';
  /** Version text recorded in graph.json. */
  version: string;
  /** Effective thread counts, where the backend can tell. */
  threads?: { omp: number; openblas: number };
  /** An L2 index for `description` (faiss index_factory syntax: Flat, IVF1024,Flat, HNSW32). */
  create(d: number, description: string): SearchIndex;
}

export function companionBackend(): SearchBackend {
  const co = loadCompanion();
  return {
    name: 'companion',
    // Older builds lack kernels(); what they linked is then unknown.
    version: `alsg-faiss (libfaiss ${co.faissVersion()}, kernels ${typeof co.kernels === 'function' ? co.kernels() : 'unknown (rebuild with tools/native/build.sh)'})`,
    threads: co.threads(),
    create(d, description) {
      const handle = co.create(d, description);
      return {
        isTrained: () => co.isTrained(handle),
        train: (x) => co.train(handle, x),
        add(x, ompThreads) {
          if (ompThreads === undefined) return co.add(handle, x);
          if (co.addThreads !== true) {
            throw new AlsgError('E_DEPENDENCY', `knn: the FAISS companion binding ${COMPANION_PATH} predates hnswBuildThreads (it would ignore the thread count); rebuild it: bash tools/native/build.sh`);
          }
          co.add(handle, x, ompThreads);
        },
        setParam: (name, value) => co.setParam(handle, name, value),
        search(queries, k) {
          const nq = queries.length / d;
          const labels = new Int32Array(nq * k);
          const distances = new Float32Array(nq * k);
          co.search(handle, queries, k, labels, distances);
          return { labels, distances };
        },
        free: () => co.free(handle),
      };
    },
  };
}

/** Rows per number[] conversion: bounds the JS-array copies faiss-node needs (it rejects typed arrays). */
const FAISS_NODE_CHUNK_VALUES = 1 << 20;

export function faissNodeBackend(): SearchBackend {
  const fn = loadFaissNode();
  const version = (createRequire(import.meta.url)('faiss-node/package.json') as { version: string }).version;
  return {
    name: 'faiss-node',
    version: `faiss-node ${version}`,
    create(d, description) {
      if (description !== 'Flat') throw new AlsgError('E_CONFIG', `knn: backend faiss-node supports only exact (Flat) search, not "${description}"`);
      let index: InstanceType<typeof fn.IndexFlatL2> | null = new fn.IndexFlatL2(d);
      const live = (): InstanceType<typeof fn.IndexFlatL2> => {
        // An internal invariant (search.ts frees each index once, after its last use), not something a user can cause.
        if (index === null) throw new Error('faiss-node index used after free()');
        return index;
      };
      return {
        isTrained: () => true,
        train: () => undefined,
        add(x) {
          const step = Math.max(d, Math.floor(FAISS_NODE_CHUNK_VALUES / d) * d);
          for (let s = 0; s < x.length; s += step) live().add(Array.from(x.subarray(s, Math.min(x.length, s + step))));
        },
        setParam(name) {
          throw new AlsgError('E_CONFIG', `knn: faiss-node cannot set "${name}" (its API has no parameter setters); use backend companion`);
        },
        search(queries, k) {
          const r = live().search(Array.from(queries), k);
          return { labels: Int32Array.from(r.labels), distances: Float32Array.from(r.distances) };
        },
        free() {
          index = null; // faiss-node frees the native index when the wrapper is collected
        },
      };
    },
  };
}
