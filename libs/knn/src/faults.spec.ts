/**
 * Fault injection (docs/reliability.md): features that are finite but too large for FAISS's float32 distances. Before
 * the fix values of ~1e19 gave exit 0, "recall 1.0000" and every row's neighbours [0, 0, 0, 0] with similarity 1.
 */
import { describe, expect, it } from 'vitest';
import { rejection } from '@ldl-alsg/common/fixtures';
import type { SearchBackend } from './backends';
import { buildKnnGraph } from './graph';
import { resolveKnnOptions } from './options';
import { searchGraph } from './search';

/** n rows of small integers (many distinct distances), times `scale`. */
function rows(n: number, d: number, scale: number): Float32Array {
  const x = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) x[i] = (((i * 7919) % 13) - 6 + (i % 5) * 0.25) * scale;
  return x;
}

describe('knn graph with features too large for float32 search', () => {
  for (const mode of ['exact', 'hnsw'] as const) {
    it(`${mode}: values of 1e19 are refused with E_INPUT naming the file, the row and the column`, async () => {
      const n = 40;
      const d = 4;
      const e = await rejection(buildKnnGraph(rows(n, d, 1e19), n, d, { k: 4, sigma: 1, mode, silent: true, what: 'au.npy', describeRow: (r) => `manifest row ${r} (id x${r})` }));
      expect(e.code).toBe('E_INPUT');
      expect(e.message).toMatch(/^au\.npy: manifest row \d+ \(id x\d+\) is too large to search: .*column \d+ holds .*rescale the features or set standardize: true$/);
      expect(e.message).toContain('over the float32 limit 8.51e+37');
    });
  }

  it('values of up to ~2e18 (rows times 2^58) give the same graph as the same values scaled to ~1', async () => {
    const n = 40;
    const d = 4;
    // Scaling by a power of two is exact in float32, so the neighbour order must not change.
    const big = await buildKnnGraph(rows(n, d, 2 ** 58), n, d, { k: 4, sigma: 1, mode: 'exact', silent: true });
    const small = await buildKnnGraph(rows(n, d, 1), n, d, { k: 4, sigma: 1, mode: 'exact', silent: true });
    expect(Array.from(big.neighbors)).toEqual(Array.from(small.neighbors));
    expect(big.squaredDistances[0]).toBe(small.squaredDistances[0] * 2 ** 116);
  });

  it('standardize: true makes the same 1e19 features searchable', async () => {
    const n = 40;
    const d = 4;
    const g = await buildKnnGraph(rows(n, d, 1e19), n, d, { k: 4, sigma: 1, mode: 'exact', standardize: true, silent: true });
    for (let i = 0; i < n; i++) expect(new Set([i, ...g.neighbors.subarray(i * 4, i * 4 + 4)]).size).toBe(5);
  });

  it('a search that finds fewer than k neighbours is E_NUMERIC, never a zero-filled row', () => {
    // A backend whose index answers "no result" (-1) for everything, as FAISS does when its distances are Infinity.
    const deaf: SearchBackend = {
      name: 'companion',
      version: 'test',
      create: () => ({
        isTrained: () => true,
        train: () => undefined,
        add: () => undefined,
        setParam: () => undefined,
        search: (q, k) => ({ labels: new Int32Array((q.length / 2) * k).fill(-1), distances: new Float32Array((q.length / 2) * k).fill(Infinity) }),
        free: () => undefined,
      }),
    };
    const n = 10;
    const o = resolveKnnOptions({ k: 3, sigma: 1, mode: 'exact' }, n, true, 2);
    expect(() => searchGraph(deaf, rows(n, 2, 1), n, 2, o, () => undefined)).toThrow(/row 0 has only 0 of its k = 3 neighbours after an exhaustive flat search over 10 rows/);
  });
});
