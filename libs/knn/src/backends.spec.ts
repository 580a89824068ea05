/**
 * The companion backend refuses a thread count that an older native build would silently ignore (it predates
 * hnswBuildThreads): such a build would insert with every core while graph.json recorded one, so the check names the
 * binding and the rebuild command instead. The binding is replaced by a stand-in here; the real one is exercised by
 * graph.spec.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CompanionModule } from './native';

const calls: { ompThreads?: number }[] = [];
let addThreads: boolean | undefined;

vi.mock('./native', async (importOriginal) => {
  const real = await importOriginal<typeof import('./native')>();
  const standIn: CompanionModule = {
    faissVersion: () => '1.7.4',
    kernels: () => 'generic',
    threads: () => ({ omp: 1, openblas: 1 }),
    create: () => ({}),
    setParam: () => undefined,
    isTrained: () => true,
    ntotal: () => 0,
    train: () => undefined,
    add: (_h, _x, ompThreads) => void calls.push({ ompThreads }),
    get addThreads() {
      return addThreads;
    },
    search: () => undefined,
    free: () => undefined,
  };
  return { ...real, loadCompanion: () => standIn };
});

const { companionBackend } = await import('./backends');

describe('companion backend add() with a thread count', () => {
  it('a build that predates hnswBuildThreads is refused with E_DEPENDENCY naming the binding and the rebuild', () => {
    addThreads = undefined;
    calls.length = 0;
    const index = companionBackend().create(4, 'HNSW16');
    let error: unknown;
    try {
      index.add(new Float32Array(8), 1);
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe('E_DEPENDENCY');
    expect((error as Error).message).toMatch(/alsg-faiss.*\.node predates hnswBuildThreads .*rebuild it: bash tools\/native\/build\.sh/);
    expect(calls).toEqual([]);
  });

  it('the same build still adds when no thread count is asked for, and a current build passes the count on', () => {
    addThreads = undefined;
    calls.length = 0;
    companionBackend().create(4, 'HNSW16').add(new Float32Array(8));
    addThreads = true;
    companionBackend().create(4, 'HNSW16').add(new Float32Array(8), 2);
    expect(calls).toEqual([{ ompThreads: undefined }, { ompThreads: 2 }]);
  });
});
