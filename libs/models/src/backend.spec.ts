import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend';

describe('initBackend', () => {
  it('auto skips the optional tfjs-node backends (not installable here) and lands on wasm, saying why', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.version).toBe('4.22.0');
    expect(info.detail).toMatch(/fixes=\[wasm:matmul-transpose, wasm:forward-conv-backprop, wasm:depthwise-backprop, wasm:lean-batchnorm-grad, wasm:heap-kernels, wasm:identity-alias, wasm:outer-axis-reductions, wasm:heap-conv2d\]/);
    expect(info.detail).toMatch(/skipped: tensorflow-gpu: .*; tensorflow: /);
    // The log line: short, without the import errors (those stay in detail, recorded in stage.json).
    expect(info.summary).toMatch(/^wasm 4\.22\.0 \((no )?simd, \d+ threads?, 8 kernel fixes; tensorflow-gpu, tensorflow not available\)$/);
    expect(info.summary.length).toBeLessThan(100);
  });

  it('a named backend that is missing is an E_DEPENDENCY error naming it', async () => {
    await expect(initBackend('tensorflow-gpu')).rejects.toMatchObject({ code: 'E_DEPENDENCY', message: /backend 'tensorflow-gpu' is not available/ });
  });

  it('cpu can be forced', async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
  });
});
