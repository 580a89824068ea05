/**
 * Runs one method (baseline, LDL-ALSG, NAL, IPA2LT, AIR) as a sequence of resumable training phases over a
 * {@link TrainableModel}. Each phase checkpoints into `<scratchDir>/<phase>/`; on a re-run every finished phase restores its
 * final weights from its checkpoint instead of training again, and an interrupted one continues from its last epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { writeFileAtomic } from '@ldl-alsg/artifacts';
import { tfTotalLoss, type LossReduction } from '@ldl-alsg/ldl';
import { createLdlAlsgMethod, type InputSource, type NeighbourMode, type NeighbourSpace, type SampleSet } from './ldl-alsg-method';
import { channelInit, nalLoss, predictionConfusion } from './nal';
import { identityTransition, ltnetLoss } from './ipa2lt';
import { checkAirOptions, createAirPlug, type AirOptions, type AuxiliarySet } from './air';
import { runTrainLoop, type OptimiserArgs, type PreparedBatch, type TrainLoopResult } from './train-loop';
import type { AnnotationSet } from './training-data';
import type { TrainableModel } from './trainable-model';

export type MethodName = 'baseline' | 'ldl-alsg' | 'nal' | 'ipa2lt' | 'air';
export const METHODS: readonly MethodName[] = ['baseline', 'ldl-alsg', 'nal', 'ipa2lt', 'air'];

/** Everything a method run needs. Defaults are the paper's (Sec. 4.1) unless stated. */
export interface MethodConfig extends OptimiserArgs {
  method: MethodName;
  /** Centres per batch for LDL-ALSG (paper 32 groups). */
  groupsPerBatch: number;
  /** Images per batch for the baseline, NAL and IPA2LT (paper 32). */
  batchSize: number;
  seed: number;
  /** Batch reduction of the losses (default 'mean'). */
  reduction: LossReduction;
  /** LDL-ALSG neighbours: 'exact' (default) or the opt-in 'epoch-cache' approximation. */
  neighbourMode: NeighbourMode;
  /** NAL: epochs of baseline pre-training before the channel is added (default ceil(epochs / 2)); the rest train with it. */
  nalPretrainEpochs?: number;
  /** IPA2LT: baseline pre-training epochs (default epochs), coder fine-tuning epochs (default 1), LTNet epochs (default ceil(epochs / 2)). */
  ipa2lt?: { pretrainEpochs?: number; coderEpochs?: number; ltnetEpochs?: number };
  /** AIR: regulariser weight and auxiliary-set options (air.ts). */
  air?: AirOptions;
  /** Log every this many steps (default 10). */
  logEvery?: number;
}

export interface MethodRunArgs {
  config: MethodConfig;
  /** Builds a fresh network (IPA2LT coders need copies). */
  createModel(): TrainableModel;
  inputs: InputSource;
  numClasses: number;
  /** Label columns per training row (one for plain labels, three for abc). */
  annotations: AnnotationSet[];
  /** Samples for single-label phases (the mixture of all label columns). */
  samples: SampleSet;
  /** Wired auxiliary spaces (LDL-ALSG only). */
  spaces: NeighbourSpace[];
  /** Per-dataset annotation sets for IPA2LT when there is a single label column (row's dataset labels it). */
  datasetSets?: AnnotationSet[];
  /** AIR's auxiliary images (required by method air). */
  auxiliary?: AuxiliarySet;
  scratchDir: string;
  logFile: string;
  log?(message: string): void;
  progress?: Progress;
  describeRows?(rows: Int32Array): string[];
  /** Test hook: simulated kill after this epoch of the named phase. */
  failAfter?: { phase: string; epoch: number };
  /**
   * Initial weights (e.g. a baseline trained by another train instance, the paper's "pre-trained on the training set").
   * Every method starts from them; NAL and IPA2LT then skip their own baseline pre-training phase.
   */
  initWeights?: tf.Tensor[];
}

export interface MethodRunResult {
  /** The network to save (the base / latent-truth network). */
  model: TrainableModel;
  phases: Record<string, Omit<TrainLoopResult, 'lastEpoch'> & { lastEpoch: Record<string, number> }>;
  /** Neighbour forward counters (LDL-ALSG). */
  neighbourStats?: { slots: number; forwarded: number };
  /** Learned transition matrices (NAL: 'channel'; IPA2LT: per annotator), row-stochastic [C][C]. */
  transitions?: Record<string, number[][]>;
  /** IPA2LT annotator names in LTNet order. */
  annotators?: string[];
}

function ceLossPlug(samples: SampleSet, inputs: InputSource, reduction: LossReduction) {
  return {
    prepareBatch(ids: Int32Array): PreparedBatch {
      const x = inputs.gather(Int32Array.from(ids, (s) => samples.row[s]));
      const y = tf.tensor1d(Int32Array.from(ids, (s) => samples.label[s]), 'int32');
      return { x, tensors: [x, y], data: { y } };
    },
    loss(logits: tf.Tensor2D, batch: PreparedBatch) {
      const t = tfTotalLoss(logits, batch.data.y as tf.Tensor1D, [], reduction);
      return { total: t.total, terms: { ce: t.ce } };
    },
  };
}

/** A trainable variable holding `data` (the temporary initial tensor is disposed: tf.variable copies it). */
function variableFrom(data: Float32Array, shape: [number, number]): tf.Variable<tf.Rank.R2> {
  const init = tf.tensor2d(data, shape);
  const v = tf.variable(init) as tf.Variable<tf.Rank.R2>;
  init.dispose();
  return v;
}

function toMatrix(W: tf.Tensor2D): number[][] {
  return tf.tidy(() => tf.softmax(W).arraySync() as number[][]);
}

/** Trains `config.method`; returns the network to save plus per-phase results. */
export async function runMethod(args: MethodRunArgs): Promise<MethodRunResult> {
  const { config, inputs, samples } = args;
  const createModel = (): TrainableModel => {
    const model = args.createModel();
    if (args.initWeights) model.setWeights(args.initWeights);
    return model;
  };
  const phases: MethodRunResult['phases'] = {};
  const loop = async (
    phase: string,
    model: TrainableModel,
    plug: { prepareBatch(ids: Int32Array): PreparedBatch; loss: Parameters<typeof runTrainLoop>[0]['loss']; onEpochStart?(e: number): void },
    numSamples: number,
    overrides: Partial<OptimiserArgs & { batchSize: number }> = {},
    extraVariables: tf.Variable[] = [],
    describe?: (ids: Int32Array) => string[],
  ) => {
    const result = await runTrainLoop({
      phase, model, extraVariables, numSamples,
      batchSize: overrides.batchSize ?? config.batchSize,
      seed: config.seed,
      epochs: overrides.epochs ?? config.epochs,
      lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay,
      warmupEpochs: overrides.warmupEpochs ?? config.warmupEpochs,
      prepareBatch: plug.prepareBatch, loss: plug.loss, onEpochStart: plug.onEpochStart,
      describeSamples: describe,
      checkpointDir: join(args.scratchDir, phase),
      logFile: args.logFile.replace(/\.jsonl$/, `.${phase}.jsonl`),
      logEvery: config.logEvery,
      failAfterEpoch: args.failAfter?.phase === phase ? args.failAfter.epoch : undefined,
      log: args.log, progress: args.progress,
    });
    phases[phase] = result;
    return result;
  };
  const describeSamples = (s: SampleSet) => (ids: Int32Array) =>
    args.describeRows ? args.describeRows(Int32Array.from(ids, (i) => s.row[i])) : Array.from(ids, (i) => `row${s.row[i]}`);

  if (config.method === 'baseline' || config.method === 'ldl-alsg') {
    const model = createModel();
    const spaces = config.method === 'ldl-alsg' ? args.spaces : [];
    if (config.method === 'ldl-alsg' && spaces.length === 0) {
      throw new AlsgError('E_CONFIG', 'train: method ldl-alsg needs at least one graph (input `graphs`) with lambda > 0 or wired');
    }
    const m = createLdlAlsgMethod({ model, inputs, samples, spaces, reduction: config.reduction, neighbourMode: config.neighbourMode });
    const batchSize = config.method === 'ldl-alsg' ? config.groupsPerBatch : config.batchSize;
    await loop('main', model, m, samples.row.length, { batchSize }, [], describeSamples(samples));
    m.dispose();
    return { model, phases, neighbourStats: config.method === 'ldl-alsg' ? { ...m.stats } : undefined };
  }

  if (config.method === 'air') {
    if (!config.air) throw new AlsgError('E_CONFIG', 'train: method air needs its options (config.air)');
    checkAirOptions(config.air);
    if (!args.auxiliary || args.auxiliary.inputs.numRows === 0) {
      throw new AlsgError('E_CONFIG', 'train: method air needs auxiliary images: wire input `auxiliary` to an ingest instance whose rows (split air.auxiliarySplit) have clean labels');
    }
    const model = createModel();
    const plug = createAirPlug({ model, inputs, samples, auxiliary: args.auxiliary, options: config.air, seed: config.seed, reduction: config.reduction, phase: 'air' });
    await loop('air', model, plug, samples.row.length, {}, [], describeSamples(samples));
    plug.dispose();
    return { model, phases };
  }

  if (config.method === 'nal') {
    const model = createModel();
    const pre = config.nalPretrainEpochs ?? Math.ceil(config.epochs / 2);
    if (!(pre >= 0 && pre < config.epochs)) throw new AlsgError('E_CONFIG', `train: nal pretrainEpochs must be in 0..${config.epochs - 1}, but got ${pre}`);
    if (pre > 0 && !args.initWeights) await loop('pretrain', model, ceLossPlug(samples, inputs, config.reduction), samples.row.length, { epochs: pre }, [], describeSamples(samples));
    const conf = predictionConfusion(model, inputs, samples, args.numClasses);
    const channel = variableFrom(channelInit(conf, args.numClasses), [args.numClasses, args.numClasses]);
    const base = ceLossPlug(samples, inputs, config.reduction);
    const plug = {
      prepareBatch: base.prepareBatch,
      loss: (logits: tf.Tensor2D, batch: PreparedBatch) => {
        const total = nalLoss(logits, channel, batch.data.y as tf.Tensor1D, config.reduction);
        return { total, terms: { nll_noisy: total } };
      },
    };
    // The channel phase continues the pre-trained network: no second warm-up.
    // From given initial weights the channel phase is the whole run (like the other methods fine-tuning them).
    const nalEpochs = args.initWeights ? config.epochs : config.epochs - pre;
    const nalWarmup = args.initWeights || pre === 0 ? config.warmupEpochs : 0;
    await loop('nal', model, plug, samples.row.length, { epochs: nalEpochs, warmupEpochs: nalWarmup }, [channel], describeSamples(samples));
    const transitions = { channel: toMatrix(channel) };
    channel.dispose();
    return { model, phases, transitions };
  }

  // IPA2LT.
  const opts = config.ipa2lt ?? {};
  const preEpochs = opts.pretrainEpochs ?? config.epochs;
  const coderEpochs = opts.coderEpochs ?? 1;
  const ltEpochs = opts.ltnetEpochs ?? Math.ceil(config.epochs / 2);
  const sets = args.annotations.length > 1 ? args.annotations : (args.datasetSets ?? args.annotations);
  const nRows = args.annotations[0].label.length;
  const base = createModel();
  if (preEpochs > 0 && !args.initWeights) await loop('pretrain', base, ceLossPlug(samples, inputs, config.reduction), samples.row.length, { epochs: preEpochs }, [], describeSamples(samples));
  const pretrained = base.getWeights().map((w) => tf.clone(w));
  const coderLabels: AnnotationSet[] = [];
  for (const set of sets) {
    const file = join(args.scratchDir, `coder-${set.name}.labels.bin`);
    let labels: Int32Array;
    if (existsSync(file)) {
      const buf = readFileSync(file);
      labels = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    } else {
      const coder = createModel();
      coder.setWeights(pretrained);
      const rows = Array.from(set.label.keys()).filter((t) => set.label[t] >= 0);
      const coderSamples = { row: Int32Array.from(rows), label: Int32Array.from(rows, (t) => set.label[t]) };
      await loop(`coder-${set.name}`, coder, ceLossPlug(coderSamples, inputs, config.reduction), rows.length, { epochs: coderEpochs, warmupEpochs: 0 }, [], describeSamples(coderSamples));
      // Auto-annotation: the coder labels every training image.
      labels = new Int32Array(nRows);
      for (let s = 0; s < nRows; s += 512) {
        const rowsChunk = Int32Array.from({ length: Math.min(512, nRows - s) }, (_, i) => s + i);
        const pred = tf.tidy(() => tf.argMax(coder.logits(inputs.gather(rowsChunk), false), 1).dataSync());
        labels.set(pred, s);
      }
      writeFileAtomic(file, new Uint8Array(labels.buffer));
      coder.layersModel?.dispose();
    }
    coderLabels.push({ name: `coder-${set.name}`, label: labels });
  }
  const annotators = [...sets, ...coderLabels];
  const A = annotators.length;
  const table = new Int32Array(nRows * A);
  for (let t = 0; t < nRows; t++) for (let a = 0; a < A; a++) table[t * A + a] = annotators[a].label[t];
  // Unnamed variables: tfjs names must be unique per process, and a killed-and-resumed run creates them again.
  const transitions = annotators.map(() => variableFrom(identityTransition(args.numClasses), [args.numClasses, args.numClasses]));
  base.setWeights(pretrained);
  tf.dispose(pretrained);
  const rowSamples: SampleSet = { row: Int32Array.from({ length: nRows }, (_, i) => i), label: new Int32Array(nRows) };
  const plug = {
    prepareBatch(ids: Int32Array): PreparedBatch {
      const x = inputs.gather(ids);
      const ann = tf.tensor2d(Int32Array.from({ length: ids.length * A }, (_, k) => table[ids[Math.floor(k / A)] * A + (k % A)]), [ids.length, A], 'int32');
      return { x, tensors: [x, ann], data: { ann } };
    },
    loss(logits: tf.Tensor2D, batch: PreparedBatch) {
      const total = ltnetLoss(logits, transitions, batch.data.ann as tf.Tensor2D);
      return { total, terms: { nll_annotations: total } };
    },
  };
  await loop('ltnet', base, plug, nRows, { epochs: ltEpochs, warmupEpochs: 0 }, transitions, describeSamples(rowSamples));
  const result: MethodRunResult = {
    model: base,
    phases,
    annotators: annotators.map((a) => a.name),
    transitions: Object.fromEntries(annotators.map((a, i) => [a.name, toMatrix(transitions[i])])),
  };
  tf.dispose(transitions);
  return result;
}
