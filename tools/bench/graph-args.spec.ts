/**
 * The graph benchmark refuses a mistyped option or spec key at once, naming it, before it spends a minute generating
 * features (it used to turn them into NaN).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bench = (...args: string[]) => spawnSync('npx', ['tsx', 'tools/bench/graph.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('tools/bench/graph.ts argument errors', () => {
  it.each([
    [['--n', '3x'], 'graph bench: --n must be an integer >= 1, but got "3x"'],
    [['--exact', 'some'], 'graph bench: --exact must be full, off or a row count, but got "some"'],
    [['--au', 'hnsw:M=16,efSerch=20'], 'graph bench: unknown key "efSerch" in "hnsw:M=16,efSerch=20"; expected one of M, efConstruction'],
    [['--au', 'hnsw:M='], 'graph bench: M in "hnsw:M=" must be a non-negative number, but got ""'],
  ])('%j fails naming the option', (args, message) => {
    const r = bench(...args);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain('features:'); // nothing generated
  });
});
