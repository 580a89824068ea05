/**
 * Cross-entropy on the given labels (Eq. 2) as a training objective: the loss of NAL's and IPA2LT's baseline
 * pre-training and of IPA2LT's coders, and the batch source NAL's channel loss and AIR build on. (The baseline method
 * itself is LDL-ALSG with no space wired, `ldl-alsg-method.ts`: the same loss through the same `tfTotalLoss`.)
 */
import * as tf from '@tensorflow/tfjs';
import { tfTotalLoss, type LossReduction } from '@ldl-alsg/ldl';
import type { InputSource, SampleSet } from './ldl-alsg-method';
import type { PreparedBatch, TrainingObjective } from './train-loop';

/** Batch data of label-supervised objectives. */
export interface LabelledBatch {
  /** Given class per centre, int32 [B]. */
  y: tf.Tensor1D;
}

/**
 * The centres' inputs and given labels for sample ids (sample s is input row `samples.row[s]` with label
 * `samples.label[s]`).
 */
export function prepareLabelledBatch(samples: SampleSet, inputs: InputSource, ids: Int32Array): PreparedBatch<LabelledBatch> {
  const x = inputs.gather(Int32Array.from(ids, (s) => samples.row[s]));
  const y = tf.tensor1d(Int32Array.from(ids, (s) => samples.label[s]), 'int32');
  return { x, tensors: [x, y], data: { y } };
}

/**
 * Mean (or summed, by `reduction`) cross-entropy of the centres' given labels; logs the term `ce`.
 * @param samples the (row, label) pairs a phase trains on.
 * @param inputs where the rows' images (or features) come from.
 */
export function crossEntropyObjective(samples: SampleSet, inputs: InputSource, reduction: LossReduction): TrainingObjective<LabelledBatch> {
  return {
    prepareBatch: (ids) => prepareLabelledBatch(samples, inputs, ids),
    loss(logits, batch) {
      const t = tfTotalLoss(logits, batch.data.y, [], reduction);
      return { total: t.total, terms: { ce: t.ce } };
    },
  };
}
