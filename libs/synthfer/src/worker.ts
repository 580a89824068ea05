/** Worker-thread entry: runs chunk jobs posted by the generator and posts their results back (typed arrays transferred). */
import { parentPort } from 'node:worker_threads';
import { runChunk, type ChunkJob } from './chunk';

parentPort?.on('message', (msg: { id: number; job: ChunkJob }) => {
  try {
    const r = runChunk(msg.job);
    parentPort!.postMessage({ id: msg.id, result: r }, [r.latent.buffer, r.au.buffer, r.landmarks.buffer] as ArrayBuffer[]);
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) });
  }
});
