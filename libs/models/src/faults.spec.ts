/**
 * Fault injection (docs/reliability.md) for saved models and backbone options. Before the fixes a truncated
 * `weights.bin` gave "internal error" with TF.js's "Based on the provided shape, ..., the tensor should have N values
 * but has M" (no file named), and an MLP input size that its pooling cannot divide printed as an internal error.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAlsgError } from '@ldl-alsg/common';
import { rejection } from '@ldl-alsg/common/fixtures';
import { initBackend } from './backend';
import { createBackbone } from './create-backbone';
import { buildMlp } from './backbones/mlp';
import { loadLayersModelFromDir, saveLayersModel } from './model-io';

describe('a damaged saved model', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('wasm');
    dir = join(mkdtempSync(join(tmpdir(), 'models-fault-')), 'model');
    await saveLayersModel(createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 1 }).model, dir);
  });

  it('a truncated weights.bin is E_ARTIFACT naming the file, its size and the size model.json describes', async () => {
    const weights = join(dir, 'weights.bin');
    const full = readFileSync(weights);
    try {
      writeFileSync(weights, full.subarray(0, 100));
      const e = await rejection(loadLayersModelFromDir(dir));
      expect(e.code).toBe('E_ARTIFACT');
      expect(e.message).toBe(
        `${weights}: holds 100 bytes, but ${join(dir, 'model.json')} describes ${full.length} bytes of weights (${e.message.match(/\((\d+) tensors\)/)![1]} tensors); the file is truncated or belongs to another model. Re-run the stage that saved this model`,
      );
      writeFileSync(weights, Buffer.concat([full, Buffer.alloc(8)]));
      expect((await rejection(loadLayersModelFromDir(dir))).message).toMatch(/longer than its model/);
      rmSync(weights);
      const missing = await rejection(loadLayersModelFromDir(dir));
      expect(missing.code).toBe('E_ARTIFACT');
      expect(missing.message).toMatch(new RegExp(`^${weights}: cannot read the weights file .*ENOENT`));
    } finally {
      writeFileSync(weights, full);
    }
    await expect(loadLayersModelFromDir(dir)).resolves.toBeDefined();
  });
});

describe('backbone options a user can reach', () => {
  it('an MLP input its pooling cannot divide is E_CONFIG naming inputSize', () => {
    let err: unknown;
    try {
      buildMlp({ inputShape: [48, 50, 1], numClasses: 7 });
    } catch (e) {
      err = e;
    }
    expect(isAlsgError(err) && err.code).toBe('E_CONFIG');
    expect((err as Error).message).toBe('mlp: inputSize 48x50 must be a multiple of poolTo=24 in both sides (choose an inputSize divisible by 24, or another poolTo)');
    expect(() => createBackbone('small-cnn', { inputShape: [0, 16, 1], numClasses: 7 })).toThrow(/small-cnn: inputShape must be \[H, W, C\] of positive integers/);
  });
});

describe('a model.json TF.js cannot build', () => {
  it('is E_ARTIFACT naming model.json, not an internal error', async () => {
    await initBackend('wasm');
    const dir = join(mkdtempSync(join(tmpdir(), 'models-fault-json-')), 'model');
    await saveLayersModel(createBackbone('small-cnn', { inputShape: [16, 16, 1], numClasses: 7, seed: 1 }).model, dir);
    const json = join(dir, 'model.json');
    writeFileSync(json, readFileSync(json, 'utf8').replace(/"class_name": *"Conv2D"/, '"class_name": "NoSuchLayer"'));
    const e = await rejection(loadLayersModelFromDir(dir));
    expect(e.code).toBe('E_ARTIFACT');
    expect(e.message).toMatch(new RegExp(`^${json}: TF.js cannot build a model from it \\(.*NoSuchLayer`));
  });
});
