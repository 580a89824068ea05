import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ldl-alsg/common';
import { crossEntropy, referenceBatchLoss, softmax, taskGuidance, totalLoss, type LossReduction } from './reference-loss';
import { detach, tfTotalLoss } from './tf-loss';

await tf.setBackend('cpu');

function randomBatch(rng: Rng, B: number, C: number, ks: number[]) {
  const logits = Float32Array.from({ length: B * C }, () => rng.normal(0, 2));
  const labels = Int32Array.from({ length: B }, () => rng.int(C));
  const tasks = ks.map((k) => ({
    k,
    neighbourLogits: Float32Array.from({ length: B * k * C }, () => rng.normal(0, 2)),
    // About a fifth of the neighbours missing (a = 0), the rest in (0, 1] like Eq. 3.
    similarity: Float32Array.from({ length: B * k }, () => (rng.uniform() < 0.2 ? 0 : rng.uniform())),
  }));
  return { logits, labels, tasks };
}

describe('reference loss (Eq. 2, 4, 5)', () => {
  it('matches hand-computed values', () => {
    const p = [0.5, 0.25, 0.25];
    expect(crossEntropy(p, 1)).toBeCloseTo(Math.log(4), 12);
    const q = [0.25, 0.5, 0.25];
    const kl = 0.25 * Math.log(0.5) + 0.5 * Math.log(2);
    expect(taskGuidance(p, [q, p], [0.5, 1])).toBeCloseTo(0.5 * kl, 12);
    expect(taskGuidance(p, [[1, 0, 0]], [1])).toBeCloseTo(Math.log(2), 12); // 0 log 0 = 0
    expect(totalLoss(p, 0, [{ neighbours: [q], similarity: [1] }], [0.1])).toBeCloseTo(Math.log(2) + 0.1 * kl, 12);
  });
  it('rejects negative similarities, lambdas and out-of-range labels', () => {
    expect(() => taskGuidance([0.5, 0.5], [[0.5, 0.5]], [-1])).toThrow(/a_ij must be >= 0/);
    expect(() => totalLoss([0.5, 0.5], 0, [{ neighbours: [], similarity: [] }], [-0.1])).toThrow(/lambda must be >= 0/);
    expect(() => crossEntropy([0.5, 0.5], 2)).toThrow(/label must be an integer in 0..1/);
  });
  it('sum reduction is B times mean', () => {
    const b = randomBatch(new Rng(3), 8, 7, [4]);
    const args = { ...b, numClasses: 7, lambdas: [0.3] };
    const m = referenceBatchLoss(args, 'mean');
    const s = referenceBatchLoss(args, 'sum');
    expect(s.total).toBeCloseTo(8 * m.total, 10);
    expect(m.total).toBeCloseTo(m.ce + 0.3 * m.guidance[0], 12);
  });
});

describe('TF.js loss agrees with the reference', () => {
  for (const reduction of ['mean', 'sum'] as LossReduction[]) {
    it(`on random batches (${reduction})`, () => {
      const rng = new Rng(11, reduction);
      for (let trial = 0; trial < 5; trial++) {
        const B = 1 + rng.int(32);
        const C = 7;
        const b = randomBatch(rng, B, C, [4, 3]);
        const lambdas = [rng.uniform() * 2, rng.uniform() * 0.01];
        const ref = referenceBatchLoss({ ...b, numClasses: C, lambdas }, reduction);
        const out = tf.tidy(() => {
          const terms = tfTotalLoss(
            tf.tensor2d(b.logits, [B, C]),
            tf.tensor1d(b.labels, 'int32'),
            b.tasks.map((t, i) => ({
              neighbourLogProbs: tf.logSoftmax(tf.tensor3d(t.neighbourLogits, [B, t.k, C])) as tf.Tensor3D,
              similarity: tf.tensor2d(t.similarity, [B, t.k]),
              lambda: lambdas[i],
            })),
            reduction,
          );
          return [terms.total, terms.ce, ...terms.guidance].map((x) => x.dataSync()[0]);
        });
        const expected = [ref.total, ref.ce, ...ref.guidance];
        // float32 arithmetic against float64: 1e-6 relative (absolute below magnitude 1).
        expected.forEach((v, i) => expect(Math.abs(out[i] - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
      }
    });
  }
});

describe('neighbours are detached', () => {
  it('gradient with respect to a neighbour input is exactly zero, centre gradient is not', () => {
    const rng = new Rng(5);
    const W = tf.tensor2d(Float32Array.from({ length: 10 * 7 }, () => rng.normal(0, 0.5)), [10, 7]);
    const xc = tf.tensor2d(Float32Array.from({ length: 3 * 10 }, () => rng.normal()), [3, 10]);
    const xn = tf.tensor2d(Float32Array.from({ length: 3 * 2 * 10 }, () => rng.normal()), [6, 10]);
    const labels = tf.tensor1d([0, 3, 6], 'int32');
    const sim = tf.tensor2d([1, 0.5, 0.2, 0.9, 1, 1], [3, 2]);
    // Everything, neighbours included, inside one differentiated function: only detach() stops their gradient.
    const grads = tf.grads((c: tf.Tensor, n: tf.Tensor) => {
      const nLog = tf.logSoftmax(tf.matMul(n as tf.Tensor2D, W)).reshape([3, 2, 7]) as tf.Tensor3D;
      return tfTotalLoss(tf.matMul(c as tf.Tensor2D, W), labels, [{ neighbourLogProbs: nLog, similarity: sim, lambda: 5 }]).total;
    });
    const [gc, gn] = grads([xc, xn]);
    expect(Array.from(gn.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(gc.dataSync()).some((v) => v !== 0)).toBe(true);
  });
  it('detach is the identity forward', () => {
    const x = tf.tensor1d([1, -2, 3]);
    expect(Array.from(detach(x).dataSync())).toEqual([1, -2, 3]);
  });
});
