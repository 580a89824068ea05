/**
 * Benchmark (prints; its only check is that both routes give the same bits): wasm convolutions by the heap module
 * (libs/models/src/wasm/heap-conv2d.ts) against the stock kernel (XNNPACK), alternated in one process so machine load
 * affects both alike; only the Conv2D / FusedConv2D kernels differ between the two, every other workaround stays. Each call gets a filter uploaded just before it, as in training (the weights change at every
 * step) and in LDL-ALSG's neighbour forward (batch norm folded into a new filter at every call); the upload is timed in
 * both routes. Fused conv + bias + ReLU, the neighbour forward's kernel.
 *
 *   npx tsx tools/bench/conv-kernels.ts [--rounds 5] [--calls 40]
 */
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { initBackend, installWasmFixes, uninstallWasmFixes } from '@ldl-alsg/models';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, calls: { type: 'string', default: '40' } } });
const rounds = Number(values.rounds);
const calls = Number(values.calls);
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
await initBackend('wasm');
// The two routes differ only in these kernels: every other workaround stays installed in both (without them, for
// instance, tfjs copies the fused conv's output through an Identity kernel, which would be charged to XNNPACK here).
const convKernels = ['Conv2D', 'FusedConv2D'];
uninstallWasmFixes();
const stockKernels = convKernels.map((k) => tf.getKernel(k, 'wasm')!);
installWasmFixes();
const heapKernels = convKernels.map((k) => tf.getKernel(k, 'wasm')!);
const useRoute = (route: 'stock' | 'heap') => {
  for (const [i, k] of convKernels.entries()) {
    tf.unregisterKernel(k, 'wasm');
    tf.registerKernel(route === 'stock' ? stockKernels[i] : heapKernels[i]);
  }
};

type Shape4 = [number, number, number, number];
// [name, x shape, filter shape, stride]: small-cnn's layers at batch 32 (a training step) and 248 (an exact step's
// neighbour forward), then larger channel counts.
const cases: [string, Shape4, Shape4, number][] = [
  ['small-cnn conv1, batch 32', [32, 32, 32, 1], [3, 3, 1, 16], 2],
  ['small-cnn conv2, batch 32', [32, 16, 16, 16], [3, 3, 16, 32], 2],
  ['small-cnn conv3, batch 32', [32, 8, 8, 32], [3, 3, 32, 64], 2],
  ['small-cnn conv1, batch 248', [248, 32, 32, 1], [3, 3, 1, 16], 2],
  ['small-cnn conv2, batch 248', [248, 16, 16, 16], [3, 3, 16, 32], 2],
  ['small-cnn conv3, batch 248', [248, 8, 8, 32], [3, 3, 32, 64], 2],
  ['3x3 64 -> 128, stride 1', [32, 8, 8, 64], [3, 3, 64, 128], 1],
  ['1x1 64 -> 64', [32, 8, 8, 64], [1, 1, 64, 64], 1],
];
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const bitsOf = (t: tf.Tensor) => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);

console.log('| shape | MMAC | stock ms (median of rounds) | heap ms | heap / stock | heap GMAC/s | same bits |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [name, xs, fs, s] of cases) {
  const x = tf.randomNormal(xs, 0, 1, 'float32', 1) as tf.Tensor4D;
  const filterValues = tf.randomNormal(fs, 0, 0.3, 'float32', 2).dataSync() as Float32Array;
  const bias = tf.randomNormal([fs[3]], 0, 0.1, 'float32', 3) as tf.Tensor1D;
  const call = () => {
    const filter = tf.tensor4d(filterValues, fs);
    // wasm kernels run synchronously: no read-back needed to time them (it would copy the whole output).
    const y = tf.fused.conv2d({ x, filter, strides: s, pad: 'same', bias, activation: 'relu' });
    return tf.dispose(filter), y;
  };
  const timed: Record<'stock' | 'heap', number[]> = { stock: [], heap: [] };
  const outputs: Partial<Record<'stock' | 'heap', Uint32Array>> = {};
  for (let r = 0; r < rounds; r++) {
    // Which route goes first alternates, so that neither always runs on a machine warmed by the other.
    for (const route of r % 2 ? (['heap', 'stock'] as const) : (['stock', 'heap'] as const)) {
      useRoute(route);
      for (let w = 0; w < 3; w++) call().dispose();
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) {
        const y = call();
        if (!outputs[route]) outputs[route] = bitsOf(y);
        y.dispose();
      }
      timed[route].push((performance.now() - t0) / calls);
    }
  }
  useRoute('heap');
  const info = tf.backend_util.computeConv2DInfo(xs, fs, s, 1, 'same');
  const mmac = (xs[0] * info.outHeight * info.outWidth * fs[0] * fs[1] * fs[2] * fs[3]) / 1e6;
  const stock = median(timed.stock);
  const heap = median(timed.heap);
  const a = outputs.stock!;
  const b = outputs.heap!;
  const same = a.length === b.length && a.every((v, i) => v === b[i]);
  console.log(`| ${name} | ${mmac.toFixed(1)} | ${stock.toFixed(3)} | ${heap.toFixed(3)} | ${(heap / stock).toFixed(2)} | ${(mmac / heap).toFixed(1)} | ${same ? 'yes' : 'NO'} |`);
  tf.dispose([x, bias]);
}
console.log('(small-cnn conv1 has one input channel: the heap route does not apply and both columns are XNNPACK)');
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
