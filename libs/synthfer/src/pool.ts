/**
 * A small ordered worker pool for chunk jobs. Results are consumed strictly in job order, so the streamed outputs are the
 * same as in-thread generation (every face draws from its own seeded streams). If workers cannot start (e.g. a runtime
 * that cannot load TypeScript in a worker), the pool reports it and the caller generates in-thread.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AlsgError } from '@ldl-alsg/common';
import type { ChunkJob, ChunkResult } from './chunk';

/** URL of tsx's ESM register API (import.meta.resolve where the runtime has it, e.g. not under vitest's module runner). */
function resolveTsxApi(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  const dir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return pathToFileURL(join(dir, 'dist', 'esm', 'api', 'index.mjs')).href;
}

/** Worker threads running chunk jobs; see the module comment for ordering and fallback. */
export class ChunkPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private rr = 0;

  private constructor() {}

  /** Starts `n` workers and checks they answer; resolves null when workers are unavailable here. */
  static async start(n: number): Promise<ChunkPool | null> {
    const pool = new ChunkPool();
    const url = new URL('./worker.ts', import.meta.url);
    try {
      // Workers run the TypeScript sources through tsx. On Node 20 a worker whose entry is a .ts file fails even with
      // tsx's --import loader inherited (ERR_UNKNOWN_FILE_EXTENSION: the hooks register after the entry resolves), so
      // a small JS bootstrap registers tsx's ESM API first and then imports the worker module.
      const tsxApi = resolveTsxApi();
      const bootstrap = `(async () => { const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(url.href)}); })().catch((e) => { throw e; });`;
      for (let i = 0; i < n; i++) {
        const w = new Worker(bootstrap, { eval: true });
        w.on('message', (msg: { id: number; result?: ChunkResult; error?: string }) => {
          const p = pool.pending.get(msg.id);
          if (!p) return;
          pool.pending.delete(msg.id);
          if (msg.error !== undefined) p.reject(new AlsgError('E_STAGE', `synthfer worker failed: ${msg.error}`));
          else p.resolve(msg.result!);
        });
        w.on('error', (err) => {
          for (const p of pool.pending.values()) p.reject(err);
          pool.pending.clear();
        });
        pool.workers.push(w);
      }
      // A tiny probe job proves the workers can load the generator.
      await Promise.all(pool.workers.map((_, i) => pool.runOn(i, { seed: 0, dataset: 'ckplus-syn', split: 'test', start: 0, end: 0, size: 64, render: false, openface: false, outDir: '/nonexistent-unused' })));
      return pool;
    } catch (err) {
      if (process.env.SYNTHFER_DEBUG) process.stderr.write(`synthfer: workers unavailable, generating in-thread: ${String(err)}\n`);
      await pool.close();
      return null;
    }
  }

  private runOn(i: number, job: ChunkJob): Promise<ChunkResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i].postMessage({ id, job });
    });
  }

  /** Runs a job on the next worker (round robin). */
  run(job: ChunkJob): Promise<ChunkResult> {
    const i = this.rr++ % this.workers.length;
    return this.runOn(i, job);
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
