/**
 * NAL: the noise adaptation layer of Goldberger & Ben-Reuven ("Training deep neural-networks using a noise adaptation
 * layer", ICLR 2017), its "simple" variant. The base network's softmax p(y|x) estimates the clean label; a learned
 * channel theta(z|y) = softmax_z(W[y, :]) maps it to the distribution of the observed noisy label,
 * p(z|x) = sum_y p(y|x) theta(z|y), and the cross-entropy is taken on that. W is initialised from the confusion matrix of
 * the pre-trained base network on the training set (rows: its predicted class, columns: the given label), as the paper
 * proposes. Prediction uses the base softmax only (the channel is dropped).
 *
 * This file holds the channel (its initialisation, parametrisation and loss, which LTNet shares) and NAL's training
 * phases ({@link trainNal}).
 */
import * as tf from '@tensorflow/tfjs';
import { AlsgError } from '@ldl-alsg/common';
import type { LossReduction } from '@ldl-alsg/ldl';
import { predictClasses } from './epoch-metrics';
import { crossEntropyObjective, prepareLabelledBatch, type LabelledBatch } from './cross-entropy-objective';
import type { InputSource, SampleSet } from './ldl-alsg-method';
import type { PhaseRunner } from './phase-runner';
import type { TrainingObjective } from './train-loop';
import type { TrainableModel } from './trainable-model';
import { nalPhaseEpochs } from './phase-plan';

/**
 * Confusion counts of `model` on the training samples: entry [y, z] = number of samples predicted y with given label z.
 * @returns row-major [C, C] counts.
 */
export function predictionConfusion(model: TrainableModel, inputs: InputSource, samples: SampleSet, numClasses: number, chunk = 512): Float64Array {
  const conf = new Float64Array(numClasses * numClasses);
  const pred = predictClasses(model, inputs, samples.row, chunk);
  for (let i = 0; i < pred.length; i++) conf[pred[i] * numClasses + samples.label[i]]++;
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

/**
 * A trainable transition-logit variable W [C, C] holding `logits` (NAL's channel, LTNet's per-annotator matrices). The
 * temporary initial tensor is disposed: tf.variable copies it. Unnamed: tfjs names must be unique per process, and a
 * killed-and-resumed run creates the variables again.
 */
export function transitionVariable(logits: Float32Array, numClasses: number): tf.Variable<tf.Rank.R2> {
  const init = tf.tensor2d(logits, [numClasses, numClasses]);
  const v = tf.variable(init) as tf.Variable<tf.Rank.R2>;
  init.dispose();
  return v;
}

/** The row-stochastic transition matrix softmax(W) [C][C] (rows: clean class), e.g. for the training summary. */
export function transitionMatrix(W: tf.Tensor2D): number[][] {
  return tf.tidy(() => tf.softmax(W).arraySync() as number[][]);
}

/** NAL's objective: batches of given labels, loss {@link nalLoss} through `channel` (logged as `nll_noisy`). */
export function nalObjective(samples: SampleSet, inputs: InputSource, channel: tf.Tensor2D, reduction: LossReduction): TrainingObjective<LabelledBatch> {
  return {
    prepareBatch: (ids) => prepareLabelledBatch(samples, inputs, ids),
    loss(logits, batch) {
      const total = nalLoss(logits, channel, batch.data.y, reduction);
      return { total, terms: { nll_noisy: total } };
    },
  };
}

export interface NalTrainArgs {
  runner: PhaseRunner;
  /** The base network (trained in place; the one to save). */
  model: TrainableModel;
  inputs: InputSource;
  samples: SampleSet;
  numClasses: number;
  reduction: LossReduction;
  /** Epochs of the whole run, pre-training included. */
  epochs: number;
  /** Warm-up epochs of the run's first phase. */
  warmupEpochs: number;
  /** Epochs of baseline pre-training before the channel is added (default ceil(epochs / 2)); the rest train with it. */
  pretrainEpochs?: number;
  /** The model starts from given (pre-trained) weights: no pre-training phase, the channel phase is the whole run. */
  fromInitWeights: boolean;
}

/**
 * NAL's phases: 'pretrain' (cross-entropy, unless the model starts from given weights), then the channel initialised
 * from the pre-trained network's confusion matrix ({@link channelInit}) and 'nal' (base network and channel together).
 * @returns the learned channel softmax(W) [C][C].
 * @throws AlsgError E_CONFIG when pretrainEpochs is not in 0..epochs-1.
 */
export async function trainNal(a: NalTrainArgs): Promise<{ channel: number[][] }> {
  const { runner, model, inputs, samples, numClasses, reduction } = a;
  // From given initial weights the channel phase is the whole run (like the other methods fine-tuning them).
  const { pre, pretrain, nal: epochs } = nalPhaseEpochs(a.epochs, a.pretrainEpochs, a.fromInitWeights);
  if (!(pre >= 0 && pre < a.epochs)) throw new AlsgError('E_CONFIG', `train: nal pretrainEpochs must be in 0..${a.epochs - 1}, but got ${pre}`);
  if (pretrain > 0) await runner.run('pretrain', model, crossEntropyObjective(samples, inputs, reduction), samples, { epochs: pre });
  const confusion = predictionConfusion(model, inputs, samples, numClasses);
  const channel = transitionVariable(channelInit(confusion, numClasses), numClasses);
  // The channel phase continues the pre-trained network: no second warm-up.
  const warmupEpochs = a.fromInitWeights || pre === 0 ? a.warmupEpochs : 0;
  await runner.run('nal', model, nalObjective(samples, inputs, channel, reduction), samples, { epochs, warmupEpochs, extraVariables: [channel] });
  const result = { channel: transitionMatrix(channel) };
  channel.dispose();
  return result;
}
