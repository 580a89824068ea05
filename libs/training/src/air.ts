/**
 * AIR: the auxiliary image regulariser of Azadi, Feng, Jegelka & Darrell ("Auxiliary Image Regularization for Deep CNNs
 * with Noisy Labels", ICLR 2016, arXiv 1511.07069), as its released code (github.com/azadis/AIR, `opt_SADMM.m`,
 * `deep_reg_multiclass.m`) computes it. With the classifier W [d, C] on top of penultimate-layer features and m auxiliary
 * images whose features a_j [d] are L2-normalised,
 *
 *   Omega(W) = 1 / (m C) * sum_j sum_c ||a_j ∘ w_c||_2 / sqrt(nnz(a_j)),
 *
 * a group-lasso norm with one group per (auxiliary image, class): the group holds image j's feature-wise contributions
 * a_ji w_ic to the class-c score a_j^T w_c, weighted by 1 / sqrt(group size) as in any group lasso. Minimising it drives
 * whole groups to zero, so the classifier ends up "supported" by a few auxiliary images (the paper: it selects reliable
 * images), which is what makes it resist training images with wrong labels. The objective is
 * mean CE + lambda * Omega (the code's `lambda_sen = 10`; its l1 term `lambda_las` is 0 in every published run).
 *
 * Differences from the original (docs/training.md, "AIR"): the original solves a linear classifier on fixed AlexNet fc7
 * features with stochastic ADMM (exact zero groups via a group soft-threshold); here the whole backbone is fine-tuned
 * with the same SGD as the other methods, Omega enters the loss with its subgradient (0 for a zero group), and each step
 * uses `auxiliaryPerBatch` auxiliary images forwarded with the current weights (an unbiased estimate of the mean over j).
 */
import * as tf from '@tensorflow/tfjs';
import { AlsgError, Rng } from '@ldl-alsg/common';
import type { LossReduction } from '@ldl-alsg/ldl';
import { tfTotalLoss } from '@ldl-alsg/ldl';
import { prepareLabelledBatch, type LabelledBatch } from './cross-entropy-objective';
import type { InputSource, SampleSet } from './ldl-alsg-method';
import type { TrainingObjective } from './train-loop';
import type { TrainableModel } from './trainable-model';

/** AIR's options (train stage parameter `air`; defaults and ranges in stages/train/src/params-schema.ts). */
export interface AirOptions {
  /** Weight lambda of Omega next to the mean cross-entropy (the released code's lambda_sen = 10 in every run). */
  weight: number;
  /** Auxiliary images forwarded per step (current weights, inference mode, no gradient); capped at the set's size. */
  auxiliaryPerBatch: number;
  /** Size of the auxiliary set: a seeded selection stratified by (clean) class from the auxiliary input's rows. */
  auxiliaryCount: number;
  /** Clean labels of the auxiliary rows: 'truth' = argmax of the ingest's distribution.npy, 'given' = the manifest label. */
  auxiliaryLabels: 'truth' | 'given';
  /** Split of the auxiliary input's rows to draw from. */
  auxiliarySplit: string;
}

/** The auxiliary set handed to the method: its images and (for the record) their clean labels. */
export interface AuxiliarySet {
  inputs: InputSource;
  /** Clean class per auxiliary image (used for the stratified selection; Omega itself does not use labels). */
  label: Int32Array;
}

/**
 * sqrt with the minimum-norm subgradient at 0 (0 instead of Infinity): a group whose norm is exactly 0 gets no gradient,
 * as the proximal (ADMM) solution would leave it at 0.
 */
const safeSqrt = tf.customGrad(((s: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
  const r = tf.sqrt(s);
  save([r]);
  return {
    value: r,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const root = saved[0];
      return tf.where(tf.greater(root, 0), tf.div(tf.mul(dy, 0.5), tf.maximum(root, 1e-30)), tf.zerosLike(root));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * Prepares auxiliary features for {@link airRegulariser}: each row L2-normalised (the released code normalises fc7
 * features per image), then squared; the group weight is 1 / sqrt(number of non-zero features). An all-zero row (no
 * active feature) gets weight 0 and contributes nothing.
 * @param features penultimate-layer features of the auxiliary images [m, d].
 * @returns squared normalised features [m, d] and group weights [m].
 */
export function airAuxiliaryTerms(features: tf.Tensor2D): { squared: tf.Tensor2D; groupWeight: tf.Tensor1D } {
  return tf.tidy(() => {
    const sq = tf.square(features);
    const norm2 = tf.sum(sq, 1, true);
    const squared = tf.div(sq, tf.maximum(norm2, 1e-30)) as tf.Tensor2D;
    const nnz = tf.sum(tf.cast(tf.notEqual(features, 0), 'float32'), 1);
    const groupWeight = tf.where(tf.greater(nnz, 0), tf.div(1, tf.sqrt(tf.maximum(nnz, 1))), tf.zerosLike(nnz)) as tf.Tensor1D;
    return { squared, groupWeight };
  });
}

/**
 * Omega(W) = 1 / (m C) sum_j sum_c groupWeight_j ||a_j ∘ w_c||_2, computed as sqrt((A ∘ A) (W ∘ W)) since
 * ||a_j ∘ w_c||_2^2 = sum_i a_ji^2 w_ic^2. Differentiable in W (A is data).
 * @param squared (A ∘ A) [m, d] from {@link airAuxiliaryTerms}.
 * @param groupWeight [m] from {@link airAuxiliaryTerms}.
 * @param kernel the classifier's kernel W [d, C] (the last dense layer's, inputs x classes).
 */
export function airRegulariser(squared: tf.Tensor2D, groupWeight: tf.Tensor1D, kernel: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [m] = squared.shape;
    const C = kernel.shape[1];
    const norms = safeSqrt(tf.matMul(squared, tf.square(kernel))) as tf.Tensor2D; // [m, C]
    return tf.div(tf.sum(tf.mul(norms, tf.expandDims(groupWeight, 1))), m * C) as tf.Scalar;
  });
}

/**
 * Float64 reference of Omega and its gradient with respect to W (for tests): features are raw [m][d], W is [d][C].
 * Zero groups get gradient 0.
 */
export function airRegulariserReference(features: number[][], W: number[][]): { value: number; grad: number[][] } {
  const m = features.length;
  const d = W.length;
  const C = W[0].length;
  const grad = W.map((row) => row.map(() => 0));
  let value = 0;
  for (const a of features) {
    const norm = Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    const nnz = a.filter((v) => v !== 0).length;
    if (nnz === 0) continue;
    const g = 1 / Math.sqrt(nnz);
    const an = a.map((v) => v / norm);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += an[i] * an[i] * W[i][c] * W[i][c];
      const r = Math.sqrt(s);
      value += (g * r) / (m * C);
      if (r > 0) for (let i = 0; i < d; i++) grad[i][c] += (g * an[i] * an[i] * W[i][c]) / (r * m * C);
    }
  }
  return { value, grad };
}

/**
 * Seeded selection of `count` rows stratified by class: each class gets a share proportional to its frequency
 * (largest remainder), rows within a class are drawn by `Rng(seed, 'air/auxiliary/<class>')`. Returned sorted.
 * @param labels class per candidate row.
 * @returns indices into `labels`; all of them when `count >= labels.length`.
 */
export function selectAuxiliary(labels: Int32Array, count: number, seed: number): Int32Array {
  if (count >= labels.length) return Int32Array.from(labels.keys());
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => byClass.set(y, [...(byClass.get(y) ?? []), i]));
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (byClass.get(c)!.length * count) / labels.length);
  const quota = exact.map(Math.floor);
  let left = count - quota.reduce((a, b) => a + b, 0);
  const order = classes.map((_, k) => k).sort((a, b) => exact[b] - quota[b] - (exact[a] - quota[a]) || a - b);
  for (const k of order) if (left > 0 && quota[k] < byClass.get(classes[k])!.length) (quota[k]++, left--);
  const picked: number[] = [];
  classes.forEach((c, k) => {
    const rows = new Rng(seed, `air/auxiliary/${c}`).shuffle(Int32Array.from(byClass.get(c)!));
    picked.push(...rows.subarray(0, quota[k]));
  });
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/** The classifier kernel and a penultimate-feature function of a model whose last layer is a dense classifier. */
export interface AirHead {
  kernel: tf.Variable;
  /** Penultimate features [n, d] in inference mode (call outside the gradient tape). */
  features(x: tf.Tensor): tf.Tensor2D;
  dispose(): void;
}

/**
 * Finds the last dense layer of `model.layersModel` (every backbone of `@ldl-alsg/models` ends in dense `logits`) and
 * builds a feature model sharing its weights.
 * @throws AlsgError E_CONFIG when the model has no layers model or its last layer is not dense.
 */
export function createAirHead(model: TrainableModel): AirHead {
  const lm = model.layersModel;
  const last = lm?.layers.at(-1);
  if (!lm || !last || last.getClassName() !== 'Dense') {
    throw new AlsgError('E_CONFIG', `train: method air needs a backbone whose last layer is a dense classifier, but got ${last ? last.getClassName() : 'no layers model'}`);
  }
  const kernelWeight = last.trainableWeights.find((w) => /kernel/.test(w.originalName));
  if (!kernelWeight) throw new AlsgError('E_CONFIG', `train: method air: the last layer "${last.name}" has no kernel`);
  const kernel = kernelWeight.read() as tf.Variable;
  const input = last.input as tf.SymbolicTensor;
  // Softmax regression (no hidden layer): the features are the (flattened) inputs themselves.
  const featureModel = input === lm.inputs[0] ? undefined : tf.model({ inputs: lm.inputs, outputs: input });
  return {
    kernel,
    features: (x) => tf.tidy(() => {
      const f = featureModel ? (featureModel.apply(x, { training: false }) as tf.Tensor) : x;
      return tf.reshape(f, [f.shape[0], -1]) as tf.Tensor2D;
    }),
    // The feature model shares the backbone's layers: nothing of its own to free.
    dispose: () => undefined,
  };
}

export interface AirObjectiveArgs {
  model: TrainableModel;
  inputs: InputSource;
  samples: SampleSet;
  auxiliary: AuxiliarySet;
  options: AirOptions;
  seed: number;
  reduction: LossReduction;
  /** Phase name (RNG stream of the per-step auxiliary draw). */
  phase: string;
}

/** AIR's batch data: the centres' labels plus this step's auxiliary terms from {@link airAuxiliaryTerms}. */
export interface AirBatch extends LabelledBatch {
  /** Squared normalised auxiliary features [m, d]. */
  squared: tf.Tensor2D;
  /** Group weights [m]. */
  groupWeight: tf.Tensor1D;
}

/**
 * AIR's training objective: batches of `batchSize` training samples (CE on their given labels) plus, per step,
 * `auxiliaryPerBatch` auxiliary images drawn by `Rng(seed, '<phase>/aux/<epoch>/<step>')` (so a resumed run draws the
 * same ones) and forwarded outside the tape; loss = CE + weight * Omega. Call dispose() at the end.
 */
export function createAirObjective(args: AirObjectiveArgs): TrainingObjective<AirBatch> & { dispose(): void } {
  const { model, inputs, samples, auxiliary, options } = args;
  const head = createAirHead(model);
  const m = auxiliary.inputs.numRows;
  const perBatch = Math.min(options.auxiliaryPerBatch, m);
  let epoch = 0;
  let step = 0;
  return {
    onEpochStart(e) {
      epoch = e;
      step = 0;
    },
    prepareBatch(ids) {
      const { x, tensors, data } = prepareLabelledBatch(samples, inputs, ids);
      const all = Int32Array.from({ length: m }, (_, i) => i);
      const auxRows = perBatch >= m ? all : new Rng(args.seed, `${args.phase}/aux/${epoch}/${step}`).shuffle(all).subarray(0, perBatch);
      step++;
      const xa = auxiliary.inputs.gather(auxRows);
      const feats = head.features(xa);
      const { squared, groupWeight } = airAuxiliaryTerms(feats);
      tf.dispose([xa, feats]);
      return { x, tensors: [...tensors, squared, groupWeight], data: { ...data, squared, groupWeight } };
    },
    loss(logits, batch) {
      const ce = tfTotalLoss(logits, batch.data.y, [], args.reduction).ce;
      const air = airRegulariser(batch.data.squared, batch.data.groupWeight, head.kernel as unknown as tf.Tensor2D);
      return { total: tf.add(ce, tf.mul(air, options.weight)) as tf.Scalar, terms: { ce, air } };
    },
    dispose: () => head.dispose(),
  };
}

/** Checks AIR's options; errors name the parameter and what was expected. */
export function checkAirOptions(o: AirOptions): void {
  if (!(o.weight >= 0) || !Number.isFinite(o.weight)) throw new AlsgError('E_CONFIG', `train: air.weight must be a finite value >= 0, but got ${o.weight}`, { path: 'params.air.weight' });
  for (const key of ['auxiliaryPerBatch', 'auxiliaryCount'] as const) {
    if (!(Number.isInteger(o[key]) && o[key] > 0)) throw new AlsgError('E_CONFIG', `train: air.${key} must be a positive integer, but got ${o[key]}`, { path: `params.air.${key}` });
  }
  if (o.auxiliaryLabels !== 'truth' && o.auxiliaryLabels !== 'given') {
    throw new AlsgError('E_CONFIG', `train: air.auxiliaryLabels must be truth or given, but got ${JSON.stringify(o.auxiliaryLabels)}`, { path: 'params.air.auxiliaryLabels' });
  }
}
