import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { buildSmallCnn } from './backbones/small-cnn';
import { useLazyConvInputGradients } from './lazy-conv-gradients';
import { createBackbone } from './create-backbone';

const opts = { inputShape: [16, 16, 1] as [number, number, number], numClasses: 7, seed: 5 };

/** Logits and the gradients of a cross-entropy step w.r.t. every trainable weight, plus the kernels the step ran. */
async function stepOf(model: tf.LayersModel): Promise<{ logits: Float32Array; grads: Float32Array[]; kernels: string[] }> {
  const x = tf.randomUniform([6, 16, 16, 1], 0, 255, 'float32', 3) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let grads: Float32Array[] = [];
  const info = await tf.profile(() => {
    const { grads: g } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    grads = vars.map((v) => g[v.name].dataSync() as Float32Array);
    tf.dispose(g);
  });
  const logits = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
  tf.dispose([x, y]);
  return { logits, grads, kernels: info.kernels.map((k) => k.name) };
}

const count = (names: string[], kernel: string) => names.filter((n) => n === kernel).length;

describe('useLazyConvInputGradients', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('skips the image gradient of the first conv and changes no number (small-cnn, wasm)', async () => {
    const stock = buildSmallCnn(opts);
    const lazy = buildSmallCnn(opts);
    expect(useLazyConvInputGradients(lazy)).toBe(3);
    const a = await stepOf(stock);
    const b = await stepOf(lazy);
    // Same kernels forward and backward, so byte-identical, not merely close.
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    expect(b.grads.length).toBe(a.grads.length);
    b.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(a.grads[i])));
    // Three convs: the stock fused gradient computes three input gradients, the lazy one two (not the image's).
    expect(count(a.kernels, 'Conv2DBackpropInput')).toBe(3);
    expect(count(b.kernels, 'Conv2DBackpropInput')).toBe(2);
    expect(count(b.kernels, 'Conv2DBackpropFilter')).toBe(3);
    stock.dispose();
    lazy.dispose();
  });

  it('is applied by createBackbone, idempotent, and leaves the saved topology a plain Conv2D', () => {
    const net = createBackbone('small-cnn', opts);
    expect(useLazyConvInputGradients(net.model)).toBe(3);
    const json = JSON.stringify(net.model.toJSON(null, false));
    expect(json).toContain('"class_name":"Conv2D"');
    expect(json).not.toContain('lazy');
    net.dispose();
  });

  it('leaves convs with a bias or an activation on tfjs\'s own call', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const withBias = tf.layers.conv2d({ filters: 2, kernelSize: 3, useBias: true }).apply(input) as tf.SymbolicTensor;
    const relu = tf.layers.conv2d({ filters: 2, kernelSize: 3, useBias: false, activation: 'relu' }).apply(withBias) as tf.SymbolicTensor;
    const plain = tf.layers.conv2d({ filters: 2, kernelSize: 3, useBias: false }).apply(relu) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: plain });
    expect(useLazyConvInputGradients(model)).toBe(1);
    model.dispose();
  });
});
