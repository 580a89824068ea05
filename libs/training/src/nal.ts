/**
 * NAL: the noise adaptation layer of Goldberger & Ben-Reuven ("Training deep neural-networks using a noise adaptation
 * layer", ICLR 2017), its "simple" variant. The base network's softmax p(y|x) estimates the clean label; a learned
 * channel theta(z|y) = softmax_z(W[y, :]) maps it to the distribution of the observed noisy label,
 * p(z|x) = sum_y p(y|x) theta(z|y), and the cross-entropy is taken on that. W is initialised from the confusion matrix of
 * the pre-trained base network on the training set (rows: its predicted class, columns: the given label), as the paper
 * proposes. Prediction uses the base softmax only (the channel is dropped).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossReduction } from '@ldl-alsg/ldl';
import type { InputSource, SampleSet } from './ldl-alsg-method';
import type { TrainableModel } from './trainable-model';

/**
 * Confusion counts of `model` on the training samples: entry [y, z] = number of samples predicted y with given label z.
 * @returns row-major [C, C] counts.
 */
export function predictionConfusion(model: TrainableModel, inputs: InputSource, samples: SampleSet, numClasses: number, chunk = 512): Float64Array {
  const conf = new Float64Array(numClasses * numClasses);
  for (let s = 0; s < samples.row.length; s += chunk) {
    const rows = samples.row.subarray(s, Math.min(samples.row.length, s + chunk));
    const pred = tf.tidy(() => tf.argMax(model.logits(inputs.gather(rows), false), 1).dataSync());
    for (let i = 0; i < rows.length; i++) conf[pred[i] * numClasses + samples.label[s + i]]++;
  }
  return conf;
}

/**
 * The channel's initial logits W = log(row-normalised (confusion + smoothing)); rows with no predictions fall back to the
 * identity-ish row (0.9 on the diagonal, the rest shared), so W is always finite.
 * @param confusion [C, C] counts from {@link predictionConfusion}.
 * @param smoothing pseudo-count added to every cell (default 1).
 */
export function channelInit(confusion: Float64Array, numClasses: number, smoothing = 1): Float32Array {
  const C = numClasses;
  const W = new Float32Array(C * C);
  for (let y = 0; y < C; y++) {
    let sum = 0;
    for (let z = 0; z < C; z++) sum += confusion[y * C + z];
    for (let z = 0; z < C; z++) {
      const p = sum > 0 ? (confusion[y * C + z] + smoothing) / (sum + C * smoothing) : y === z ? 0.9 : 0.1 / (C - 1);
      W[y * C + z] = Math.log(p);
    }
  }
  return W;
}

/**
 * Cross-entropy of the given (noisy) labels under a transition channel: -log sum_y p(y|x) softmax(W)[y, z].
 * Shared by NAL (one channel) and LTNet (one channel per annotator).
 * @param logits base network logits [B, C].
 * @param channel transition logits W [C, C] (rows: clean class, softmax over the noisy class).
 * @param labels observed labels, int32 [B]; -1 marks a missing annotation (contributes 0 and is not counted).
 * @returns per-sample negative log-likelihood [B] (0 where missing) and the mask [B] (1 where present).
 */
export function channelNll(logits: tf.Tensor2D, channel: tf.Tensor2D, labels: tf.Tensor1D): { nll: tf.Tensor1D; mask: tf.Tensor1D } {
  const C = logits.shape[1];
  const p = tf.softmax(logits);
  const noisy = tf.matMul(p, tf.softmax(channel)); // [B, C], rows sum to 1
  const mask = tf.cast(tf.greaterEqual(labels, 0), 'float32') as tf.Tensor1D;
  const onehot = tf.oneHot(tf.maximum(labels, 0).toInt() as tf.Tensor1D, C);
  const picked = tf.sum(tf.mul(onehot, noisy), 1);
  // The floor keeps log finite if the channel ever drives a probability to underflow; it is far below float32 noise.
  const nll = tf.mul(tf.neg(tf.log(tf.maximum(picked, 1e-30))), mask) as tf.Tensor1D;
  return { nll, mask };
}

/** NAL training loss over a batch: the mean (or sum) of {@link channelNll} with one channel. */
export function nalLoss(logits: tf.Tensor2D, channel: tf.Tensor2D, labels: tf.Tensor1D, reduction: LossReduction): tf.Scalar {
  const { nll } = channelNll(logits, channel, labels);
  return reduction === 'mean' ? tf.mean(nll) : tf.sum(nll);
}
