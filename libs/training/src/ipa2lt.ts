/**
 * IPA2LT (Zeng, Shan, Chen: "Facial expression recognition with inconsistently annotated datasets", ECCV 2018), as the
 * LDL-ALSG paper runs it (Sec. 4.3): (1) pre-train the baseline on all the noisy labels; (2) fine-tune one copy per
 * annotation set ("coder"); (3) let every coder auto-annotate every training image; (4) train LTNet: the pre-trained
 * network predicts the latent truth p(y|x), and each annotator a (every human annotation set and every coder) has its own
 * transition matrix T_a = softmax(W_a) so that p(z_a|x) = p(y|x) T_a; the loss is the negative log-likelihood of every
 * available annotation. Prediction uses the latent-truth softmax.
 *
 * This file holds LTNet's loss, the transition initialisation and the method's phases ({@link trainIpa2lt}).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@ldl-alsg/artifacts';
import type { LossReduction } from '@ldl-alsg/ldl';
import { crossEntropyObjective } from './cross-entropy-objective';
import { predictClasses } from './epoch-metrics';
import type { InputSource, SampleSet } from './ldl-alsg-method';
import { channelNll, transitionMatrix, transitionVariable } from './nal';
import type { PhaseRunner } from './phase-runner';
import type { TrainingObjective } from './train-loop';
import type { AnnotationSet } from './training-data';
import type { TrainableModel } from './trainable-model';
import { ipa2ltCoderSets, ipa2ltPhaseEpochs } from './phase-plan';

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

/** LTNet's batch data. */
export interface AnnotationBatch {
  /** int32 [B, A]: annotator a's label of sample b, -1 where absent. */
  ann: tf.Tensor2D;
}

/**
 * LTNet's objective over training rows (sample = row): batches of every annotator's label from `table`, loss
 * {@link ltnetLoss} (logged as `nll_annotations`).
 * @param table row-major [numRows, numAnnotators] labels, -1 where absent.
 */
export function ltnetObjective(inputs: InputSource, table: Int32Array, transitions: readonly tf.Tensor2D[]): TrainingObjective<AnnotationBatch> {
  const A = transitions.length;
  return {
    prepareBatch(ids) {
      const x = inputs.gather(ids);
      const ann = tf.tensor2d(Int32Array.from({ length: ids.length * A }, (_, k) => table[ids[Math.floor(k / A)] * A + (k % A)]), [ids.length, A], 'int32');
      return { x, tensors: [x, ann], data: { ann } };
    },
    loss(logits, batch) {
      const total = ltnetLoss(logits, transitions, batch.data.ann);
      return { total, terms: { nll_annotations: total } };
    },
  };
}

export interface Ipa2ltTrainArgs {
  runner: PhaseRunner;
  /** Builds a fresh network with the run's initial weights (the base network and one copy per coder). */
  createModel(): TrainableModel;
  inputs: InputSource;
  /** Samples of the pre-training phase (the mixture of all label columns). */
  samples: SampleSet;
  numClasses: number;
  reduction: LossReduction;
  /** Epochs of the run (the phases' defaults derive from it). */
  epochs: number;
  /** Baseline pre-training epochs (default epochs), coder fine-tuning epochs (default 1), LTNet epochs (default ceil(epochs / 2)). */
  options: { pretrainEpochs?: number; coderEpochs?: number; ltnetEpochs?: number };
  /** Label columns per training row (the human annotators when there are several). */
  annotations: AnnotationSet[];
  /** Per-dataset annotation sets, the annotators when there is a single label column. */
  datasetSets?: AnnotationSet[];
  /** Where each coder's auto-annotation is kept (`coder-<set>.labels.bin`), so a re-run skips finished coders. */
  scratchDir: string;
  /** The network starts from given (pre-trained) weights: no pre-training phase. */
  fromInitWeights: boolean;
}

/**
 * IPA2LT's phases: 'pretrain' (cross-entropy on all noisy labels, unless the network starts from given weights), one
 * 'coder-<set>' per annotation set with its auto-annotation of every row, then 'ltnet' (the pre-trained network plus one
 * transition per annotator, humans first, then coders).
 * @returns the latent-truth network, the annotators in LTNet order and their learned transitions softmax(W_a).
 */
export async function trainIpa2lt(a: Ipa2ltTrainArgs): Promise<{ model: TrainableModel; annotators: string[]; transitions: Record<string, number[][]> }> {
  const { runner, inputs, samples, numClasses } = a;
  const { pretrain: preEpochs, coder: coderEpochs, ltnet: ltEpochs } = ipa2ltPhaseEpochs(a.epochs, a.options, a.fromInitWeights);
  const sets = ipa2ltCoderSets(a.annotations, a.datasetSets);
  const nRows = a.annotations[0].label.length;
  const base = a.createModel();
  if (preEpochs > 0) await runner.run('pretrain', base, crossEntropyObjective(samples, inputs, a.reduction), samples, { epochs: preEpochs });
  const pretrained = base.getWeights().map((w) => tf.clone(w));
  const coderLabels: AnnotationSet[] = [];
  for (const set of sets) coderLabels.push({ name: `coder-${set.name}`, label: await coderAnnotation(a, set, pretrained, nRows, coderEpochs) });
  const annotators = [...sets, ...coderLabels];
  const transitions = annotators.map(() => transitionVariable(identityTransition(numClasses), numClasses));
  base.setWeights(pretrained);
  tf.dispose(pretrained);
  const rowSamples: SampleSet = { row: Int32Array.from({ length: nRows }, (_, i) => i), label: new Int32Array(nRows) };
  const objective = ltnetObjective(inputs, annotationTable(annotators, nRows), transitions);
  await runner.run('ltnet', base, objective, rowSamples, { epochs: ltEpochs, warmupEpochs: 0, extraVariables: transitions });
  const result = {
    model: base,
    annotators: annotators.map((s) => s.name),
    transitions: Object.fromEntries(annotators.map((s, i) => [s.name, transitionMatrix(transitions[i])])),
  };
  tf.dispose(transitions);
  return result;
}

/**
 * One coder: a copy of the pre-trained network fine-tuned on `set`'s labelled rows (phase 'coder-<set>'), then its
 * prediction for every training row (the auto-annotation). Kept in the scratch folder; a re-run reads it back.
 * @returns int32 [numRows] labels.
 */
async function coderAnnotation(a: Ipa2ltTrainArgs, set: AnnotationSet, pretrained: tf.Tensor[], numRows: number, epochs: number): Promise<Int32Array> {
  const file = join(a.scratchDir, `coder-${set.name}.labels.bin`);
  const rows = Array.from(set.label.keys()).filter((t) => set.label[t] >= 0);
  const coderSamples = { row: Int32Array.from(rows), label: Int32Array.from(rows, (t) => set.label[t]) };
  if (existsSync(file)) {
    a.runner.reused(`coder-${set.name}`, coderSamples, { epochs });
    const buf = readFileSync(file);
    return new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  const coder = a.createModel();
  coder.setWeights(pretrained);
  await a.runner.run(`coder-${set.name}`, coder, crossEntropyObjective(coderSamples, a.inputs, a.reduction), coderSamples, { epochs, warmupEpochs: 0 });
  const labels = predictClasses(coder, a.inputs, Int32Array.from({ length: numRows }, (_, i) => i));
  writeFileAtomic(file, new Uint8Array(labels.buffer));
  coder.layersModel?.dispose();
  return labels;
}

/** Every annotator's label of every row, row-major [numRows, numAnnotators] (-1 where absent). */
function annotationTable(annotators: readonly AnnotationSet[], numRows: number): Int32Array {
  const A = annotators.length;
  const table = new Int32Array(numRows * A);
  for (let t = 0; t < numRows; t++) for (let k = 0; k < A; k++) table[t * A + k] = annotators[k].label[t];
  return table;
}
