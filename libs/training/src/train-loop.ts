/**
 * The generic training loop every method runs (one call per training phase): seeded per-epoch shuffling of the samples,
 * mini-batches prepared outside the gradient tape, one differentiable loss, SGD with momentum and weight decay, the
 * warm-up + cosine schedule, a JSONL log, a checkpoint after every epoch, resume from the last checkpoint, and a stop with
 * E_NUMERIC on a non-finite loss or gradient (before the update is applied, so weights never become NaN).
 *
 * Determinism: the order of epoch e is a shuffle drawn from `new Rng(seed, '<phase>/order/<e>')`, so it does not depend on
 * how many epochs ran in this process; with the weights and velocities restored bit-exactly, a resumed run performs the
 * same floating-point operations as an uninterrupted one and ends with the same weights.
 *
 * Reading order: {@link runTrainLoop} is the list of steps: createPhaseState (variables, optimiser, schedule),
 * resumeOrStart (checkpoint or fresh log), then per epoch trainEpoch (shuffle, trainStep per mini-batch, log lines via
 * StepLogWindow), the caller's onEpochEnd hook (validation, docs/training.md) and endEpoch (epoch line, checkpoint).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AlsgError, Rng, type Progress } from '@ldl-alsg/common';
import { sumOfSquares } from '@ldl-alsg/models';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { MomentumSgd } from './sgd';
import { learningRateAt, type ScheduleArgs } from './schedule';
import type { TrainableModel } from './trainable-model';

/**
 * A mini-batch prepared outside the tape: centre inputs plus the method's own data `D` that its loss reads (labels,
 * neighbour predictions, annotations...). The loop never looks into `data`; it only disposes `tensors` after the step.
 */
export interface PreparedBatch<D> {
  /** Centre inputs [B, ...]. */
  x: tf.Tensor;
  /** Tensors to dispose after the step (including `x` and every tensor in `data`). */
  tensors: tf.Tensor[];
  /** What the method's loss needs besides the logits. */
  data: D;
}

/** Loss terms from {@link TrainingObjective.loss}: `total` is minimised, every entry of `terms` is logged. */
export interface LossOutput {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/** What a training phase minimises: how a mini-batch is built from sample ids, and the batch's differentiable loss. */
export interface TrainingObjective<D> {
  /** Builds a batch from sample indices (called outside the gradient tape). */
  prepareBatch(sampleIds: Int32Array): PreparedBatch<D>;
  /** The differentiable loss of a batch given the centre logits (called inside the tape). */
  loss(logits: tf.Tensor2D, batch: PreparedBatch<D>): LossOutput;
  /** Called before each epoch (e.g. to refresh an opt-in prediction cache). */
  onEpochStart?(epoch: number): void;
}

/** What {@link TrainLoopArgs.onEpochEnd} is told after an epoch's last update. */
export interface EpochEnd {
  phase: string;
  /** 1-based epoch just finished. */
  epoch: number;
  /** Epochs of this phase. */
  epochs: number;
  /** The model as trained so far (evaluate it with `logits(x, false)` only: see onEpochEnd). */
  model: TrainableModel;
  /** The epoch's mean loss terms (with `total`). */
  means: Readonly<Record<string, number>>;
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

export interface TrainLoopArgs<D> extends OptimiserArgs, TrainingObjective<D> {
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
  /** Shared by the run's phases: the loop names its phase and epoch on it and sets the phase's total (its ETA). */
  progress?: Progress;
  /**
   * Called after each epoch's last update, before its epoch line and checkpoint; the fields it returns join the epoch
   * line of the log (e.g. trainAccuracy, valLoss, valAccuracy). It must not change the trained state: inference-mode
   * forward passes only, no random draws from the training streams, so the weights are the same with or without it.
   */
  onEpochEnd?(end: EpochEnd): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
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


/** What one phase trains with, fixed for the whole run: the variables, their optimiser, the schedule. */
interface PhaseState<D> {
  args: TrainLoopArgs<D>;
  /** Model variables, then the extra ones (gradient and velocity order). */
  variables: tf.Variable[];
  extras: tf.Variable[];
  sgd: MomentumSgd;
  schedule: ScheduleArgs;
  stepsPerEpoch: number;
  /** Configuration fingerprint: a checkpoint written under another one is not resumed. */
  fingerprint: string;
}

/** Where the phase stands; advanced by every step and epoch, saved in and restored from the checkpoint. */
interface LoopPosition {
  epochsDone: number;
  step: number;
  /** Mean loss terms of the last finished epoch. */
  lastEpoch: Record<string, number>;
}

/** Runs (or resumes) one training phase. */
export async function runTrainLoop<D>(args: TrainLoopArgs<D>): Promise<TrainLoopResult> {
  const state = createPhaseState(args);
  const position = resumeOrStart(state);
  const resumedFromEpoch = position.epochsDone;
  const started = performance.now();
  let imagesHere = 0;
  // The bar covers this phase: restored epochs count as done but not towards the rate, so the ETA stays honest.
  args.progress?.setTotal?.(args.epochs * args.numSamples, resumedFromEpoch * args.numSamples);
  for (let epoch = resumedFromEpoch; epoch < args.epochs; epoch++) {
    const epochStarted = performance.now();
    args.progress?.setDetail?.(`${args.phase} epoch ${epoch + 1}/${args.epochs}`);
    const { images, means } = await trainEpoch(state, epoch, position);
    imagesHere += images;
    position.epochsDone = epoch + 1;
    position.lastEpoch = means;
    const measured = (await args.onEpochEnd?.({ phase: args.phase, epoch: epoch + 1, epochs: args.epochs, model: args.model, means })) ?? {};
    const seconds = Math.round((performance.now() - epochStarted) / 10) / 100;
    endEpoch(state, position, { trainLoss: means.total, ...measured, seconds });
  }
  args.progress?.setDetail?.('');
  state.sgd.dispose();
  const seconds = (performance.now() - started) / 1000;
  return { resumedFromEpoch, steps: position.step, seconds, imagesPerSecond: imagesHere / Math.max(1e-9, seconds), lastEpoch: position.lastEpoch };
}

function createPhaseState<D>(args: TrainLoopArgs<D>): PhaseState<D> {
  const { model } = args;
  const extras = args.extraVariables ?? [];
  const variables = [...model.trainableVariables(), ...extras];
  const decayed = new Set(model.decayVariables ? model.decayVariables() : model.trainableVariables());
  // Extra variables (NAL channel, LTNet transitions) are not decayed: decay would pull them towards uniform noise.
  const decayMask = variables.map((v) => decayed.has(v));
  const sgd = new MomentumSgd(variables, { momentum: args.momentum, weightDecay: args.weightDecay, decayMask });
  const stepsPerEpoch = Math.ceil(args.numSamples / args.batchSize);
  const schedule = { lr: args.lr, stepsPerEpoch, epochs: args.epochs, warmupEpochs: args.warmupEpochs };
  mkdirSync(args.checkpointDir, { recursive: true });
  mkdirSync(dirname(args.logFile), { recursive: true });
  const shapes = [...model.getWeights().map((w) => w.shape), ...extras.map((v) => v.shape)];
  return { args, variables, extras, sgd, schedule, stepsPerEpoch, fingerprint: fingerprint(args, shapes) };
}

function fingerprint<D>(args: TrainLoopArgs<D>, shapes: number[][]): string {
  const { phase, numSamples, batchSize, seed, epochs, lr, momentum, weightDecay, warmupEpochs } = args;
  return JSON.stringify({ phase, numSamples, batchSize, seed, epochs, lr, momentum, weightDecay, warmupEpochs, shapes });
}

/**
 * Restores weights, extra variables and velocities from this phase's checkpoint when it was written under the same
 * configuration (and cuts the log back to what the checkpoint had seen); otherwise starts with an empty log.
 */
function resumeOrStart<D>({ args, extras, sgd, fingerprint: print }: PhaseState<D>): LoopPosition {
  const ckpt = loadCheckpoint(args.checkpointDir);
  if (!ckpt || ckpt.fingerprint !== print) {
    if (ckpt) args.log?.(`${args.phase}: checkpoint in ${args.checkpointDir} was written with another configuration; starting over`);
    writeFileSync(args.logFile, '');
    return { epochsDone: 0, step: 0, lastEpoch: {} };
  }
  tf.tidy(() => {
    args.model.setWeights(ckpt.groups.weights.map((w) => tf.tensor(w.data, w.shape)));
    extras.forEach((v, i) => v.assign(tf.tensor(ckpt.groups.extras[i].data, ckpt.groups.extras[i].shape)));
  });
  sgd.setState(ckpt.groups.velocities.map((v) => v.data));
  if (existsSync(args.logFile) && statSync(args.logFile).size > ckpt.logBytes) truncateSync(args.logFile, ckpt.logBytes);
  args.log?.(`${args.phase}: resumed from the checkpoint after epoch ${ckpt.epochsDone} (step ${ckpt.step})`);
  return { epochsDone: ckpt.epochsDone, step: ckpt.step, lastEpoch: (ckpt.extra?.lastEpoch as Record<string, number>) ?? {} };
}

/**
 * One epoch: the seeded shuffle of epoch `epoch`, then every mini-batch in that order, with a log line every `logEvery`
 * steps and at the epoch's end. Advances `position.step`.
 * @returns the epoch's mean loss terms and the number of centre images it trained on.
 */
async function trainEpoch<D>(state: PhaseState<D>, epoch: number, position: LoopPosition): Promise<{ means: Record<string, number>; images: number }> {
  const { args, stepsPerEpoch } = state;
  const { numSamples, batchSize } = args;
  const logEvery = args.logEvery ?? 10;
  args.onEpochStart?.(epoch);
  const order = new Rng(args.seed, `${args.phase}/order/${epoch}`).shuffle(Int32Array.from({ length: numSamples }, (_, i) => i));
  const epochSums: Record<string, number> = {};
  const window = new StepLogWindow();
  let images = 0;
  for (let b = 0; b < stepsPerEpoch; b++, position.step++) {
    const ids = order.subarray(b * batchSize, Math.min(numSamples, (b + 1) * batchSize));
    const lr = learningRateAt(position.step, state.schedule);
    const { terms, gradNorm } = trainStep(state, ids, lr, epoch, position.step);
    images += ids.length;
    window.add(terms, ids.length);
    for (const [k, v] of Object.entries(terms)) epochSums[k] = (epochSums[k] ?? 0) + v;
    args.progress?.tick(ids.length);
    if (window.steps === logEvery || b === stepsPerEpoch - 1) {
      window.flush(args.logFile, { phase: args.phase, epoch: epoch + 1, step: position.step + 1, lr }, gradNorm);
    }
    // Yield to the event loop now and then (progress output, signals).
    if (b % 50 === 49) await new Promise((r) => setImmediate(r));
  }
  return { means: Object.fromEntries(Object.entries(epochSums).map(([k, v]) => [k, v / stepsPerEpoch])), images };
}

/**
 * One optimisation step on the samples `ids`: batch, loss and gradients, the finiteness check (before the update, so
 * weights never become NaN), the SGD update, and the batch's tensors freed.
 * @returns the step's loss terms (with `total`) and the global gradient norm.
 * @throws AlsgError E_NUMERIC on a non-finite loss term or gradient, naming the step and the batch's samples.
 */
function trainStep<D>(state: PhaseState<D>, ids: Int32Array, lr: number, epoch: number, step: number): { terms: Record<string, number>; gradNorm: number } {
  const { args, variables } = state;
  const batch = args.prepareBatch(ids);
  let kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = args.loss(args.model.logits(batch.x, true), batch);
    kept = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, tf.keep(t)]));
    return out.total;
  }, variables);
  // A variable the loss does not reach in this batch gets no entry from variableGrads: its gradient is 0.
  const gradList = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
  const gradNorm = Math.sqrt(sumOfSquares(gradList));
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
  state.sgd.step(gradList, lr);
  tf.dispose(gradList);
  batch.tensors.forEach((t) => t.dispose());
  return { terms, gradNorm };
}

/** The steps since the last log line: their summed loss terms and images, written as one JSONL line of means. */
class StepLogWindow {
  private sums: Record<string, number> = {};
  steps = 0;
  private images = 0;
  private start = performance.now();

  add(terms: Record<string, number>, images: number): void {
    this.images += images;
    this.steps++;
    for (const [k, v] of Object.entries(terms)) this.sums[k] = (this.sums[k] ?? 0) + v;
  }

  /** Appends `{...head, <mean terms>, gradNorm, imagesPerSecond}` to `logFile` and starts a new window. */
  flush(logFile: string, head: { phase: string; epoch: number; step: number; lr: number }, gradNorm: number): void {
    const now = performance.now();
    const entry: Record<string, unknown> = { ...head };
    for (const [k, v] of Object.entries(this.sums)) entry[k] = v / this.steps;
    entry.gradNorm = gradNorm;
    entry.imagesPerSecond = Math.round((this.images / Math.max(1e-9, now - this.start)) * 1000 * 10) / 10;
    appendFileSync(logFile, JSON.stringify(entry) + '\n');
    this.sums = {};
    this.steps = 0;
    this.images = 0;
    this.start = now;
  }
}

/**
 * After an epoch: its summary line in the log (the per-epoch record of docs/training.md: loss means, then `measured`:
 * trainLoss, the hook's accuracies, seconds) and the progress message, then the checkpoint (weights, extra variables,
 * velocities, log size), then the simulated kill when the test hook asks for one.
 */
function endEpoch<D>({ args, extras, variables, sgd, fingerprint: print }: PhaseState<D>, position: LoopPosition, measured: Record<string, unknown>): void {
  const { epochsDone: epoch, step, lastEpoch } = position;
  appendFileSync(args.logFile, JSON.stringify({ phase: args.phase, epoch, epochs: args.epochs, step, epochEnd: true, ...lastEpoch, ...measured }) + '\n');
  const losses = Object.entries(lastEpoch).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
  const val = typeof measured.valAccuracy === 'number' ? ` val ${measured.valAccuracy.toFixed(1)}%` : '';
  args.log?.(`${args.phase}: epoch ${epoch}/${args.epochs} ${losses}${val} (${String(measured.seconds)}s)`);
  const weights = args.model.getWeights();
  saveCheckpoint(args.checkpointDir, {
    fingerprint: print,
    epochsDone: epoch,
    step,
    logBytes: statSync(args.logFile).size,
    extra: { lastEpoch },
    groups: {
      weights: weights.map((w) => ({ data: Float32Array.from(w.dataSync() as Float32Array), shape: w.shape })),
      extras: extras.map((v) => ({ data: Float32Array.from(v.dataSync() as Float32Array), shape: v.shape })),
      velocities: sgd.getState().map((data, i) => ({ data, shape: variables[i].shape })),
    },
  });
  if (args.failAfterEpoch === epoch) {
    sgd.dispose();
    throw new SimulatedKill(`${args.phase}: simulated kill after epoch ${epoch}`);
  }
}
