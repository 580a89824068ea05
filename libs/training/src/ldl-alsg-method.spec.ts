import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ldl-alsg/common';
import { referenceBatchLoss } from '@ldl-alsg/ldl';
import { createLdlAlsgMethod, type InputSource, type NeighbourSpace } from './ldl-alsg-method';
import { createDenseModel, fromLayersModel } from './trainable-model';

await tf.setBackend('cpu');

const n = 40, d = 5, C = 7;
const rng = new Rng(9);
const X = tf.tensor2d(Float32Array.from({ length: n * d }, () => rng.normal()), [n, d]);
const inputs: InputSource = { numRows: n, gather: (rows) => tf.tidy(() => tf.gather(X, tf.tensor1d(rows, 'int32'))) };
function space(name: string, K: number, k: number, lambda: number): NeighbourSpace {
  const neighbors = Int32Array.from({ length: n * K }, () => (rng.uniform() < 0.15 ? -1 : rng.int(n)));
  neighbors.fill(-1, 0, K); // row 0: no neighbours at all
  return { name, neighbors, similarity: Float32Array.from({ length: n * K }, () => rng.uniform()), K, k, lambda };
}

describe('LDL-ALSG batches of groups', () => {
  const model = fromLayersModel(createDenseModel({ inputSize: d, hidden: [6], numClasses: C, seed: 1 }));
  const spaces = [space('au', 5, 4, 0.7), space('landmarks', 4, 3, 0.2)];
  const samples = { row: Int32Array.from({ length: n }, (_, i) => i), label: Int32Array.from({ length: n }, () => rng.int(C)) };
  const ids = Int32Array.from([0, 5, 7, 12, 5, 30]);

  it('the deduplicated, forward-only loss equals the reference over every group image', () => {
    const m = createLdlAlsgMethod({ model, inputs, samples, spaces, reduction: 'sum' });
    const batch = m.prepareBatch(ids);
    const got = tf.tidy(() => m.loss(model.logits(batch.x, true), batch).total.dataSync()[0]);
    // Reference: forward all 1 + 4 + 3 images of each group separately, no deduplication.
    const logitsOf = (rows: number[]) => tf.tidy(() => model.logits(inputs.gather(Int32Array.from(rows.map((r) => Math.max(0, r)))), false).dataSync());
    const rows = Array.from(ids);
    const ref = referenceBatchLoss({
      logits: logitsOf(rows), labels: Array.from(ids, (s) => samples.label[s]), numClasses: C,
      tasks: spaces.map((sp) => {
        const nb = rows.flatMap((r) => Array.from(sp.neighbors.subarray(r * sp.K, r * sp.K + sp.k)));
        const sim = rows.flatMap((r, i) => Array.from(sp.similarity.subarray(r * sp.K, r * sp.K + sp.k)).map((a, j) => (nb[i * sp.k + j] < 0 ? 0 : a)));
        return { k: sp.k, neighbourLogits: logitsOf(nb), similarity: sim };
      }),
      lambdas: spaces.map((s) => s.lambda),
    }, 'sum');
    expect(Math.abs(got - ref.total)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.total)));
    // Deduplication: fewer images forwarded than neighbour slots with a > 0 (sample 5 occurs twice).
    expect(m.stats.forwarded).toBeLessThan(m.stats.slots);
    batch.tensors.forEach((t) => t.dispose());
  });

  it('epoch-cache mode reads predictions from the cache (same values at unchanged weights)', () => {
    const exact = createLdlAlsgMethod({ model, inputs, samples, spaces });
    const cached = createLdlAlsgMethod({ model, inputs, samples, spaces, neighbourMode: 'epoch-cache' });
    cached.onEpochStart(0);
    const val = (m: typeof exact) => {
      const b = m.prepareBatch(ids);
      const v = tf.tidy(() => m.loss(model.logits(b.x, true), b).total.dataSync()[0]);
      b.tensors.forEach((t) => t.dispose());
      return v;
    };
    expect(val(cached)).toBeCloseTo(val(exact), 6);
    expect(cached.stats.forwarded).toBe(n);
    cached.dispose();
  });

  it('a training run does not leak tensors', async () => {
    const { runTrainLoop } = await import('./train-loop');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'leak-'));
    const m = createLdlAlsgMethod({ model, inputs, samples, spaces });
    const run = (epochs: number, sub: string) =>
      runTrainLoop({ phase: 'main', model, numSamples: n, batchSize: 8, seed: 1, epochs, lr: 0.01, momentum: 0.9, weightDecay: 0.0004, warmupEpochs: 0,
        prepareBatch: m.prepareBatch, loss: m.loss, checkpointDir: join(dir, sub), logFile: join(dir, sub, 'log.jsonl') });
    await run(1, 'a');
    const before = tf.memory().numTensors;
    await run(3, 'b');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the baseline (no spaces) is cross-entropy only', () => {
    const m = createLdlAlsgMethod({ model, inputs, samples, spaces: [] });
    const b = m.prepareBatch(ids);
    const out = m.loss(model.logits(b.x, true), b);
    expect(Object.keys(out.terms)).toEqual(['ce']);
    expect(out.total.dataSync()[0]).toBeCloseTo(out.terms.ce.dataSync()[0], 7);
  });
});
