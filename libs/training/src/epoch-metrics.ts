/**
 * Training you can follow: after every epoch, the model in inference mode on a fixed subset of the training images and
 * on the validation split, as the per-epoch record of `train-log.jsonl` (docs/training.md). The record's format is read
 * by the report's training curves, so its field names are a contract.
 *
 * Why this cannot change the result: the evaluation calls `logits(x, false)` (no dropout, batch-norm statistics read,
 * not updated), draws no random numbers, and the subsets are fixed index lists, not samples of a training stream.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputSource } from './ldl-alsg-method';
import type { EpochEnd } from './train-loop';
import type { TrainableModel } from './trainable-model';

/** Images with known labels to score the model on. */
export interface EvaluationSet {
  readonly inputs: InputSource;
  /** Class index per input row. */
  readonly label: Int32Array;
}

/** Loss and accuracy of a model on an {@link EvaluationSet}. */
export interface SetScore {
  /** Mean softmax cross-entropy (nats). */
  loss: number;
  /** Accuracy in percent (0-100, as in metrics.json). */
  accuracy: number;
  n: number;
}

/** Training images scored per epoch at most (a fixed, evenly spaced subset): enough for a curve, cheap beside an epoch. */
export const MAX_TRAIN_EVAL_ROWS = 2000;

/** `count` indices spread evenly over 0..n-1 (all of them when count >= n): a subset that needs no random draw. */
export function evenlySpacedRows(n: number, count: number): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/**
 * The class `model` predicts (argmax of its inference-mode logits) for each of `rows`, `chunk` rows per forward pass:
 * NAL's confusion matrix and IPA2LT's coder auto-annotation.
 * @returns int32 [rows.length] class indices.
 */
export function predictClasses(model: TrainableModel, inputs: InputSource, rows: Int32Array, chunk = 512): Int32Array {
  const predicted = new Int32Array(rows.length);
  for (let s = 0; s < rows.length; s += chunk) {
    const part = rows.subarray(s, s + chunk);
    predicted.set(tf.tidy(() => tf.argMax(model.logits(inputs.gather(part), false), 1).dataSync() as Int32Array), s);
  }
  return predicted;
}

/**
 * Scores `model` on `set` in inference mode, `batchSize` rows at a time.
 * @returns mean cross-entropy, accuracy (percent) and n; NaN loss and accuracy for an empty set.
 */
export function scoreSet(model: TrainableModel, set: EvaluationSet, batchSize: number): SetScore {
  const n = set.label.length;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const rows = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const labels = set.label.subarray(start, start + rows.length);
    const [losses, predicted] = tf.tidy(() => {
      const x = set.inputs.gather(rows);
      const logits = model.logits(x, false);
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]);
      const ce = tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1));
      return [ce.dataSync() as Float32Array, tf.argMax(logits, 1).dataSync() as Int32Array];
    });
    for (let i = 0; i < rows.length; i++) {
      lossSum += losses[i];
      if (predicted[i] === labels[i]) correct++;
    }
  }
  return { loss: n ? lossSum / n : NaN, accuracy: n ? (100 * correct) / n : NaN, n };
}

export interface EpochEvaluatorArgs {
  /** Training images with the labels trained on (subset with {@link evenlySpacedRows}); none skips trainAccuracy. */
  train?: EvaluationSet;
  /** The validation split; none writes valLoss / valAccuracy as null. */
  val?: EvaluationSet;
  /** Rows per forward pass. */
  batchSize: number;
}

/**
 * The `onEpochEnd` hook of the train loop: returns `trainAccuracy`, `valLoss`, `valAccuracy`, `valImages` for the
 * epoch record (null where a set is missing; numbers rounded to what a curve needs, so logs stay readable).
 */
export function createEpochEvaluator(args: EpochEvaluatorArgs): (end: EpochEnd) => Record<string, unknown> {
  const round = (v: number, digits: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);
  return ({ model }) => {
    const train = args.train && args.train.label.length ? scoreSet(model, args.train, args.batchSize) : undefined;
    const val = args.val && args.val.label.length ? scoreSet(model, args.val, args.batchSize) : undefined;
    return {
      trainAccuracy: train ? round(train.accuracy, 2) : null,
      valLoss: val ? round(val.loss, 4) : null,
      valAccuracy: val ? round(val.accuracy, 2) : null,
      valImages: val ? val.n : 0,
    };
  };
}
