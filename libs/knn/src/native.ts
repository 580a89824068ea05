/**
 * Where the native FAISS modules live and how they load. Both are built by tools/native/build.sh (run by the set-up):
 * faiss-node 0.5.1 compiled from its npm sources against Debian's libfaiss, and the companion binding alsg-faiss (see
 * docs/graph.md for why it exists). Loading happens only inside the search process (see knn-worker.ts), after its
 * OMP_NUM_THREADS / OPENBLAS_NUM_THREADS are set, because OpenMP and OpenBLAS read them once when the library loads.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlsgError } from '@ldl-alsg/common';

const require = createRequire(import.meta.url);

/** Repository root (libs/knn/src -> ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * The companion binding's build output. `ALSG_FAISS_COMPANION` names another build of it (e.g. build.sh
 * --also-baseline's alsg-faiss-baseline.node), so kernel builds can be compared on the same data; graph.json records
 * which kernels were in (`backend`).
 */
export const COMPANION_PATH = process.env.ALSG_FAISS_COMPANION ? resolve(process.env.ALSG_FAISS_COMPANION) : join(REPO_ROOT, 'tools/native/build/alsg-faiss.node');

/** Path of faiss-node's compiled module, or undefined when the package itself is not installed. */
export function faissNodeBinaryPath(): string | undefined {
  try {
    return join(dirname(require.resolve('faiss-node/package.json')), 'build/Release/faiss-node.node');
  } catch {
    return undefined;
  }
}

/** Which native modules are present on disk (nothing is loaded). */
export function nativeStatus(): { companion: boolean; faissNode: boolean } {
  const fn = faissNodeBinaryPath();
  return { companion: existsSync(COMPANION_PATH), faissNode: fn !== undefined && existsSync(fn) };
}

const HOW_TO_BUILD = 'run `bash tools/native/build.sh` (or `npm run setup`); it needs the Debian packages libfaiss-dev libopenblas-dev liblapack-dev';

/** Throws E_DEPENDENCY naming the missing module and how to build it, before any work starts. */
export function assertNativeBuilt(backend: 'companion' | 'faiss-node', status = nativeStatus()): void {
  if (backend === 'companion' && !status.companion) {
    throw new AlsgError('E_DEPENDENCY', `knn: the FAISS companion binding is not built (${COMPANION_PATH} is missing): ${HOW_TO_BUILD}`);
  }
  if (backend === 'faiss-node' && !status.faissNode) {
    throw new AlsgError('E_DEPENDENCY', `knn: faiss-node is not built (${faissNodeBinaryPath() ?? 'package faiss-node not installed'} is missing): ${HOW_TO_BUILD}`);
  }
}

/** The companion binding's JS surface (tools/native/src/alsg-faiss.cc). */
export interface CompanionModule {
  faissVersion(): string;
  /** Which distance kernels were linked: "avx2 (...)" or "baseline (...)" (tools/native/build.sh). */
  kernels(): string;
  threads(): { omp: number; openblas: number };
  create(d: number, description: string): unknown;
  setParam(handle: unknown, name: string, value: number): void;
  isTrained(handle: unknown): boolean;
  ntotal(handle: unknown): number;
  train(handle: unknown, x: Float32Array): void;
  add(handle: unknown, x: Float32Array, ompThreads?: number): void;
  /** true when add() honours `ompThreads`; undefined in builds made before it did (they ignore the argument). */
  addThreads?: boolean;
  search(handle: unknown, queries: Float32Array, k: number, labels: Int32Array, distances: Float32Array): void;
  free(handle: unknown): void;
}

/** The part of faiss-node 0.5.1 used here. */
export interface FaissNodeModule {
  IndexFlatL2: new (d: number) => {
    add(x: number[]): void;
    ntotal(): number;
    search(x: number[], k: number): { distances: number[]; labels: number[] };
  };
}

/** Loads the companion binding (call only in the search process). */
export function loadCompanion(): CompanionModule {
  assertNativeBuilt('companion');
  return require(COMPANION_PATH) as CompanionModule;
}

/** Loads faiss-node (call only in the search process). */
export function loadFaissNode(): FaissNodeModule {
  assertNativeBuilt('faiss-node');
  return require('faiss-node') as FaissNodeModule;
}
