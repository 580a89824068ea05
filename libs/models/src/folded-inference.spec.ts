import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { buildSmallCnn } from './backbones/small-cnn';
import { buildMlp } from './backbones/mlp';
import { createBackbone } from './create-backbone';
import { foldedInference } from './folded-inference';

const opts = { inputShape: [16, 16, 1] as [number, number, number], numClasses: 7, seed: 4 };

/** Give every batch norm non-trivial statistics, so that a fold that ignored one of them would show. */
function randomiseBatchNorms(model: tf.LayersModel, seed: number): void {
  model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .forEach((l, i) => {
      const n = l.getWeights()[0].shape[0]; // getWeights returns the live variables: not to be disposed
      l.setWeights([
        tf.randomUniform([n], 0.5, 1.5, 'float32', seed + 10 * i),
        tf.randomUniform([n], -0.5, 0.5, 'float32', seed + 10 * i + 1),
        tf.randomUniform([n], -0.3, 0.3, 'float32', seed + 10 * i + 2),
        tf.randomUniform([n], 0.2, 2, 'float32', seed + 10 * i + 3),
      ]);
    });
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / scale;
}

describe('foldedInference', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('computes small-cnn inference as three fused convs, equal to model.apply(training false) to rounding', async () => {
    const model = buildSmallCnn(opts);
    randomiseBatchNorms(model, 7);
    const fold = foldedInference(model);
    expect(fold).not.toBeNull();
    const x = tf.randomUniform([9, 16, 16, 1], 0, 255, 'float32', 2);
    const want = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
    let got: Float32Array = new Float32Array(0);
    const info = await tf.profile(() => {
      got = tf.tidy(() => fold!(x).dataSync() as Float32Array);
    });
    expect(got.length).toBe(want.length);
    expect(maxRelDiff(got, want)).toBeLessThan(1e-5);
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'FusedConv2D').length).toBe(3);
    expect(names).not.toContain('FusedBatchNorm');
    expect(names).not.toContain('Relu');
    // Weights are read at each call: after an update the fold follows.
    randomiseBatchNorms(model, 70);
    const want2 = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
    const got2 = tf.tidy(() => fold!(x).dataSync() as Float32Array);
    expect(maxRelDiff(got2, want2)).toBeLessThan(1e-5);
    expect(maxRelDiff(got2, want)).toBeGreaterThan(1e-3);
    x.dispose();
    model.dispose();
  });

  it('is what Backbone.logits(x, false) runs; training mode keeps the layers', () => {
    const net = createBackbone('small-cnn', opts);
    randomiseBatchNorms(net.model, 3);
    const x = tf.randomUniform([4, 16, 16, 1], 0, 255, 'float32', 5) as tf.Tensor4D;
    const a = tf.tidy(() => net.logits(x, false).dataSync() as Float32Array);
    const b = tf.tidy(() => (net.model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
    expect(maxRelDiff(a, b)).toBeLessThan(1e-5);
    const c = tf.tidy(() => net.logits(x, true).dataSync() as Float32Array);
    const d = tf.tidy(() => (net.model.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array);
    expect(Array.from(c)).toEqual(Array.from(d));
    x.dispose();
    net.dispose();
  });

  it('folds a conv + batch norm without ReLU into a linear fused conv', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'valid', useBias: false }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ epsilon: 0.01 }).apply(conv) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.flatten().apply(bn) as tf.SymbolicTensor });
    randomiseBatchNorms(model, 11);
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 6);
    const fold = foldedInference(model);
    expect(fold).not.toBeNull();
    const got = tf.tidy(() => fold!(x).dataSync() as Float32Array);
    const want = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
    expect(maxRelDiff(got, want)).toBeLessThan(1e-5);
    expect(Array.from(got).some((v) => v < 0)).toBe(true); // no ReLU slipped in
    x.dispose();
    model.dispose();
  });

  it('declines models with nothing to fold or with branches', () => {
    const mlp = buildMlp({ ...opts, hidden: [8] });
    expect(foldedInference(mlp)).toBeNull();
    mlp.dispose();
    const input = tf.input({ shape: [8, 8, 1] });
    const c = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.batchNormalization().apply(c) as tf.SymbolicTensor;
    const skip = tf.layers.add().apply([b, tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false }).apply(input) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: skip });
    expect(foldedInference(branched)).toBeNull();
    branched.dispose();
  });
});
