/**
 * The named training phases of one method run ('main', 'pretrain', 'coder-<set>', 'nal', 'ltnet', 'air'). A phase is one
 * {@link runTrainLoop} call with the run's optimiser settings (epochs, warm-up and batch size may be overridden per
 * phase), its checkpoints in `<scratchDir>/<phase>/` and its own log `<log stem>.<phase>.jsonl`. Because every phase
 * checkpoints under its own name, a re-run restores finished phases and continues an interrupted one.
 */
import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { Progress } from '@ldl-alsg/common';
import type { SampleSet } from './ldl-alsg-method';
import { instanceProgress } from './phase-plan';
import { runTrainLoop, type EpochEnd, type OptimiserArgs, type TrainingObjective, type TrainLoopResult } from './train-loop';
import type { TrainableModel } from './trainable-model';

export interface PhaseRunnerArgs {
  /** Settings every phase starts from. */
  config: OptimiserArgs & { batchSize: number; seed: number; logEvery?: number };
  /** Parent of the phases' checkpoint folders. */
  scratchDir: string;
  /** The run's log file `<stem>.jsonl`; phase p logs to `<stem>.<p>.jsonl`. */
  logFile: string;
  /** Test hook: simulated kill after this epoch of the named phase. */
  failAfter?: { phase: string; epoch: number };
  log?(message: string): void;
  progress?: Progress;
  /** Names of input rows for error messages (e.g. manifest ids). */
  describeRows?(rows: Int32Array): string[];
  /** Centre images the whole run trains on (phase-plan.ts): the progress bar's total and ETA then cover every phase. */
  plannedImages?: number;
  /** Every phase's epoch-end hook (validation; TrainLoopArgs.onEpochEnd). */
  onEpochEnd?(end: EpochEnd): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
}

/** What a phase changes from the run's settings. */
export interface PhaseOptions {
  epochs?: number;
  warmupEpochs?: number;
  batchSize?: number;
  /** Variables trained with the model (NAL's channel, LTNet's transitions): optimised and checkpointed, not decayed. */
  extraVariables?: tf.Variable[];
}

export interface PhaseRunner {
  /** Trains `model` on `objective` over `samples` (one epoch = every sample once) as the phase named `phase`. */
  run<D>(phase: string, model: TrainableModel, objective: TrainingObjective<D>, samples: SampleSet, options?: PhaseOptions): Promise<TrainLoopResult>;
  /**
   * Counts a phase whose result an earlier process already kept (e.g. an IPA2LT coder's stored annotation) as done on
   * the instance's progress bar, without training it, so a resumed run's bar still ends at 100%.
   */
  reused(phase: string, samples: SampleSet, options?: Pick<PhaseOptions, 'epochs'>): void;
  /** Every phase run so far, by name, in order. */
  readonly results: Record<string, TrainLoopResult>;
}

export function createPhaseRunner(args: PhaseRunnerArgs): PhaseRunner {
  const { config } = args;
  const results: Record<string, TrainLoopResult> = {};
  // Images of the phases finished so far (in full, resumed or not): where the next phase starts on the instance's bar.
  let imagesBefore = 0;
  const progress = args.progress && args.plannedImages ? instanceProgress(args.progress, args.plannedImages, () => imagesBefore) : args.progress;
  const describeSamples = (samples: SampleSet) => (ids: Int32Array) =>
    args.describeRows ? args.describeRows(Int32Array.from(ids, (i) => samples.row[i])) : Array.from(ids, (i) => `row${samples.row[i]}`);
  return {
    results,
    async run(phase, model, objective, samples, options = {}) {
      const result = await runTrainLoop({
        phase, model, extraVariables: options.extraVariables ?? [], numSamples: samples.row.length,
        batchSize: options.batchSize ?? config.batchSize,
        seed: config.seed,
        epochs: options.epochs ?? config.epochs,
        lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay,
        warmupEpochs: options.warmupEpochs ?? config.warmupEpochs,
        prepareBatch: objective.prepareBatch, loss: objective.loss, onEpochStart: objective.onEpochStart,
        describeSamples: describeSamples(samples),
        checkpointDir: join(args.scratchDir, phase),
        logFile: args.logFile.replace(/\.jsonl$/, `.${phase}.jsonl`),
        logEvery: config.logEvery,
        failAfterEpoch: args.failAfter?.phase === phase ? args.failAfter.epoch : undefined,
        log: args.log, progress, onEpochEnd: args.onEpochEnd,
      });
      imagesBefore += (options.epochs ?? config.epochs) * samples.row.length;
      results[phase] = result;
      return result;
    },
    reused(phase, samples, options = {}) {
      // The next phase's setTotal moves the bar past it (counted as done, not towards the rate, like restored epochs).
      imagesBefore += (options.epochs ?? config.epochs) * samples.row.length;
      args.log?.(`${phase}: reused from an earlier run`);
    },
  };
}
