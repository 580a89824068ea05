import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, MOMENTUM_SGD_UPDATE } from '@ldl-alsg/models';
import { MomentumSgd } from './sgd';

/** Three steps of MomentumSgd on fixed weights and gradients; returns weights and velocities after each step. */
function run(decayMask?: boolean[]): Float32Array[] {
  const w = [tf.variable(tf.randomNormal([300, 7], 0, 1, 'float32', 1)), tf.variable(tf.randomNormal([7], 0, 1, 'float32', 2))];
  const sgd = new MomentumSgd(w, { momentum: 0.9, weightDecay: 0.0004, decayMask });
  const out: Float32Array[] = [];
  for (let s = 0; s < 3; s++) {
    const grads = [tf.randomNormal([300, 7], 0, 0.1, 'float32', 10 + s), tf.randomNormal([7], 0, 0.1, 'float32', 20 + s)];
    sgd.step(grads, 0.013 * (s + 1));
    tf.dispose(grads);
    out.push(...w.map((v) => v.dataSync() as Float32Array), ...sgd.getState());
  }
  sgd.dispose();
  tf.dispose(w);
  return out;
}

describe('MomentumSgd', () => {
  it('follows PyTorch semantics: v <- m v + (g + wd w); w <- w - lr v', async () => {
    await initBackend('cpu');
    const w = tf.variable(tf.tensor1d([1, -2]));
    const sgd = new MomentumSgd([w], { momentum: 0.5, weightDecay: 0.1 });
    sgd.step([tf.tensor1d([0.5, 0.5])], 0.1); // v = [0.6, 0.3]; w = [0.94, -2.03]
    sgd.step([tf.tensor1d([0, 1])], 0.1); // v = 0.5 v + g + 0.1 w = [0.394, 0.947]; w = [0.9006, -2.1247]
    expect(Array.from(sgd.getState()[0])).toEqual([0.394, 0.947].map((x) => expect.closeTo(x, 6)));
    expect(Array.from(w.dataSync())).toEqual([0.9006, -2.1247].map((x) => expect.closeTo(x, 6)));
    sgd.dispose();
    w.dispose();
  });

  it('the one-pass wasm kernel gives the cpu ops path\'s weights and velocities bit for bit (with and without decay)', async () => {
    await initBackend('cpu');
    expect(tf.getKernel(MOMENTUM_SGD_UPDATE, 'cpu')).toBeUndefined(); // the reference runs the stock ops
    const ref = [run(), run([true, false])];
    await initBackend('wasm');
    expect(tf.getKernel(MOMENTUM_SGD_UPDATE, 'wasm')).toBeDefined();
    const got = [run(), run([true, false])];
    for (let c = 0; c < ref.length; c++) {
      for (let i = 0; i < ref[c].length; i++) expect(Array.from(got[c][i])).toEqual(Array.from(ref[c][i]));
    }
  });
});
