/**
 * The baseline and LDL-ALSG as training-loop plugs: batches of groups (paper Sec. 3.3, Fig. 5): each group is one centre
 * image with its k_t neighbours in every wired auxiliary space t (AU, landmarks) and their local similarities a_ij (Eq. 3);
 * the loss is Eq. 5 (`tfTotalLoss` of `@ldl-alsg/ldl`). With no spaces wired it is the baseline: cross-entropy only.
 *
 * Exact savings (same loss and gradients as forwarding all 1 + sum_t k_t images per group "equally"):
 * - the neighbours' predictions are detached, so they are computed forward-only, in inference mode, outside the gradient
 *   tape: no activations are kept and no backward pass runs through them;
 * - a neighbour shared by several groups in the batch (or by both spaces) is forwarded once (deduplicated);
 * - a neighbour with a_ij = 0 (missing: -1 in neighbors.npy) is not forwarded at all.
 * Inference mode differs from the paper's "all images forwarded equally" only for layers that behave differently in
 * training (BatchNorm batch statistics, dropout); for networks without them the predictions are identical.
 *
 * Opt-in approximation `epoch-cache`: neighbours' predictions are taken from a table computed once per epoch (one
 * inference pass over the training images at the start of each epoch), i.e. from weights up to one epoch old.
 */
import * as tf from '@tensorflow/tfjs';
import { AlsgError } from '@ldl-alsg/common';
import { tfTotalLoss, type LossReduction, type TfGuidanceInput } from '@ldl-alsg/ldl';
import type { LossOutput, PreparedBatch, TrainingObjective } from './train-loop';
import type { TrainableModel } from './trainable-model';

/** Where inputs come from: rows 0..numRows-1 of the training images (or features). */
export interface InputSource {
  /** Number of rows. */
  readonly numRows: number;
  /** Float32 inputs for the given rows, [n, ...]. The caller disposes the result. */
  gather(rows: Int32Array): tf.Tensor;
}

/** An auxiliary label space's index-similarity list, in training-row indices. */
export interface NeighbourSpace {
  /** 'au' or 'landmarks' (log keys: `guidance_<name>`). */
  name: string;
  /** Neighbour rows [numRows, K] row-major (nearest first); -1 = no neighbour. */
  neighbors: Int32Array;
  /** a_ij [numRows, K] (Eq. 3), >= 0; ignored where the neighbour is -1. */
  similarity: Float32Array;
  /** Columns of the arrays (the graph's k). */
  K: number;
  /** Neighbours used per centre (the method's k_t <= K). */
  k: number;
  /** lambda_t >= 0 (Eq. 5). */
  lambda: number;
}

/** Training samples: a sample is one (image row, label) pair; a row may occur several times (abc mixture). */
export interface SampleSet {
  /** Input row per sample. */
  row: Int32Array;
  /** Class index per sample. */
  label: Int32Array;
}

/** How neighbours' predictions are obtained: exact (current weights, every step) or the opt-in once-per-epoch cache. */
export type NeighbourMode = 'exact' | 'epoch-cache';

export interface LdlAlsgMethodArgs {
  model: TrainableModel;
  inputs: InputSource;
  samples: SampleSet;
  /** Wired auxiliary spaces (empty = baseline). */
  spaces: readonly NeighbourSpace[];
  /** Batch reduction of Eq. 5 (default 'mean'). */
  reduction?: LossReduction;
  /** Default 'exact'. */
  neighbourMode?: NeighbourMode;
  /** Rows per inference chunk when filling the epoch cache. Default 512. */
  chunk?: number;
}

/** Counters of neighbour forward passes (for the benchmark and the summary). */
export interface NeighbourStats {
  /** Neighbour slots with a_ij > 0 over all batches. */
  slots: number;
  /** Neighbour images actually forwarded (after deduplication; epoch-cache: rows refreshed). */
  forwarded: number;
}

/** One wired space's part of a batch: its neighbours' detached log-probabilities, similarities and lambda. */
export interface GuidanceTask extends TfGuidanceInput {
  /** The space's name (log term `guidance_<name>`). */
  name: string;
}

/** A batch of groups: the centres' given labels and one {@link GuidanceTask} per wired space (none for the baseline). */
export interface LdlAlsgBatch {
  /** Given class per centre, int32 [B]. */
  y: tf.Tensor1D;
  tasks: GuidanceTask[];
}

/**
 * The training objective of the baseline / LDL-ALSG (prepareBatch, loss, onEpochStart) plus the neighbour counters;
 * call dispose() at the end.
 */
export function createLdlAlsgMethod(args: LdlAlsgMethodArgs): Required<TrainingObjective<LdlAlsgBatch>> & { stats: NeighbourStats; dispose(): void } {
  const { model, inputs, samples, spaces } = args;
  const reduction = args.reduction ?? 'mean';
  const mode = args.neighbourMode ?? 'exact';
  const stats: NeighbourStats = { slots: 0, forwarded: 0 };
  let cache: tf.Tensor2D | undefined;

  function inferLogProbs(rows: Int32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const x = inputs.gather(rows);
      return tf.logSoftmax(model.logits(x, false)) as tf.Tensor2D;
    });
  }

  function onEpochStart(): void {
    if (mode !== 'epoch-cache' || spaces.length === 0) return;
    cache?.dispose();
    const chunk = args.chunk ?? 512;
    const parts: tf.Tensor2D[] = [];
    for (let s = 0; s < inputs.numRows; s += chunk) {
      parts.push(inferLogProbs(Int32Array.from({ length: Math.min(chunk, inputs.numRows - s) }, (_, i) => s + i)));
    }
    cache = tf.concat(parts) as tf.Tensor2D;
    tf.dispose(parts);
    stats.forwarded += inputs.numRows;
  }

  function prepareBatch(ids: Int32Array): PreparedBatch<LdlAlsgBatch> {
    const B = ids.length;
    const rows = Int32Array.from(ids, (s) => samples.row[s]);
    const labels = Int32Array.from(ids, (s) => samples.label[s]);
    const x = inputs.gather(rows);
    const y = tf.tensor1d(labels, 'int32');
    const tensors: tf.Tensor[] = [x, y];
    if (spaces.length === 0) return { x, tensors, data: { y, tasks: [] } };

    // Deduplicate neighbours over the whole batch and every space; map each slot to its position in `unique`.
    const position = new Map<number, number>();
    const unique: number[] = [];
    const slotIndex = spaces.map((sp) => new Int32Array(B * sp.k));
    const slotSim = spaces.map((sp) => new Float32Array(B * sp.k));
    spaces.forEach((sp, t) => {
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < sp.k; j++) {
          const nb = sp.neighbors[rows[i] * sp.K + j];
          const a = nb < 0 ? 0 : sp.similarity[rows[i] * sp.K + j];
          if (a === 0) continue; // contributes nothing to Eq. 4: not forwarded (slot index 0, weight 0)
          let p = position.get(nb);
          if (p === undefined) {
            p = unique.length;
            position.set(nb, p);
            unique.push(nb);
          }
          slotIndex[t][i * sp.k + j] = p;
          slotSim[t][i * sp.k + j] = a;
          stats.slots++;
        }
      }
    });
    let neighbourLogProbs: tf.Tensor2D;
    if (unique.length === 0) {
      // No neighbour with a > 0 in this batch: any finite rows will do (weights are all 0).
      neighbourLogProbs = tf.tidy(() => tf.logSoftmax(model.logits(tf.slice(x, 0, 1), false)) as tf.Tensor2D);
    } else if (mode === 'epoch-cache') {
      if (!cache) throw new AlsgError('E_STAGE', 'ldl-alsg: epoch cache used before onEpochStart filled it');
      neighbourLogProbs = tf.tidy(() => tf.gather(cache!, tf.tensor1d(Int32Array.from(unique), 'int32')) as tf.Tensor2D);
    } else {
      neighbourLogProbs = inferLogProbs(Int32Array.from(unique));
      stats.forwarded += unique.length;
    }
    tensors.push(neighbourLogProbs);
    const numClasses = neighbourLogProbs.shape[1];
    const tasks = spaces.map((sp, t): GuidanceTask => {
      const idx = tf.tensor1d(slotIndex[t], 'int32');
      const logProbs = tf.tidy(() => tf.reshape(tf.gather(neighbourLogProbs, idx), [B, sp.k, numClasses]) as tf.Tensor3D);
      idx.dispose();
      const similarity = tf.tensor2d(slotSim[t], [B, sp.k]);
      tensors.push(logProbs, similarity);
      return { name: sp.name, neighbourLogProbs: logProbs, similarity, lambda: sp.lambda };
    });
    return { x, tensors, data: { y, tasks } };
  }

  function loss(logits: tf.Tensor2D, batch: PreparedBatch<LdlAlsgBatch>): LossOutput {
    const { y, tasks } = batch.data;
    const out = tfTotalLoss(logits, y, tasks, reduction);
    const terms: Record<string, tf.Scalar> = { ce: out.ce };
    tasks.forEach((t, i) => (terms[`guidance_${t.name}`] = out.guidance[i]));
    return { total: out.total, terms };
  }

  return {
    prepareBatch,
    loss,
    onEpochStart,
    stats,
    dispose: () => cache?.dispose(),
  };
}
