/**
 * Framework-free reference implementation of the LDL-ALSG loss (Chen et al., CVPR 2020, Sec. 3, Eq. 2, 4, 5), in plain
 * Float64Array arithmetic. It is the specification the TensorFlow.js implementation (`tf-loss.ts`) is tested against, and
 * a small public API for anyone who wants the loss without TF.js.
 *
 * Notation (the paper's): f(x_i) is the predicted label distribution of centre image x_i (a softmax output over the C
 * classes), l_{x_i} its one-hot (logical) label, and for every auxiliary task t (action units, facial landmarks) the
 * neighbours j of x_i in that task's graph come with the local similarity a_ij^t of Eq. 3 (computed by the graph stage,
 * `libs/ldl/src/similarity.ts`). The neighbours' predictions f(x_j) are constants (detached): only the centre receives
 * gradient.
 *
 * Batch reduction: Eq. 5 sums over centre images i. How the authors reduced over a mini-batch is not stated. `sum` applies
 * Eq. 5 literally to the batch (the loss scales with the batch size); `mean` divides both the cross-entropy and the guidance
 * sums by the number of centres (the usual PyTorch convention, and the default). Either way the ratio between the guidance
 * and the cross-entropy terms is the same, and it is what lambda scales: with the paper's lambda = 0.0005 and a_ij <= 1, the
 * guidance term is about 0.0005 * k * KL per centre next to a cross-entropy of ~0.5-2, i.e. a tiny regulariser. The lambda
 * sweeps (the paper's Tables 5-7) show where the effective range lies on a given dataset.
 */
import { AlsgError } from '@ldl-alsg/common';

/** How per-centre loss terms are combined over a batch: `mean` (divide by the number of centres) or `sum` (Eq. 5 as written). */
export type LossReduction = 'mean' | 'sum';
export const LOSS_REDUCTIONS: readonly LossReduction[] = ['mean', 'sum'];

/**
 * Numerically stable softmax of one row of logits (not a paper equation: the network's output layer).
 * @param logits length-C logits.
 * @returns length-C probabilities summing to 1.
 */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) max = Math.max(max, logits[c]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let c = 0; c < logits.length; c++) sum += out[c] = Math.exp(logits[c] - max);
  for (let c = 0; c < logits.length; c++) out[c] /= sum;
  return out;
}

/**
 * Eq. 2: the classification loss of one image, sum_c l^{y_c}_{x_i} log(1 / f(x_i)_c), i.e. the cross-entropy between the
 * one-hot given label and the predicted distribution: -log f(x_i)_label.
 * @param prob length-C predicted distribution f(x_i).
 * @param label index of the given class in 0..C-1.
 */
export function crossEntropy(prob: ArrayLike<number>, label: number): number {
  if (!Number.isInteger(label) || label < 0 || label >= prob.length) {
    throw new AlsgError('E_INPUT', `crossEntropy: label must be an integer in 0..${prob.length - 1}, but got ${label}`);
  }
  return -Math.log(prob[label]);
}

/**
 * Eq. 4: the task guidance loss of one centre image in one auxiliary label space,
 * sum_j a_ij * sum_c f(x_j)_c log(f(x_j)_c / f(x_i)_c) = sum_j a_ij * KL(f(x_j) || f(x_i)).
 * Terms with f(x_j)_c = 0 contribute 0 (the limit of p log p). Neighbours with a_ij = 0 (e.g. a missing neighbour, -1 in
 * `neighbors.npy`) contribute nothing, whatever their prediction.
 * @param centre length-C predicted distribution f(x_i) of the centre image.
 * @param neighbours the k neighbours' predicted distributions f(x_j) (constants: not differentiated).
 * @param similarity the k local similarities a_ij (Eq. 3), each >= 0.
 */
export function taskGuidance(centre: ArrayLike<number>, neighbours: readonly ArrayLike<number>[], similarity: ArrayLike<number>): number {
  if (neighbours.length !== similarity.length) {
    throw new AlsgError('E_INPUT', `taskGuidance: ${neighbours.length} neighbour predictions but ${similarity.length} similarities`);
  }
  let total = 0;
  for (let j = 0; j < neighbours.length; j++) {
    const a = similarity[j];
    if (!(a >= 0)) throw new AlsgError('E_INPUT', `taskGuidance: similarity a_ij must be >= 0, but got ${a} (neighbour ${j})`);
    if (a === 0) continue;
    const f = neighbours[j];
    let kl = 0;
    for (let c = 0; c < centre.length; c++) if (f[c] > 0) kl += f[c] * Math.log(f[c] / centre[c]);
    total += a * kl;
  }
  return total;
}

/** One auxiliary task's contribution to a centre's loss: its neighbours' predictions and similarities. */
export interface GuidanceInput {
  /** The k neighbours' predicted distributions f(x_j) (detached). */
  neighbours: readonly ArrayLike<number>[];
  /** The k local similarities a_ij (Eq. 3); 0 for a missing neighbour. */
  similarity: ArrayLike<number>;
}

/**
 * Eq. 5 for one centre image: CE (Eq. 2) + sum_t lambda_t * guidance_t (Eq. 4). The paper writes one lambda for every
 * task; a per-task lambda_t generalises it (its Tables 6-7 vary them separately).
 * @param centre length-C predicted distribution of the centre image.
 * @param label given class index.
 * @param tasks one entry per auxiliary task.
 * @param lambdas one weight per task, each >= 0.
 */
export function totalLoss(centre: ArrayLike<number>, label: number, tasks: readonly GuidanceInput[], lambdas: readonly number[]): number {
  if (tasks.length !== lambdas.length) throw new AlsgError('E_INPUT', `totalLoss: ${tasks.length} tasks but ${lambdas.length} lambdas`);
  let loss = crossEntropy(centre, label);
  for (let t = 0; t < tasks.length; t++) {
    if (!(lambdas[t] >= 0)) throw new AlsgError('E_CONFIG', `totalLoss: lambda must be >= 0, but got ${lambdas[t]} (task ${t})`);
    loss += lambdas[t] * taskGuidance(centre, tasks[t].neighbours, tasks[t].similarity);
  }
  return loss;
}

/** A batch for {@link referenceBatchLoss}: logits, labels and, per task, neighbour logits with similarities. */
export interface ReferenceBatch {
  /** Centre logits, row-major [B, C]. */
  logits: ArrayLike<number>;
  /** Given labels, length B. */
  labels: ArrayLike<number>;
  /** Number of classes C. */
  numClasses: number;
  /** Per task: neighbour logits [B, k, C] row-major and similarities [B, k]. */
  tasks: readonly { neighbourLogits: ArrayLike<number>; similarity: ArrayLike<number>; k: number }[];
  /** Per-task lambda, same length as `tasks`. */
  lambdas: readonly number[];
}

/** Loss terms of a batch after reduction: total = ce + sum_t lambda_t * guidance[t]. */
export interface LossTerms {
  total: number;
  ce: number;
  /** Un-weighted guidance sum per task (before multiplying by lambda). */
  guidance: number[];
}

/**
 * Eq. 5 over a batch from raw logits (softmax applied here), reduced with `reduction` ({@link LossReduction}). Uses
 * {@link crossEntropy} (Eq. 2) and {@link taskGuidance} (Eq. 4) per centre.
 */
export function referenceBatchLoss(batch: ReferenceBatch, reduction: LossReduction = 'mean'): LossTerms {
  const C = batch.numClasses;
  const B = batch.labels.length;
  let ce = 0;
  let total = 0;
  const guidance = batch.tasks.map(() => 0);
  const row = (arr: ArrayLike<number>, offset: number): number[] => Array.from({ length: C }, (_, c) => arr[offset + c]);
  for (let i = 0; i < B; i++) {
    const centre = softmax(row(batch.logits, i * C));
    const tasks: GuidanceInput[] = batch.tasks.map((task) => ({
      neighbours: Array.from({ length: task.k }, (_, j) => softmax(row(task.neighbourLogits, (i * task.k + j) * C))),
      similarity: Array.from({ length: task.k }, (_, j) => task.similarity[i * task.k + j]),
    }));
    // The per-term sums are reported separately; the total comes from Eq. 5's one function.
    ce += crossEntropy(centre, batch.labels[i]);
    tasks.forEach((task, t) => (guidance[t] += taskGuidance(centre, task.neighbours, task.similarity)));
    total += totalLoss(centre, batch.labels[i], tasks, batch.lambdas);
  }
  const scale = reduction === 'mean' ? 1 / Math.max(1, B) : 1;
  ce *= scale;
  total *= scale;
  for (let t = 0; t < guidance.length; t++) guidance[t] *= scale;
  return { total, ce, guidance };
}
