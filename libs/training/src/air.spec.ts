import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@ldl-alsg/common';
import { airAuxiliaryTerms, airRegulariser, airRegulariserReference, createAirHead, selectAuxiliary } from './air';
import { createDenseModel, fromLayersModel } from './trainable-model';

await tf.setBackend('cpu');

// Two auxiliary images (d = 3) and a 2-class classifier W [3, 2].
// a1 = [3, 4, 0] -> normalised [0.6, 0.8, 0], 2 non-zero features -> group weight 1/sqrt(2);
// a2 = [0, -2, 0] -> [0, -1, 0], 1 non-zero feature -> weight 1.
// ||a1 ∘ w_0|| = sqrt(0.36 * 1) = 0.6, ||a1 ∘ w_1|| = sqrt(0.64 * 4) = 1.6, ||a2 ∘ w_0|| = 0 (a zero group), ||a2 ∘ w_1|| = 2.
// Omega = (1 / (m C)) * ((0.6 + 1.6) / sqrt(2) + 0 + 2) = (1.555635 + 2) / 4 = 0.888909.
// dOmega/dW_ic = 1/(mC) sum_j g_j a_ji^2 W_ic / ||a_j ∘ w_c||:
//   W_00: (1/sqrt 2) * 0.36 * 1 / 0.6 / 4 = 0.106066; W_11: ((1/sqrt 2) * 0.64 * 2 / 1.6 + 1 * 1 * 2 / 2) / 4 = 0.391421;
//   every other entry 0 (W_10 sits only in a1's group with W = 0 and in the zero group of a2: subgradient 0, not NaN).
const A = [[3, 4, 0], [0, -2, 0]];
const W = [[1, 0], [0, 2], [5, 5]];
const expectedValue = (2.2 / Math.SQRT2 + 2) / 4;
const expectedGrad = [[0.6 / Math.SQRT2 / 4, 0], [0, (0.8 / Math.SQRT2 + 1) / 4], [0, 0]];

function tfOmega(features: number[][], kernel: number[][]) {
  const { squared, groupWeight } = airAuxiliaryTerms(tf.tensor2d(features));
  const w = tf.tensor2d(kernel);
  const { value, grad } = tf.valueAndGrad((k: tf.Tensor) => airRegulariser(squared, groupWeight, k as tf.Tensor2D))(w);
  const out = { value: value.dataSync()[0], grad: grad.arraySync() as number[][] };
  tf.dispose([squared, groupWeight, w, value, grad]);
  return out;
}

describe('AIR regulariser', () => {
  it('matches the hand-computed value and (sub)gradient, with a zero group', () => {
    expect(expectedValue).toBeCloseTo(0.888909, 6);
    const ref = airRegulariserReference(A, W);
    expect(ref.value).toBeCloseTo(expectedValue, 12);
    ref.grad.flat().forEach((g, k) => expect(g).toBeCloseTo(expectedGrad.flat()[k], 12));
    const got = tfOmega(A, W);
    expect(got.value).toBeCloseTo(expectedValue, 6);
    got.grad.flat().forEach((g, k) => {
      expect(Number.isFinite(g)).toBe(true);
      expect(g).toBeCloseTo(expectedGrad.flat()[k], 6);
    });
  });

  it('agrees with the Float64 reference on random ReLU-like features', () => {
    const rng = new Rng(3, 'air-spec');
    const feats = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => Math.max(0, rng.normal(0, 1))));
    feats[2] = [0, 0, 0, 0, 0]; // an image with no active feature contributes nothing
    const kernel = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => rng.normal(0, 0.3)));
    const ref = airRegulariserReference(feats, kernel);
    const got = tfOmega(feats, kernel);
    expect(got.value).toBeCloseTo(ref.value, 5);
    got.grad.flat().forEach((g, k) => expect(g).toBeCloseTo(ref.grad.flat()[k], 5));
  });

  it('selects a seeded auxiliary set stratified by class (largest remainder)', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
    const a = selectAuxiliary(labels, 5, 7);
    // Exact shares 3, 1.5, 0.5 -> floors 3, 1, 0; the one left goes to the first of the tied remainders (class 1).
    expect(Array.from(a, (i) => labels[i]).sort()).toEqual([0, 0, 0, 1, 1]);
    expect(selectAuxiliary(labels, 5, 7)).toEqual(a);
    expect(Array.from(a)).toEqual([...a].sort((x, y) => x - y));
    expect(Array.from(selectAuxiliary(labels, 20, 7))).toEqual(Array.from(labels.keys()));
  });

  it('finds the classifier kernel and penultimate features of a dense model', () => {
    const model = fromLayersModel(createDenseModel({ inputSize: 4, hidden: [6], numClasses: 3, seed: 1 }));
    const head = createAirHead(model);
    expect(head.kernel.shape).toEqual([6, 3]);
    expect(model.trainableVariables()).toContain(head.kernel);
    const f = head.features(tf.ones([2, 4]));
    expect(f.shape).toEqual([2, 6]);
    expect(Math.min(...f.dataSync())).toBeGreaterThanOrEqual(0); // ReLU layer output
    // Softmax regression: the features are the inputs.
    const flat = createAirHead(fromLayersModel(createDenseModel({ inputSize: 4, hidden: [], numClasses: 3, seed: 1 })));
    expect(flat.features(tf.ones([2, 4])).shape).toEqual([2, 4]);
  });
});
