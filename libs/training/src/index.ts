/**
 * @ldl-alsg/training: the training loop, its objectives (cross-entropy, LDL-ALSG's Eq. 5, NAL, IPA2LT's LTNet, AIR) and
 * the methods built on them (docs/training.md). These named exports are the public API; everything else is internal.
 */
export { fromBackbone, type TrainableModel, type BackboneLike } from './trainable-model';
export {
  runTrainLoop,
  type PreparedBatch,
  type LossOutput,
  type TrainingObjective,
  type EpochEnd,
  type OptimiserArgs,
  type TrainLoopArgs,
  type TrainLoopResult,
  SimulatedKill,
} from './train-loop';
export { crossEntropyObjective, type LabelledBatch } from './cross-entropy-objective';
export { MomentumSgd, type SgdArgs } from './sgd';
export type { PhaseRunnerArgs, PhaseOptions, PhaseRunner } from './phase-runner';
export {
  createLdlAlsgMethod,
  type InputSource,
  type NeighbourSpace,
  type SampleSet,
  type NeighbourMode,
  type LdlAlsgMethodArgs,
  type NeighbourStats,
  type GuidanceTask,
  type LdlAlsgBatch,
} from './ldl-alsg-method';
export { nalObjective, trainNal, type NalTrainArgs } from './nal';
export { ltnetObjective, trainIpa2lt, type AnnotationBatch, type Ipa2ltTrainArgs } from './ipa2lt';
export {
  toNeighbourSpace,
  readAuxiliaryRows,
  type AnnotationSet,
  type LoadedGraph,
  type AuxiliaryRows,
} from './training-data';
export {
  runMethod,
  type MethodName,
  METHODS,
  type MethodConfig,
  type MethodRunArgs,
  type MethodRunResult,
} from './run-method';
export { trainFromArtifacts, type TrainParams, type TrainFromArtifactsArgs } from './train-from-artifacts';
export {
  airRegulariser,
  selectAuxiliary,
  createAirObjective,
  type AirOptions,
  type AuxiliarySet,
  type AirObjectiveArgs,
  type AirBatch,
} from './air';
