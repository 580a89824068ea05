import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { writeNpy } from '@ldl-alsg/artifacts';
import { buildKnnGraph } from './graph';
import { assertNativeBuilt, nativeStatus } from './native';
import { HNSW_DEFAULTS, withHnswDefaults } from './options';
import { sampleRows } from './search';

const built = nativeStatus();
if (!built.companion || !built.faissNode) throw new Error('libs/knn tests need the native build: run bash tools/native/build.sh');

/**
 * Independent reference: every pair's squared distance in float64, then sort by (distance, index), self excluded.
 * Deliberately naive (full sort per row) and sharing no code with the library.
 */
function bruteForce(x: Float32Array, n: number, d: number, k: number): { ids: number[][]; dist: number[][] } {
  const ids: number[][] = [];
  const dist: number[][] = [];
  for (let i = 0; i < n; i++) {
    const all: { j: number; e: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let e = 0;
      for (let c = 0; c < d; c++) e += (x[i * d + c] - x[j * d + c]) ** 2;
      all.push({ j, e });
    }
    all.sort((a, b) => (a.e !== b.e ? a.e - b.e : a.j - b.j));
    ids.push(all.slice(0, k).map((p) => p.j));
    dist.push(all.slice(0, k).map((p) => p.e));
  }
  return { ids, dist };
}

/** Integer-valued rows (many exactly equal distances) plus exact duplicates: one row copied 9 times, others twice. */
function tieHeavyData(seed: number): { x: Float32Array; n: number; d: number } {
  const rng = new Rng(seed, 'knn-spec');
  const d = 5;
  const base = 300;
  const rows: number[][] = [];
  for (let i = 0; i < base; i++) rows.push(Array.from({ length: d }, () => rng.int(4)));
  for (let c = 0; c < 9; c++) rows.push([...rows[7]]); // more duplicates than the first candidate list holds
  for (let i = 0; i < 20; i++) rows.push([...rows[rng.int(base)]]);
  rng.shuffle(rows);
  return { x: Float32Array.from(rows.flat()), n: rows.length, d };
}

function continuousData(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed, 'knn-spec-cont');
  // three clusters, offset far from the origin so FAISS's float32 norms are large (the case re-ranking protects)
  const centres = [0, 1, 2].map(() => Array.from({ length: d }, () => 100 + rng.normal(0, 5)));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) x[i * d + c] = centres[i % 3][c] + rng.normal(0, 1);
  return x;
}

function expectSameAsBruteForce(g: Awaited<ReturnType<typeof buildKnnGraph>>, x: Float32Array, n: number, d: number, k: number, sigma: number): void {
  const ref = bruteForce(x, n, d, k);
  let mismatched = 0;
  for (let i = 0; i < n; i++) {
    const got = Array.from(g.neighbors.subarray(i * k, (i + 1) * k));
    if (got.join() !== ref.ids[i].join()) mismatched++;
    for (let c = 0; c < k; c++) expect(Math.abs(g.similarity[i * k + c] - Math.exp(-ref.dist[i][c] / (2 * sigma * sigma)))).toBeLessThan(1e-6);
  }
  expect(mismatched).toBe(0);
}

describe('buildKnnGraph exact mode', () => {
  const ties = tieHeavyData(3);
  for (const backend of ['companion', 'faiss-node'] as const) {
    it(`equals brute force on tie-heavy data with duplicates (${backend})`, async () => {
      const g = await buildKnnGraph(ties.x, ties.n, ties.d, { k: 4, sigma: 1.5, mode: 'exact', backend, silent: true });
      expect(g.info.recall.value).toBe(1);
      expect(g.info.expandedRows).toBeGreaterThan(0); // the duplicates and ties did force wider candidate lists
      expectSameAsBruteForce(g, ties.x, ties.n, ties.d, 4, 1.5);
      // a duplicate is a valid neighbour at similarity 1, self never is
      for (let i = 0; i < ties.n; i++) expect(Array.from(g.neighbors.subarray(i * 4, i * 4 + 4))).not.toContain(i);
    });
  }

  it('equals brute force on continuous data far from the origin, k = 8, both backends agree', async () => {
    const n = 900;
    const d = 12;
    const x = continuousData(n, d, 5);
    const a = await buildKnnGraph(x, n, d, { k: 8, sigma: 2, mode: 'exact', backend: 'companion', silent: true });
    const b = await buildKnnGraph(x, n, d, { k: 8, sigma: 2, mode: 'exact', backend: 'faiss-node', silent: true });
    expectSameAsBruteForce(a, x, n, d, 8, 2);
    expect(Array.from(b.neighbors)).toEqual(Array.from(a.neighbors));
    expect(Array.from(b.similarity)).toEqual(Array.from(a.similarity));
  });

  it('standardises columns first when asked, recording means and sds', async () => {
    const n = 200;
    const d = 3;
    const x = continuousData(n, d, 9);
    for (let i = 0; i < n; i++) x[i * d + 2] *= 1000; // a column on a much larger scale
    const g = await buildKnnGraph(x, n, d, { k: 3, sigma: 1, mode: 'exact', standardize: true, silent: true });
    if (!g.info.standardization.enabled) throw new Error('standardization not recorded');
    const { means, stds } = g.info.standardization;
    const z = new Float32Array(n * d);
    for (let i = 0; i < n * d; i++) z[i] = (x[i] - means[i % d]) / stds[i % d];
    expectSameAsBruteForce(g, z, n, d, 3, 1);
    expect(stds[2]).toBeGreaterThan(100 * stds[0]);
  });
});

describe('buildKnnGraph approximate modes', () => {
  const n = 4000;
  const d = 16;
  const x = continuousData(n, d, 11);
  const ref = bruteForce(x, n, d, 4);
  for (const mode of ['hnsw', 'ivf'] as const) {
    it(`${mode}: records recall@k measured against exact search on a seeded sample`, async () => {
      const g = await buildKnnGraph(x, n, d, { k: 4, sigma: 1, mode, recallSample: 300, seed: 4, nlist: 32, nprobe: 4, silent: true });
      const rows = sampleRows(n, 300, 4);
      let hits = 0;
      for (const i of rows) {
        const truth = new Set(ref.ids[i]);
        for (let c = 0; c < 4; c++) if (truth.has(g.neighbors[i * 4 + c])) hits++;
      }
      expect(g.info.recall.sample).toBe(300);
      expect(g.info.recall.value).toBeCloseTo(hits / (300 * 4), 12);
      expect(g.info.recall.value).toBeGreaterThan(0.8);
      console.log(`${mode} recall@4 on ${n}x${d}: ${g.info.recall.value}`);
      for (let i = 0; i < n; i++) expect(g.neighbors[i * 4]).not.toBe(i);
    });
  }
});

describe('buildKnnGraph with a PCA pre-projection', () => {
  it('searches PCA-projected vectors and re-ranks candidates exactly in the full space', async () => {
    const n = 3000;
    const d = 24;
    // low-rank data (6 latent dimensions + small noise), the case PCA is for; on isotropic data it would lose neighbours
    const rng = new Rng(13, 'knn-spec-lowrank');
    const proj = Array.from({ length: 6 * d }, () => rng.normal());
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: 6 }, () => rng.normal(0, 3));
      for (let c = 0; c < d; c++) x[i * d + c] = 50 + z.reduce((s, v, l) => s + v * proj[l * d + c], 0) + rng.normal(0, 0.05);
    }
    const g = await buildKnnGraph(x, n, d, { k: 4, sigma: 1, mode: 'hnsw', pca: 8, recallSample: 200, silent: true });
    expect(g.info.description).toBe('PCA8,HNSW16');
    expect(g.info.params).toMatchObject({ pca: 8, candidates: 9, efSearch: 20 });
    expect(g.info.recall.value).toBeGreaterThan(0.9);
    // distances are the full-space ones, whatever the projection
    for (const i of [0, 17, 2999]) {
      const j = g.neighbors[i * 4];
      let e = 0;
      for (let c = 0; c < d; c++) e += (x[i * d + c] - x[j * d + c]) ** 2;
      expect(g.squaredDistances[i * 4]).toBe(e);
    }
    await expect(buildKnnGraph(x, n, d, { k: 4, sigma: 1, mode: 'hnsw', pca: 24 })).rejects.toThrow('knn: pca must be smaller than the feature dimension (24), but got 24');
  });
});

describe('buildKnnGraph HNSW in locality order (above 20,000 rows)', () => {
  it('maps index positions back to row ids: exact distances of the stated neighbours, no self, recall as in input order', async () => {
    const n = 24_000;
    const d = 6;
    const x = continuousData(n, d, 5);
    const opts = { k: 4, sigma: 1, mode: 'hnsw' as const, recallSample: 300, silent: true };
    const g = await buildKnnGraph(x, n, d, opts);
    expect(g.info.localityGroups).toBe(24);
    expect(g.info.recall.value).toBeGreaterThan(0.9);
    for (const i of [0, 1, 4999, 12_345, 23_999]) {
      for (let c = 0; c < 4; c++) {
        const j = g.neighbors[i * 4 + c];
        expect(j).not.toBe(i);
        let e = 0;
        for (let t = 0; t < d; t++) e += (x[i * d + t] - x[j * d + t]) ** 2;
        expect(g.squaredDistances[i * 4 + c]).toBe(e);
      }
    }
    process.env.ALSG_KNN_LOCALITY = 'off';
    try {
      const plain = await buildKnnGraph(x, n, d, opts);
      expect(plain.info.localityGroups).toBeNull();
      expect(Math.abs(plain.info.recall.value! - g.info.recall.value!)).toBeLessThan(0.05);
    } finally {
      delete process.env.ALSG_KNN_LOCALITY;
    }
  }, 60_000);
});

describe('repeatable HNSW builds (hnswBuildThreads)', () => {
  // A deliberately weak index (M 4, efConstruction 8, efSearch 5: recall well below 1), so that a different insertion
  // order shows in the final neighbours. With two OpenMP threads such builds differed between runs on this machine.
  const n = 24_000;
  const d = 6;
  const x = continuousData(n, d, 9);
  const weak = { k: 4, sigma: 1, mode: 'hnsw' as const, M: 4, efConstruction: 8, efSearch: 5, recallSample: 500, silent: true };
  it('one insertion thread (the default) gives the same graph every run, and graph info says so', async () => {
    const a = await buildKnnGraph(x, n, d, weak);
    const b = await buildKnnGraph(x, n, d, { ...weak, hnswBuildThreads: 1 });
    expect(a.info.hnswBuildThreads).toBe(1);
    expect(a.info.recall.value).toBeLessThan(0.99); // the weak index misses neighbours: the comparison below can fail
    expect(Buffer.from(b.neighbors.buffer).equals(Buffer.from(a.neighbors.buffer))).toBe(true);
    expect(Buffer.from(b.squaredDistances.buffer).equals(Buffer.from(a.squaredDistances.buffer))).toBe(true);
  }, 60_000);
  it('records the thread count asked for, and rejects a non-positive one', async () => {
    const c = await buildKnnGraph(x, n, d, { ...weak, hnswBuildThreads: 2 });
    expect(c.info.hnswBuildThreads).toBe(2);
    const exact = await buildKnnGraph(x.subarray(0, 600 * d), 600, d, { k: 4, sigma: 1, mode: 'exact', silent: true });
    expect(exact.info.hnswBuildThreads).toBeNull();
    await expect(buildKnnGraph(x, n, d, { ...weak, hnswBuildThreads: 0 })).rejects.toThrow('knn: hnswBuildThreads must be an integer >= 1, but got 0');
  }, 60_000);
});

describe('per-space HNSW defaults (the graph stage)', () => {
  it('fills only what is not given, and nothing without a space', () => {
    expect(withHnswDefaults('landmarks', { efSearch: 30 })).toEqual({ M: HNSW_DEFAULTS.landmarks.M, efConstruction: HNSW_DEFAULTS.landmarks.efConstruction, efSearch: 30 });
    expect(withHnswDefaults('au', {})).toEqual(HNSW_DEFAULTS.au);
    expect(withHnswDefaults(undefined, { M: 8 })).toEqual({ M: 8 });
  });
});

describe('buildKnnGraph errors (before any work)', () => {
  const x = continuousData(10, 2, 1);
  it('rejects k >= n, an empty set, sigma <= 0 and unknown modes', async () => {
    await expect(buildKnnGraph(x, 10, 2, { k: 10, sigma: 1 })).rejects.toThrow('knn: k must be smaller than the number of rows in the graph (10), but got k = 10');
    await expect(buildKnnGraph(new Float32Array(0), 0, 2, { k: 4, sigma: 1 })).rejects.toThrow('knn: the graph has no rows (empty set): nothing to search');
    await expect(buildKnnGraph(x, 10, 2, { k: 2, sigma: 0 })).rejects.toThrow('knn: sigma must be a finite number > 0, but got 0');
    await expect(buildKnnGraph(x, 10, 2, { k: 2, sigma: -1 })).rejects.toThrow('knn: sigma must be a finite number > 0, but got -1');
    await expect(buildKnnGraph(x, 10, 2, { k: 2, sigma: 1, mode: 'lsh' as never })).rejects.toThrow('knn: mode must be one of exact, ivf, hnsw, auto, but got "lsh"');
    await expect(buildKnnGraph(x, 10, 2, { k: 2, sigma: 1, mode: 'hnsw', backend: 'faiss-node' })).rejects.toThrow(
      'knn: mode "hnsw" needs the companion binding (faiss-node cannot set nprobe / efSearch / efConstruction)',
    );
  });

  it('names the first row holding NaN or Infinity', async () => {
    const bad = x.slice();
    bad[7 * 2 + 1] = Number.NaN;
    bad[8 * 2] = Number.POSITIVE_INFINITY;
    await expect(buildKnnGraph(bad, 10, 2, { k: 2, sigma: 1, what: 'au.npy', describeRow: (r) => `manifest row ${r + 100}` })).rejects.toThrow(
      'au.npy: manifest row 107 holds a non-finite value (NaN in column 1); every row in the graph must be finite',
    );
    const inf = x.slice();
    inf[3 * 2] = Number.NEGATIVE_INFINITY;
    await expect(buildKnnGraph(inf, 10, 2, { k: 2, sigma: 1 })).rejects.toThrow('features: row 3 holds a non-finite value (-Infinity in column 0)');
  });

  it('says how to build the native modules when they are missing', () => {
    expect(() => assertNativeBuilt('companion', { companion: false, faissNode: true })).toThrow(/companion binding is not built .*run `bash tools\/native\/build.sh`/);
    expect(() => assertNativeBuilt('faiss-node', { companion: true, faissNode: false })).toThrow(/faiss-node is not built .*libfaiss-dev libopenblas-dev liblapack-dev/);
  });
});

// Optional cross-check against scikit-learn's exact NearestNeighbors (Debian's /usr/bin/python3), skipped where absent.
const python = '/usr/bin/python3';
const hasSklearn = existsSync(python) && (() => {
  try {
    execFileSync(python, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
describe.skipIf(!hasSklearn)('cross-check with scikit-learn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knn-sklearn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('exact neighbours match sklearn NearestNeighbors (brute, euclidean)', async () => {
    const n = 600;
    const d = 7;
    const x = continuousData(n, d, 21);
    writeNpy(join(dir, 'x.npy'), x, [n, d]);
    const script = join(dir, 'nn.py');
    writeFileSync(
      script,
      [
        'import sys, numpy as np',
        'from sklearn.neighbors import NearestNeighbors',
        'x = np.load(sys.argv[1]).astype(np.float64)',
        'nn = NearestNeighbors(n_neighbors=5, algorithm="brute").fit(x)',
        'd, i = nn.kneighbors(x)',
        'print(";".join(",".join(str(v) for v in row[1:]) for row in i))',
      ].join('\n'),
    );
    const out = execFileSync(python, [script, join(dir, 'x.npy')]).toString().trim().split(';');
    const g = await buildKnnGraph(x, n, d, { k: 4, sigma: 1, mode: 'exact', silent: true });
    let same = 0;
    for (let i = 0; i < n; i++) if (out[i] === Array.from(g.neighbors.subarray(i * 4, i * 4 + 4)).join(',')) same++;
    expect(same).toBe(n);
  });
});
