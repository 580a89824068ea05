import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { BACKBONES, createBackbone } from './create-backbone';

// One SGD step per backbone at 32x32 on wasm (the paper's networks too: at this size a step takes seconds), proving
// shapes, that every trainable variable receives a gradient, and that the step changes the weights.
describe('backbones: one training step on wasm at 32x32', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const name of BACKBONES) {
    it(`${name}: logits shape, finite loss, every variable gets a non-zero gradient`, () => {
      const net = createBackbone(name, { inputShape: [32, 32, 1], numClasses: 7, seed: 3 });
      const opt = tf.train.sgd(0.1);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomUniform([4, 32, 32, 1], 0, 255, 'float32', 5) as tf.Tensor4D;
        const y = tf.oneHot(tf.tensor1d([0, 1, 5, 6], 'int32'), 7);
        expect(net.logits(x, false).shape).toEqual([4, 7]);
        const vars = net.trainableVariables();
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar, vars);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        const zero = vars.filter((v) => tf.abs(grads[v.name]).max().dataSync()[0] === 0).map((v) => v.name);
        expect(zero).toEqual([]);
        const w0 = vars[0].clone();
        opt.applyGradients(grads);
        expect(tf.abs(vars[0].sub(w0)).max().dataSync()[0]).toBeGreaterThan(0);
      });
      // Eager training-mode calls update BatchNorm moving statistics, which the tidy must not dispose.
      expect(tf.memory().numTensors).toBe(before);
      expect(net.decayVariables().length).toBeGreaterThan(0);
      expect(net.decayVariables().length).toBeLessThan(net.trainableVariables().length);
      net.dispose();
      opt.dispose();
    });
  }

  it('the same seed gives the same initial weights, another seed different ones', () => {
    const a = createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 11 });
    const b = createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 11 });
    const c = createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 12 });
    const wa = a.model.getWeights()[0].dataSync();
    expect(Array.from(b.model.getWeights()[0].dataSync())).toEqual(Array.from(wa));
    expect(Array.from(c.model.getWeights()[0].dataSync())).not.toEqual(Array.from(wa));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('rejects unknown names and bad shapes with the option named', () => {
    expect(() => createBackbone('vgg', { inputShape: [32, 32, 1], numClasses: 7 })).toThrow(/must be one of .*but got 'vgg'/);
    expect(() => createBackbone('mlp', { inputShape: [32, 0, 1], numClasses: 7 })).toThrow(/inputShape must be/);
    expect(() => createBackbone('mlp', { inputShape: [48, 48, 1], numClasses: 7, poolTo: 32 })).toThrow(/multiple of poolTo=32/);
    const m = createBackbone('mlp', { inputShape: [48, 48, 1], numClasses: 7, hidden: [64] });
    expect(m.countParams()).toBe(24 * 24 * 64 + 64 + 64 * 7 + 7); // pooled to 24x24 by default
    m.dispose();
  });
});
