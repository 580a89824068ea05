/**
 * Benchmark (prints, asserts nothing): small-cnn training steps with the batch norm's heap passes (wasm/heap-kernels.ts
 * BATCH_NORM_KERNELS) against the op-by-op path, alternated in one process so machine load affects both alike. Both
 * paths give the same bits (lean-batchnorm-training.spec.ts); this measures only their time. Baseline steps (cross-entropy)
 * and exact LDL-ALSG(AU+FL) steps (k 4 + 4 random neighbours) of 32 centres on random 32x32 images.
 *
 *   npx tsx tools/bench/batchnorm-ab.ts [--rounds 6] [--steps 40]
 */
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { BATCH_NORM_KERNELS, createBackbone, initBackend, makeImageBatch } from '@ldl-alsg/models';
import { createLdlAlsgMethod, fromBackbone, MomentumSgd, type NeighbourSpace } from '@ldl-alsg/training';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, steps: { type: 'string', default: '40' } } });
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
await initBackend('wasm');
const heapKernels = Object.values(BATCH_NORM_KERNELS).map((k) => tf.getKernel(k, 'wasm')!);
const useHeap = (on: boolean) => {
  for (const k of heapKernels) {
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    if (on) tf.registerKernel(k);
  }
};

const N = 2000;
const B = 32;
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const cache = { data: Uint8Array.from({ length: N * 1024 }, () => Math.floor(rnd() * 256)), shape: [N, 32, 32, 1] as [number, number, number, 1] };
const inputs = { numRows: N, gather: (rows: Int32Array) => makeImageBatch(cache, rows) };
const space = (name: string): NeighbourSpace => ({
  name,
  neighbors: Int32Array.from({ length: N * 4 }, () => Math.floor(rnd() * N)),
  similarity: Float32Array.from({ length: N * 4 }, () => 0.5 + 0.5 * rnd()),
  K: 4,
  k: 4,
  lambda: 0.0005,
});
const samples = { row: Int32Array.from({ length: N }, (_, i) => i), label: Int32Array.from({ length: N }, () => Math.floor(rnd() * 7)) };
const model = fromBackbone(createBackbone('small-cnn', { inputShape: [32, 32, 1], numClasses: 7, seed: 1 }));
const variables = model.trainableVariables();
const sgd = new MomentumSgd(variables, { momentum: 0.9, weightDecay: 4e-4 });
const methods = {
  baseline: createLdlAlsgMethod({ model, inputs, samples, spaces: [] }),
  exact: createLdlAlsgMethod({ model, inputs, samples, spaces: [space('au'), space('landmarks')] }),
};

/** Mean ms per step over `steps` steps of the trainer's step (prepareBatch, loss and gradients, SGD update). */
function msPerStep(method: (typeof methods)['exact'], steps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const batch = method.prepareBatch(Int32Array.from({ length: B }, (_, j) => (i * B + j * 7) % N));
    const { value, grads } = tf.variableGrads(() => method.loss(model.logits(batch.x, true) as tf.Tensor2D, batch).total, variables);
    const gradList = variables.map((v) => grads[v.name]);
    sgd.step(gradList, 0.001);
    tf.dispose([value, ...gradList, ...batch.tensors]);
  }
  return (performance.now() - t0) / steps;
}

msPerStep(methods.baseline, 10);
msPerStep(methods.exact, 10);
const times: Record<string, number[]> = {};
for (let round = 0; round < Number(values.rounds); round++) {
  for (const heap of [true, false]) {
    useHeap(heap);
    for (const name of ['baseline', 'exact'] as const) (times[`${name}, ${heap ? 'heap passes' : 'ops'}`] ??= []).push(msPerStep(methods[name], Number(values.steps)));
  }
}
useHeap(true);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [k, v] of Object.entries(times)) console.log(`${k}: median ${median(v).toFixed(2)} ms per step of ${B} centres (rounds ${v.map((x) => x.toFixed(1)).join(' ')})`);
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
