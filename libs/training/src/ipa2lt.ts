/**
 * IPA2LT (Zeng, Shan, Chen: "Facial expression recognition with inconsistently annotated datasets", ECCV 2018), as the
 * LDL-ALSG paper runs it (Sec. 4.3): (1) pre-train the baseline on all the noisy labels; (2) fine-tune one copy per
 * annotation set ("coder"); (3) let every coder auto-annotate every training image; (4) train LTNet: the pre-trained
 * network predicts the latent truth p(y|x), and each annotator a (every human annotation set and every coder) has its own
 * transition matrix T_a = softmax(W_a) so that p(z_a|x) = p(y|x) T_a; the loss is the negative log-likelihood of every
 * available annotation. Prediction uses the latent-truth softmax.
 *
 * This file holds LTNet's loss and the transition initialisation; the phases are orchestrated in `run-method.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { channelNll } from './nal';

/**
 * Identity-ish transition logits: T = softmax(W) has `diagonal` on the diagonal and (1 - diagonal) / (C - 1) elsewhere.
 * @param diagonal initial probability that an annotator reports the latent class (default 0.8).
 */
export function identityTransition(numClasses: number, diagonal = 0.8): Float32Array {
  const W = new Float32Array(numClasses * numClasses);
  const off = Math.log((1 - diagonal) / (numClasses - 1));
  for (let y = 0; y < numClasses; y++) for (let z = 0; z < numClasses; z++) W[y * numClasses + z] = y === z ? Math.log(diagonal) : off;
  return W;
}

/**
 * LTNet loss: sum over annotators and samples of -log (p(y|x) T_a)[z_a], divided by the number of available annotations
 * (so a batch's scale does not depend on how many annotators labelled it).
 * @param logits latent-truth logits [B, C].
 * @param transitions one [C, C] logit matrix per annotator.
 * @param annotations int32 [B, A]: annotator a's label of sample b, -1 where absent.
 */
export function ltnetLoss(logits: tf.Tensor2D, transitions: readonly tf.Tensor2D[], annotations: tf.Tensor2D): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  let count: tf.Scalar = tf.scalar(0);
  transitions.forEach((W, a) => {
    const labels = tf.squeeze(tf.slice(annotations, [0, a], [-1, 1]), [1]) as tf.Tensor1D;
    const { nll, mask } = channelNll(logits, W, labels);
    total = tf.add(total, tf.sum(nll));
    count = tf.add(count, tf.sum(mask));
  });
  return tf.div(total, tf.maximum(count, 1));
}
