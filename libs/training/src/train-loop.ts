/**
 * The generic training loop every method runs (one call per training phase): seeded per-epoch shuffling of the samples,
 * mini-batches prepared outside the gradient tape, one differentiable loss, SGD with momentum and weight decay, the
 * warm-up + cosine schedule, a JSONL log, a checkpoint after every epoch, resume from the last checkpoint, and a stop with
 * E_NUMERIC on a non-finite loss or gradient (before the update is applied, so weights never become NaN).
 *
 * Determinism: the order of epoch e is a shuffle drawn from `new Rng(seed, '<phase>/order/<e>')`, so it does not depend on
 * how many epochs ran in this process; with the weights and velocities restored bit-exactly, a resumed run performs the
 * same floating-point operations as an uninterrupted one and ends with the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AlsgError, Rng, type Progress } from '@ldl-alsg/common';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { MomentumSgd } from './sgd';
import { learningRateAt } from './schedule';
import type { TrainableModel } from './trainable-model';

/** A mini-batch prepared outside the tape: centre inputs plus whatever the loss needs. */
export interface PreparedBatch {
  /** Centre inputs [B, ...]. */
  x: tf.Tensor;
  /** Tensors to dispose after the step (including `x`). */
  tensors: tf.Tensor[];
  /** Method data read by the loss (tensors listed in `tensors`). */
  data: Record<string, unknown>;
}

/** Loss terms from {@link TrainLoopArgs.loss}: `total` is minimised, every entry of `terms` is logged. */
export interface LossOutput {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/** Optimiser and schedule settings (defaults are the paper's, Sec. 4.1). */
export interface OptimiserArgs {
  /** Epochs (paper 10). */
  epochs: number;
  /** Peak learning rate (paper 0.001). */
  lr: number;
  /** SGD momentum (paper 0.9). */
  momentum: number;
  /** Weight decay (paper 0.0004). */
  weightDecay: number;
  /** Linear warm-up epochs before cosine decay (paper 1). */
  warmupEpochs: number;
}

export interface TrainLoopArgs extends OptimiserArgs {
  /** Name of the phase (log lines, RNG streams), e.g. 'main', 'pretrain', 'coder-a'. */
  phase: string;
  model: TrainableModel;
  /** Extra trainable variables optimised with the model (NAL channel, LTNet transitions); checkpointed. */
  extraVariables?: tf.Variable[];
  /** Number of samples (centres) per epoch. */
  numSamples: number;
  /** Centres per mini-batch (paper: 32 groups / 32 images). */
  batchSize: number;
  /** Seed of the shuffles. */
  seed: number;
  /** Builds a batch from sample indices (called outside the gradient tape). */
  prepareBatch(sampleIds: Int32Array): PreparedBatch;
  /** The differentiable loss of a batch given the centre logits (called inside the tape). */
  loss(logits: tf.Tensor2D, batch: PreparedBatch): LossOutput;
  /** Called before each epoch (e.g. to refresh an opt-in prediction cache). */
  onEpochStart?(epoch: number): void;
  /** Human-readable sample names for error messages (e.g. manifest ids). */
  describeSamples?(ids: Int32Array): string[];
  /** Folder for this phase's checkpoints (created). */
  checkpointDir: string;
  /** JSONL log file (appended; truncated to the checkpoint on resume). */
  logFile: string;
  /** Log every this many steps (plus one line per epoch). Default 10. */
  logEvery?: number;
  /** Test hook simulating a kill: throw right after the checkpoint of this epoch (1-based) is written. */
  failAfterEpoch?: number;
  log?(message: string): void;
  progress?: Progress;
}

export interface TrainLoopResult {
  /** Epoch the run resumed from (0 = fresh start). */
  resumedFromEpoch: number;
  /** Steps in total (including resumed ones). */
  steps: number;
  /** Seconds spent in this process. */
  seconds: number;
  /** Centre images per second in this process. */
  imagesPerSecond: number;
  /** Mean loss terms of the last epoch. */
  lastEpoch: Record<string, number>;
}

/** Error subclass used by the {@link TrainLoopArgs.failAfterEpoch} test hook. */
export class SimulatedKill extends Error {}

function fingerprint(args: TrainLoopArgs, shapes: number[][]): string {
  const { phase, numSamples, batchSize, seed, epochs, lr, momentum, weightDecay, warmupEpochs } = args;
  return JSON.stringify({ phase, numSamples, batchSize, seed, epochs, lr, momentum, weightDecay, warmupEpochs, shapes });
}

/** Runs (or resumes) one training phase. */
export async function runTrainLoop(args: TrainLoopArgs): Promise<TrainLoopResult> {
  const { model, batchSize, numSamples } = args;
  const extras = args.extraVariables ?? [];
  const variables = [...model.trainableVariables(), ...extras];
  const decayed = new Set(model.decayVariables ? model.decayVariables() : model.trainableVariables());
  // Extra variables (NAL channel, LTNet transitions) are not decayed: decay would pull them towards uniform noise.
  const decayMask = variables.map((v) => decayed.has(v));
  const sgd = new MomentumSgd(variables, { momentum: args.momentum, weightDecay: args.weightDecay, decayMask });
  const stepsPerEpoch = Math.ceil(numSamples / batchSize);
  const schedule = { lr: args.lr, stepsPerEpoch, epochs: args.epochs, warmupEpochs: args.warmupEpochs };
  const logEvery = args.logEvery ?? 10;
  mkdirSync(args.checkpointDir, { recursive: true });
  mkdirSync(dirname(args.logFile), { recursive: true });
  const shapes = [...model.getWeights().map((w) => w.shape), ...extras.map((v) => v.shape)];
  const print = fingerprint(args, shapes);

  let epoch0 = 0;
  let step = 0;
  let lastEpoch: Record<string, number> = {};
  const ckpt = loadCheckpoint(args.checkpointDir);
  if (ckpt && ckpt.fingerprint === print) {
    tf.tidy(() => {
      model.setWeights(ckpt.groups.weights.map((w) => tf.tensor(w.data, w.shape)));
      extras.forEach((v, i) => v.assign(tf.tensor(ckpt.groups.extras[i].data, ckpt.groups.extras[i].shape)));
    });
    sgd.setState(ckpt.groups.velocities.map((v) => v.data));
    epoch0 = ckpt.epochsDone;
    step = ckpt.step;
    lastEpoch = (ckpt.extra?.lastEpoch as Record<string, number>) ?? {};
    if (existsSync(args.logFile) && statSync(args.logFile).size > ckpt.logBytes) truncateSync(args.logFile, ckpt.logBytes);
    args.log?.(`${args.phase}: resumed from the checkpoint after epoch ${epoch0} (step ${step})`);
  } else {
    if (ckpt) args.log?.(`${args.phase}: checkpoint in ${args.checkpointDir} was written with another configuration; starting over`);
    writeFileSync(args.logFile, '');
  }

  const started = performance.now();
  let imagesHere = 0;
  for (let epoch = epoch0; epoch < args.epochs; epoch++) {
    args.onEpochStart?.(epoch);
    const order = new Rng(args.seed, `${args.phase}/order/${epoch}`).shuffle(Int32Array.from({ length: numSamples }, (_, i) => i));
    const epochSums: Record<string, number> = {};
    let window: Record<string, number> = {};
    let windowSteps = 0;
    let windowImages = 0;
    let windowStart = performance.now();
    for (let b = 0; b < stepsPerEpoch; b++, step++) {
      const ids = order.subarray(b * batchSize, Math.min(numSamples, (b + 1) * batchSize));
      const lr = learningRateAt(step, schedule);
      const batch = args.prepareBatch(ids);
      let kept: Record<string, tf.Scalar> = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = args.loss(model.logits(batch.x, true), batch);
        kept = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, tf.keep(t)]));
        return out.total;
      }, variables);
      // A variable the loss does not reach in this batch gets no entry from variableGrads: its gradient is 0.
      const gradList = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const gradNorm = tf.tidy(() => Math.sqrt(tf.addN(gradList.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
      const terms: Record<string, number> = { total: value.dataSync()[0] };
      for (const [k, t] of Object.entries(kept)) terms[k] = t.dataSync()[0];
      value.dispose();
      Object.values(kept).forEach((t) => t.dispose());
      if (!Object.values(terms).every(Number.isFinite) || !Number.isFinite(gradNorm)) {
        tf.dispose(gradList);
        batch.tensors.forEach((t) => t.dispose());
        const samples = args.describeSamples ? args.describeSamples(ids) : Array.from(ids).map(String);
        throw new AlsgError(
          'E_NUMERIC',
          `${args.phase}: non-finite loss at epoch ${epoch + 1}, step ${step} (${JSON.stringify({ ...terms, gradNorm })}); ` +
            `batch samples: ${samples.slice(0, 40).join(', ')}${samples.length > 40 ? ', ...' : ''}. ` +
            'No model was saved; lower the learning rate or check the inputs.',
          { epoch: epoch + 1, step, terms, gradNorm, samples },
        );
      }
      sgd.step(gradList, lr);
      tf.dispose(gradList);
      batch.tensors.forEach((t) => t.dispose());
      imagesHere += ids.length;
      windowImages += ids.length;
      windowSteps++;
      for (const [k, v] of Object.entries(terms)) {
        window[k] = (window[k] ?? 0) + v;
        epochSums[k] = (epochSums[k] ?? 0) + v;
      }
      args.progress?.tick(ids.length);
      if (windowSteps === logEvery || b === stepsPerEpoch - 1) {
        const now = performance.now();
        const entry: Record<string, unknown> = { phase: args.phase, epoch: epoch + 1, step: step + 1, lr };
        for (const [k, v] of Object.entries(window)) entry[k] = v / windowSteps;
        entry.gradNorm = gradNorm;
        entry.imagesPerSecond = Math.round((windowImages / Math.max(1e-9, now - windowStart)) * 1000 * 10) / 10;
        appendFileSync(args.logFile, JSON.stringify(entry) + '\n');
        window = {};
        windowSteps = 0;
        windowImages = 0;
        windowStart = now;
      }
      // Yield to the event loop now and then (progress output, signals).
      if (b % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    lastEpoch = Object.fromEntries(Object.entries(epochSums).map(([k, v]) => [k, v / stepsPerEpoch]));
    appendFileSync(args.logFile, JSON.stringify({ phase: args.phase, epoch: epoch + 1, step, epochEnd: true, ...lastEpoch }) + '\n');
    args.log?.(`${args.phase}: epoch ${epoch + 1}/${args.epochs} ${Object.entries(lastEpoch).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}`);
    const weights = model.getWeights();
    saveCheckpoint(args.checkpointDir, {
      fingerprint: print,
      epochsDone: epoch + 1,
      step,
      logBytes: statSync(args.logFile).size,
      extra: { lastEpoch },
      groups: {
        weights: weights.map((w) => ({ data: Float32Array.from(w.dataSync() as Float32Array), shape: w.shape })),
        extras: extras.map((v) => ({ data: Float32Array.from(v.dataSync() as Float32Array), shape: v.shape })),
        velocities: sgd.getState().map((data, i) => ({ data, shape: variables[i].shape })),
      },
    });
    if (args.failAfterEpoch === epoch + 1) {
      sgd.dispose();
      throw new SimulatedKill(`${args.phase}: simulated kill after epoch ${epoch + 1}`);
    }
  }
  sgd.dispose();
  const seconds = (performance.now() - started) / 1000;
  return { resumedFromEpoch: epoch0, steps: step, seconds, imagesPerSecond: imagesHere / Math.max(1e-9, seconds), lastEpoch };
}
