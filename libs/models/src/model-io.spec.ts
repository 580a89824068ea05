import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { createBackbone } from './create-backbone';
import { loadLayersModelFromDir, registerFileLoadRouter, saveLayersModel } from './model-io';

describe('TF.js layers format save/load without tfjs-node', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('round-trips a backbone with BatchNorm: same weights, same predictions, via fileHandler and file://', async () => {
    const net = createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 2 });
    // Move BatchNorm moving statistics away from their initial values so the round trip covers them.
    tf.tidy(() => net.logits(tf.randomUniform([8, 16, 16, 1], 0, 255, 'float32', 1) as tf.Tensor4D, true));
    const dir = join(mkdtempSync(join(tmpdir(), 'models-io-')), 'model');
    const path = await saveLayersModel(net.model, dir, { classes: ['a', 'b'] });
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    const x = tf.randomUniform([3, 16, 16, 1], 0, 255, 'float32', 4);
    const want = (net.model.predict(x) as tf.Tensor).dataSync();
    const loaded = await loadLayersModelFromDir(path);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(want));
    const w1 = net.model.getWeights();
    const w2 = loaded.getWeights();
    expect(w2.length).toBe(w1.length);
    w1.forEach((w, i) => expect(Array.from(w2[i].dataSync())).toEqual(Array.from(w.dataSync())));
    registerFileLoadRouter();
    const viaUrl = await tf.loadLayersModel(`file://${path}`);
    expect(Array.from((viaUrl.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(want));
  });

  for (const name of ['mlp', 'resnet18', 'mobilenetv2'] as const) {
    it(`${name} (its layer types: Rescaling, pooling, add, ReLU6, depthwise) loads back with the same predictions`, async () => {
      const net = createBackbone(name, { inputShape: [32, 32, 1], numClasses: 7, seed: 5 });
      const dir = mkdtempSync(join(tmpdir(), `models-io-${name}-`));
      await saveLayersModel(net.model, dir);
      const loaded = await loadLayersModelFromDir(dir);
      const x = tf.randomUniform([2, 32, 32, 1], 0, 255, 'float32', 6);
      const want = Array.from((net.model.predict(x) as tf.Tensor).dataSync());
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(want);
      loaded.dispose();
      net.dispose();
    });
  }

  it('names the file when model.json is malformed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-io-bad-'));
    writeFileSync(join(dir, 'model.json'), '{"format": "layers-model"}');
    await expect(loadLayersModelFromDir(dir)).rejects.toThrow(/model\.json: modelTopology and weightsManifest must be present/);
  });
});
