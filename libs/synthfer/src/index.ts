/**
 * @ldl-alsg/synthfer: a FACS-grounded synthetic facial expression benchmark (docs/synthfer.md).
 */
export { generateSynthfer, type SynthferHooks, type SynthferReport, type SplitStats } from './generate';
export { generateSynthferFeatures, type SynthferFeatureOptions, type SynthferFeatures } from './features';
export {
  SYNTHFER_PROFILES,
  SYNTHFER_OPTIONS_SCHEMA,
  type SynthferOptions,
  type SynthferProfile,
  type ResolvedOptions,
} from './options';
export { DOMAINS, SYNTHFER_DATASETS, type SynthferDataset, type DomainSpec } from './domains';
export { CLASS_AFFINITY } from './prototypes';
export { LOW_CONFIDENCE } from './observation';
export { sampleFace, type FaceSample } from './face-sample';
export { renderFace } from './render';
export { computeSynthferCeilings, type Ceilings } from './ceilings';
export type { SoftmaxFitParams } from './softmax-regression';
