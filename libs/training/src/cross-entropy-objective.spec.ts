import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tfTotalLoss } from '@ldl-alsg/ldl';
import { crossEntropyObjective } from './cross-entropy-objective';

await tf.setBackend('cpu');

describe('crossEntropyObjective', () => {
  // Row r's input is the one-hot of r (so a batch shows which rows were gathered); sample s = (row[s], label[s]).
  const inputs = { numRows: 5, gather: (rows: Int32Array) => tf.oneHot(tf.tensor1d(rows, 'int32'), 5).toFloat() };
  const samples = { row: Int32Array.from([4, 2, 2, 0]), label: Int32Array.from([1, 0, 2, 1]) };

  it('gathers each sample\'s row and label, and its loss is the cross-entropy of Eq. 2', () => {
    const objective = crossEntropyObjective(samples, inputs, 'mean');
    const batch = objective.prepareBatch(Int32Array.from([3, 1, 2]));
    expect(tf.argMax(batch.x, 1).arraySync()).toEqual([0, 2, 2]);
    expect(batch.data.y.arraySync()).toEqual([1, 0, 2]);
    expect(batch.tensors).toEqual([batch.x, batch.data.y]);
    const logits = tf.tensor2d([[0.5, 1, -1], [2, 0, 0], [0, 0, 3]]);
    const out = objective.loss(logits, batch);
    expect(Object.keys(out.terms)).toEqual(['ce']);
    expect(out.total.dataSync()[0]).toBeCloseTo(tfTotalLoss(logits, batch.data.y, []).total.dataSync()[0], 7);
    const summed = crossEntropyObjective(samples, inputs, 'sum').loss(logits, batch).total.dataSync()[0];
    expect(summed).toBeCloseTo(3 * out.total.dataSync()[0], 5);
    batch.tensors.forEach((t) => t.dispose());
  });
});
