/**
 * Entry point of the search process that graph.ts forks. It runs off the caller's event loop (FAISS calls are
 * synchronous and take minutes on big data) and gets its own OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, which OpenMP and
 * OpenBLAS read once when the native library loads, so they must be in this process's environment from the start.
 *
 * Protocol (IPC, advanced serialisation): receives one {@link WorkerRequest}; sends {type:'progress'} messages, then
 * one {type:'result'} or {type:'error'}; exits when the parent disconnects.
 */
import { readFileSync } from 'node:fs';
import { isAlsgError } from '@ldl-alsg/common';
import { companionBackend, faissNodeBackend } from './backends';
import type { ResolvedKnnOptions } from './options';
import { searchGraph, type SearchResult } from './search';

export interface WorkerRequest {
  /** Raw little-endian float32 [n, d] file written by the parent. */
  file: string;
  n: number;
  d: number;
  options: ResolvedKnnOptions;
}

export type WorkerMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'result'; result: SearchResult }
  | { type: 'error'; code?: string; message: string; details?: unknown; stack?: string };

const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

process.once('message', (raw) => {
  const req = raw as WorkerRequest;
  try {
    const buf = readFileSync(req.file);
    // An internal invariant: graph.ts wrote this file from a checked [n, d] matrix a moment ago (graph.ts turns any
    // plain Error from here into E_STAGE "knn search process failed").
    if (buf.byteLength !== req.n * req.d * 4) {
      throw new Error(`knn worker: ${req.file} holds ${buf.byteLength} bytes, expected ${req.n} x ${req.d} float32`);
    }
    // readFileSync of a large file returns a Buffer that owns its ArrayBuffer from offset 0: viewed in place, no copy.
    const data = buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, req.n * req.d) : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const backend = req.options.backend === 'companion' ? companionBackend() : faissNodeBackend();
    let last = 0;
    const result = searchGraph(backend, data, req.n, req.d, req.options, (phase, done, total) => {
      const t = Date.now();
      if (done === total || t - last > 250) {
        last = t;
        send({ type: 'progress', phase, done, total });
      }
    });
    const usage = process.resourceUsage();
    result.info.searchProcessPeakRssMB = Math.round(usage.maxRSS / 1024);
    result.info.searchProcessCpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    send({ type: 'result', result });
  } catch (err) {
    const e = err as Error;
    send(isAlsgError(err) ? { type: 'error', code: err.code, message: err.message, details: { ...err.details, cause: undefined } } : { type: 'error', message: e?.message ?? String(err), stack: e?.stack });
  }
});
process.on('disconnect', () => process.exit(0));
