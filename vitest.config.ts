import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Libraries are imported by their workspace name (@ldl-alsg/<lib>); map them to sources so tests need no build step.
export default defineConfig({
  resolve: {
    alias: [{ find: /^@ldl-alsg\/([a-z0-9-]+)$/, replacement: fileURLToPath(new URL('./libs/$1/src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['libs/*/src/**/*.spec.ts', 'stages/*/src/**/*.spec.ts', 'tools/**/*.spec.ts', 'pipelines/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '.alsg/**'],
    // 2-core CI: two workers, generous timeouts for the few integration tests that run real FAISS/TF.js/Nx.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
