/**
 * Runs one method (baseline, LDL-ALSG, NAL, IPA2LT, AIR) as a sequence of resumable training phases over a
 * {@link TrainableModel}. Each phase checkpoints into `<scratchDir>/<phase>/` (./phase-runner); on a re-run every finished
 * phase restores its final weights from its checkpoint instead of training again, and an interrupted one continues from
 * its last epoch. The methods' own phases live with their losses: `nal.ts` ({@link trainNal}), `ipa2lt.ts`
 * ({@link trainIpa2lt}); the baseline, LDL-ALSG and AIR are one phase each.
 */
import type * as tf from '@tensorflow/tfjs';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import type { LossReduction } from '@ldl-alsg/ldl';
import { createLdlAlsgMethod, type InputSource, type NeighbourMode, type NeighbourSpace, type SampleSet } from './ldl-alsg-method';
import { trainNal } from './nal';
import { trainIpa2lt } from './ipa2lt';
import { checkAirOptions, createAirObjective, type AirOptions, type AuxiliarySet } from './air';
import { createPhaseRunner, type PhaseRunner, type PhaseRunnerArgs } from './phase-runner';
import { ipa2ltCoderSets, plannedImages } from './phase-plan';
import type { OptimiserArgs, TrainLoopResult } from './train-loop';
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
  /** Called after every epoch of every phase (validation records; `createEpochEvaluator`). */
  onEpochEnd?: PhaseRunnerArgs['onEpochEnd'];
  /**
   * Initial weights (e.g. a baseline trained by another train instance, the paper's "pre-trained on the training set").
   * Every method starts from them; NAL and IPA2LT then skip their own baseline pre-training phase.
   */
  initWeights?: tf.Tensor[];
}

export interface MethodRunResult {
  /** The network to save (the base / latent-truth network). */
  model: TrainableModel;
  /** Every phase's loop result, by phase name, in the order they ran. */
  phases: Record<string, TrainLoopResult>;
  /** Neighbour forward counters (LDL-ALSG). */
  neighbourStats?: { slots: number; forwarded: number };
  /** Learned transition matrices (NAL: 'channel'; IPA2LT: per annotator), row-stochastic [C][C]. */
  transitions?: Record<string, number[][]>;
  /** IPA2LT annotator names in LTNet order. */
  annotators?: string[];
}

/** Trains `config.method`; returns the network to save plus per-phase results. */
export async function runMethod(args: MethodRunArgs): Promise<MethodRunResult> {
  const { config, inputs, samples, numClasses } = args;
  const fromInitWeights = args.initWeights !== undefined;
  const coderRows = ipa2ltCoderSets(args.annotations, args.datasetSets).map((set) => set.label.filter((y) => y >= 0).length);
  const planned = plannedImages({
    method: config.method, epochs: config.epochs, samples: samples.row.length, rows: args.annotations[0]?.label.length ?? 0, coderRows,
    nalPretrainEpochs: config.nalPretrainEpochs, ipa2lt: config.ipa2lt, fromInitWeights,
  });
  const runner = createPhaseRunner({ ...args, plannedImages: planned });
  const createModel = (): TrainableModel => {
    const model = args.createModel();
    if (args.initWeights) model.setWeights(args.initWeights);
    return model;
  };
  switch (config.method) {
    case 'baseline':
    case 'ldl-alsg':
      return trainOnePhaseWithGuidance(args, runner, createModel());
    case 'air':
      return trainAir(args, runner, createModel);
    case 'nal': {
      const model = createModel();
      const transitions = await trainNal({
        runner, model, inputs, samples, numClasses, reduction: config.reduction,
        epochs: config.epochs, warmupEpochs: config.warmupEpochs, pretrainEpochs: config.nalPretrainEpochs, fromInitWeights,
      });
      return { model, phases: runner.results, transitions };
    }
    case 'ipa2lt': {
      const { model, annotators, transitions } = await trainIpa2lt({
        runner, createModel, inputs, samples, numClasses, reduction: config.reduction,
        epochs: config.epochs, options: config.ipa2lt ?? {}, annotations: args.annotations, datasetSets: args.datasetSets,
        scratchDir: args.scratchDir, fromInitWeights,
      });
      return { model, phases: runner.results, annotators, transitions };
    }
    default:
      throw new AlsgError('E_CONFIG', `train: method must be one of ${METHODS.join(', ')}, but got ${JSON.stringify(config.method as string)}`, { path: 'params.method' });
  }
}

/**
 * The baseline (cross-entropy, `batchSize` centres per batch) or LDL-ALSG (Eq. 5 over the wired spaces, `groupsPerBatch`
 * groups per batch) as the single phase 'main'.
 */
async function trainOnePhaseWithGuidance(args: MethodRunArgs, runner: PhaseRunner, model: TrainableModel): Promise<MethodRunResult> {
  const { config, inputs, samples } = args;
  const isLdlAlsg = config.method === 'ldl-alsg';
  const spaces = isLdlAlsg ? args.spaces : [];
  if (isLdlAlsg && spaces.length === 0) {
    throw new AlsgError('E_CONFIG', 'train: method ldl-alsg needs at least one graph (input `graphs`) with lambda > 0 or wired');
  }
  const objective = createLdlAlsgMethod({ model, inputs, samples, spaces, reduction: config.reduction, neighbourMode: config.neighbourMode });
  await runner.run('main', model, objective, samples, { batchSize: isLdlAlsg ? config.groupsPerBatch : config.batchSize });
  objective.dispose();
  return { model, phases: runner.results, neighbourStats: isLdlAlsg ? { ...objective.stats } : undefined };
}

/** AIR as the single phase 'air': cross-entropy plus the auxiliary image regulariser (air.ts). */
async function trainAir(args: MethodRunArgs, runner: PhaseRunner, createModel: () => TrainableModel): Promise<MethodRunResult> {
  const { config } = args;
  if (!config.air) throw new AlsgError('E_CONFIG', 'train: method air needs its options (config.air)');
  checkAirOptions(config.air);
  if (!args.auxiliary || args.auxiliary.inputs.numRows === 0) {
    throw new AlsgError('E_CONFIG', 'train: method air needs auxiliary images: wire input `auxiliary` to an ingest instance whose rows (split air.auxiliarySplit) have clean labels');
  }
  const model = createModel();
  const objective = createAirObjective({
    model, inputs: args.inputs, samples: args.samples, auxiliary: args.auxiliary, options: config.air, seed: config.seed, reduction: config.reduction, phase: 'air',
  });
  await runner.run('air', model, objective, args.samples);
  objective.dispose();
  return { model, phases: runner.results };
}
