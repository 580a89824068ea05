import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { buildSmallCnn } from './backbones/small-cnn';
import { buildResNet } from './backbones/resnet';
import { createBackbone } from './create-backbone';
import { useLeanBatchNormTraining } from './lean-batchnorm-training';
import { BATCH_NORM_KERNELS } from './wasm/heap-kernels';

const opts = { inputShape: [16, 16, 1] as [number, number, number], numClasses: 7, seed: 5 };

/** Outputs of one training-mode step: the logits, every trainable weight's gradient, the moving statistics after it, and the kernels run. */
async function stepOf(model: tf.LayersModel): Promise<{ logits: ArrayLike<number>; grads: Float32Array[]; moving: Float32Array[]; kernels: string[] }> {
  const x = tf.randomUniform([6, 16, 16, 1], 0, 255, 'float32', 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: Float32Array[] = [];
  let logits: ArrayLike<number> = [];
  const info = await tf.profile(() => {
    const { value, grads: g } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      logits = out.dataSync();
      return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
    }, vars);
    grads = vars.map((v) => g[v.name].dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(g)]);
  });
  const moving = model.weights.filter((w) => /moving_(mean|variance)/.test(w.originalName)).map((w) => w.read().dataSync() as Float32Array);
  tf.dispose([x, y]);
  return { logits, grads, moving, kernels: info.kernels.map((k) => k.name) };
}

const maxRelDiff = (a: Float32Array, b: Float32Array): number => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / scale;
};
const count = (names: string[], kernel: string) => names.filter((n) => n === kernel).length;

describe('useLeanBatchNormTraining', () => {
  afterAll(async () => {
    await initBackend('wasm');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`small-cnn on ${backend}: same forward and moving statistics bit for bit, gradients within float rounding, far fewer kernels`, async () => {
      await initBackend(backend);
      const stock = buildSmallCnn(opts);
      const lean = buildSmallCnn(opts);
      expect(useLeanBatchNormTraining(lean)).toBe(3);
      const a = await stepOf(stock);
      const b = await stepOf(lean);
      expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
      expect(b.moving.length).toBe(6);
      b.moving.forEach((m, i) => expect(Array.from(m)).toEqual(Array.from(a.moving[i])));
      expect(b.grads.length).toBe(a.grads.length);
      b.grads.forEach((g, i) => {
        expect(Math.max(...Array.from(a.grads[i]).map(Math.abs))).toBeGreaterThan(1e-6);
        expect(maxRelDiff(a.grads[i], g)).toBeLessThan(1e-4);
      });
      // The stock chain reduces over the full activation many times per layer; the closed form twice (sum dy, sum dy*xhat).
      expect(count(b.kernels, 'Sum') + count(b.kernels, 'Mean')).toBeLessThan(count(a.kernels, 'Sum') + count(a.kernels, 'Mean'));
      expect(b.kernels.length).toBeLessThan(a.kernels.length * 0.8);
      stock.dispose();
      lean.dispose();
    });
  }

  it('on wasm the heap passes train to the same bits as the op path: logits, every gradient, the moving statistics', async () => {
    await initBackend('wasm');
    const heapKernels = Object.values(BATCH_NORM_KERNELS).map((k) => tf.getKernel(k, 'wasm'));
    expect(heapKernels.every((k) => k !== undefined)).toBe(true);
    const bitsOf = (r: Awaited<ReturnType<typeof stepOf>>) => [r.logits, ...r.grads, ...r.moving].map((a) => Array.from(new Uint32Array(Float32Array.from(a).buffer)));
    const run = async () => {
      const net = buildSmallCnn(opts);
      useLeanBatchNormTraining(net);
      const r = await stepOf(net);
      net.dispose();
      return r;
    };
    const heap = await run();
    for (const k of heapKernels) tf.unregisterKernel(k!.kernelName, 'wasm');
    let ops: Awaited<ReturnType<typeof stepOf>>;
    try {
      ops = await run();
    } finally {
      for (const k of heapKernels) tf.registerKernel(k!);
    }
    expect(heap.kernels).toContain(BATCH_NORM_KERNELS.gradInput);
    expect(ops.kernels).not.toContain(BATCH_NORM_KERNELS.centre);
    expect(bitsOf(heap)).toEqual(bitsOf(ops));
  });

  it('ResNet-18 (batch norm after every conv, residual adds) trains to the same gradients within float rounding (wasm)', async () => {
    await initBackend('wasm');
    const small = { inputShape: [16, 16, 1] as [number, number, number], numClasses: 7, seed: 2 };
    const stock = buildResNet(18, small);
    const lean = buildResNet(18, small);
    expect(useLeanBatchNormTraining(lean)).toBeGreaterThan(10);
    const a = await stepOf(stock);
    const b = await stepOf(lean);
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    b.grads.forEach((g, i) => expect(maxRelDiff(a.grads[i], g)).toBeLessThan(1e-3));
    stock.dispose();
    lean.dispose();
  });

  it('is applied by createBackbone, idempotent, leaks nothing, leaves inference and the saved topology as tfjs has them', async () => {
    await initBackend('wasm');
    const net = createBackbone('small-cnn', opts);
    expect(useLeanBatchNormTraining(net.model)).toBe(3);
    const json = JSON.stringify(net.model.toJSON(null, false));
    expect(json).toContain('"class_name":"BatchNormalization"');
    expect(json).not.toContain('lean');
    const stock = buildSmallCnn(opts);
    const x = tf.randomUniform([2, 16, 16, 1], 0, 255, 'float32', 4);
    const [p, q] = [net.model, stock].map((m) => tf.tidy(() => (m.apply(x, { training: false }) as tf.Tensor).dataSync()));
    expect(Array.from(p)).toEqual(Array.from(q));
    tf.dispose(x);
    stock.dispose();
    // (after the inference check: training moves the moving statistics) Training steps leave no tensor and no backend buffer behind (the kept batch statistics are freed).
    const vars = net.trainableVariables();
    const trainStep = () => {
      const q = tf.variableGrads(() => (net.logits(tf.ones([2, 16, 16, 1]) as tf.Tensor4D, true) as tf.Tensor).square().mean() as tf.Scalar, vars);
      tf.dispose([q.value, ...Object.values(q.grads)]);
    };
    trainStep();
    const [tensors, buffers] = [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    for (let i = 0; i < 3; i++) trainStep();
    expect([tf.memory().numTensors, tf.engine().backend.numDataIds()]).toEqual([tensors, buffers]);
    net.dispose();
  });
});
