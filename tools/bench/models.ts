/**
 * Throughput and memory of the CPU-capable backbones (libs/models), wasm vs the stock cpu backend.
 *
 * Prints, per backbone / backend / batch size: training-step throughput (one SGD-momentum step with softmax
 * cross-entropy, images/s), forward-only throughput (inference mode, images/s); then the dense-matmul fix before/after
 * on the MLP; then peak memory (wasm heap size, process RSS). Asserts nothing (shared, noisy machine: `uptime` is printed).
 *
 *   npx tsx tools/bench/models.ts [--backbones mlp,small-cnn] [--sizes 32] [--batches 32,288] [--backends wasm,cpu]
 *        [--seconds 3] [--cpu-max-seconds 40] [--cpu-conv-fix]
 *
 * --cpu-conv-fix installs the forward-convolution conv backprop on the cpu backend too (opt-in there).
 *
 * Each measurement runs one warm-up step, then steps until --seconds have passed (at least one). The cpu backend's
 * conv backprop is so slow that a combination whose warm-up step exceeds --cpu-max-seconds is reported as such.
 */
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createBackbone, initBackend, uninstallWasmFixes, installWasmFixes, type BackendPreference } from '@ldl-alsg/models';

const { values } = parseArgs({
  options: {
    backbones: { type: 'string', default: 'mlp,small-cnn' },
    sizes: { type: 'string', default: '32' },
    batches: { type: 'string', default: '32,288' },
    backends: { type: 'string', default: 'wasm,cpu' },
    seconds: { type: 'string', default: '3' },
    'cpu-max-seconds': { type: 'string', default: '40' },
    'cpu-conv-fix': { type: 'boolean', default: false },
  },
});
const list = (s: string) => s.split(',').map((v) => v.trim()).filter(Boolean);
const seconds = Number(values.seconds);

function heapMb(): number {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return b.wasm ? b.wasm.HEAPU8.buffer.byteLength / 2 ** 20 : NaN;
}

/** Time `step` (one warm-up call, then calls until `seconds` pass); returns seconds per call. */
function timeIt(step: () => void, maxWarmup = Infinity): number | string {
  const t0 = performance.now();
  step();
  const warm = (performance.now() - t0) / 1000;
  if (warm > maxWarmup) return `warm-up step ${warm.toFixed(1)} s > limit, skipped`;
  let n = 0;
  const t1 = performance.now();
  do {
    step();
    n++;
  } while (performance.now() - t1 < seconds * 1000);
  return (performance.now() - t1) / 1000 / n;
}

function measure(name: string, size: number, batch: number, backend: string): void {
  const net = createBackbone(name, { inputShape: [size, size, 1], numClasses: 7, seed: 1 });
  const opt = tf.train.momentum(0.001, 0.9);
  const x = tf.randomUniform([batch, size, size, 1], 0, 255, 'float32', 1) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 7), 'int32'), 7);
  const vars = net.trainableVariables();
  const train = () => {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar, true, vars);
    l!.dataSync();
    l!.dispose();
  };
  const fwd = () => tf.tidy(() => net.logits(x, false).dataSync());
  const limit = backend === 'cpu' ? Number(values['cpu-max-seconds']) : Infinity;
  const st = timeIt(train, limit);
  const sf = timeIt(fwd, limit);
  const fmt = (s: number | string) => (typeof s === 'string' ? s : `${(batch / s).toFixed(0)} img/s (${(s * 1000).toFixed(1)} ms/batch)`);
  console.log(
    `${name.padEnd(10)} ${String(size).padStart(3)}px  ${backend.padEnd(5)} batch ${String(batch).padStart(3)}  params ${net.countParams()}  ` +
      `train ${fmt(st)}  forward ${fmt(sf)}  wasm-heap ${heapMb().toFixed(0)} MB  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
  );
  tf.dispose([x, y]);
  opt.dispose();
  net.dispose();
}

console.log(`uptime: ${execSync('uptime').toString().trim()}`);
console.log(`tfjs ${tf.version.tfjs}, node ${process.version}`);
for (const backend of list(values.backends)) {
  const info = await initBackend(backend as BackendPreference);
  if (backend === 'cpu' && values['cpu-conv-fix']) installWasmFixes({ cpuConvBackprop: true });
  console.log(`\n== backend ${info.name}: ${info.detail}`);
  for (const name of list(values.backbones)) {
    for (const size of list(values.sizes).map(Number)) {
      for (const batch of list(values.batches).map(Number)) measure(name, size, batch, backend);
    }
  }
}

// The transposed-matmul fix, before/after, on the MLP (1024 -> 512 -> 256 -> 7) at batch 288.
await initBackend('wasm');
console.log('\n== wasm dense matmul fix (mlp 32px, batch 288, training step)');
uninstallWasmFixes();
measure('mlp', 32, 288, 'wasm (stock matmul)');
installWasmFixes();
measure('mlp', 32, 288, 'wasm (fixed matmul)');
console.log(`\npeak: wasm heap ${heapMb().toFixed(0)} MB (never shrinks), rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
