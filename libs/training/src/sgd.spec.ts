import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@ldl-alsg/models';
import { MomentumSgd } from './sgd';

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
});
