/**
 * The LDL-ALSG loss in TensorFlow.js: the differentiable counterparts of the reference functions in
 * `reference-loss.ts` (Eq. 2, 4, 5), which specify them and against which they are tested (agreement to 1e-6).
 *
 * Detaching the neighbours: Eq. 4 differentiates only through the centre's prediction f(x_i); the neighbours' f(x_j) are
 * targets. tfjs 4.22 has no `tf.stopGradient`, so {@link detach} is an identity whose custom gradient is zero. The trainer
 * additionally computes neighbour predictions outside the gradient tape (cheaper: no activations kept for backprop), so
 * `detach` is a second guarantee for callers that build the whole batch inside one tape.
 */
import * as tf from '@tensorflow/tfjs';
import { AlsgError } from '@ldl-alsg/common';
import type { LossReduction } from './reference-loss';

/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs 4.22 lacks `tf.stopGradient`).
 * @param x any tensor.
 * @returns a tensor equal to `x` through which no gradient flows.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((input: tf.Tensor) => ({ value: input.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as T;
}

function reduce(perCentre: tf.Tensor1D, reduction: LossReduction): tf.Scalar {
  return reduction === 'mean' ? tf.mean(perCentre) : tf.sum(perCentre);
}

/**
 * TF.js counterpart of `crossEntropy` (Eq. 2), per centre: -log f(x_i)_label.
 * @param logProbs centre log-probabilities [B, C] (log-softmax of the logits).
 * @param labels given class indices, int32 [B].
 * @returns per-centre cross-entropy [B].
 */
export function tfCrossEntropy(logProbs: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const oneHot = tf.oneHot(labels.toInt(), logProbs.shape[1]);
  return tf.neg(tf.sum(tf.mul(oneHot, logProbs), 1)) as tf.Tensor1D;
}

/**
 * TF.js counterpart of `taskGuidance` (Eq. 4), per centre: sum_j a_ij * KL(f(x_j) || f(x_i)).
 * @param logProbs centre log-probabilities [B, C] (differentiable).
 * @param neighbourLogProbs neighbours' log-probabilities [B, k, C]; detached here whatever the caller did.
 * @param similarity local similarities a_ij [B, k] (Eq. 3); 0 for missing neighbours, whose rows may hold any finite values.
 * @returns per-centre guidance [B].
 */
export function tfTaskGuidance(logProbs: tf.Tensor2D, neighbourLogProbs: tf.Tensor3D, similarity: tf.Tensor2D): tf.Tensor1D {
  const logQ = detach(neighbourLogProbs);
  const q = tf.exp(logQ);
  // KL(q || p) = sum_c q_c (log q_c - log p_c); q_c = exp(log q_c) is 0 only on underflow, where the term is 0 anyway.
  const kl = tf.sum(tf.mul(q, tf.sub(logQ, tf.expandDims(logProbs, 1))), 2); // [B, k]
  return tf.sum(tf.mul(similarity, kl), 1) as tf.Tensor1D;
}

/** One auxiliary task's tensors for {@link tfTotalLoss}. */
export interface TfGuidanceInput {
  /** Neighbours' log-probabilities [B, k, C] (constants). */
  neighbourLogProbs: tf.Tensor3D;
  /** a_ij [B, k], >= 0. */
  similarity: tf.Tensor2D;
  /** lambda_t >= 0. */
  lambda: number;
}

/** Reduced loss terms as scalars: total = ce + sum_t lambda_t * guidance[t]. */
export interface TfLossTerms {
  total: tf.Scalar;
  ce: tf.Scalar;
  /** Un-weighted guidance per task, reduced like the total. */
  guidance: tf.Scalar[];
}

/**
 * TF.js counterpart of `totalLoss` (Eq. 5) over a batch: CE + sum_t lambda_t * guidance_t, reduced over the B centres by
 * `reduction` (`mean` default, `sum` = Eq. 5 literally; see `reference-loss.ts`).
 * @param logits centre logits [B, C], the only differentiable input.
 * @param labels given class indices, int32 [B].
 * @param tasks per auxiliary task: neighbour log-probabilities, similarities and lambda (empty for the baseline).
 */
export function tfTotalLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, tasks: readonly TfGuidanceInput[], reduction: LossReduction = 'mean'): TfLossTerms {
  const logProbs = tf.logSoftmax(logits) as tf.Tensor2D;
  const ce = reduce(tfCrossEntropy(logProbs, labels), reduction);
  let total: tf.Scalar = ce;
  const guidance = tasks.map((task, t) => {
    if (!(task.lambda >= 0)) throw new AlsgError('E_CONFIG', `tfTotalLoss: lambda must be >= 0, but got ${task.lambda} (task ${t})`);
    const g = reduce(tfTaskGuidance(logProbs, task.neighbourLogProbs, task.similarity), reduction);
    total = tf.add(total, tf.mul(task.lambda, g));
    return g;
  });
  return { total, ce, guidance };
}
