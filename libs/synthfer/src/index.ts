/**
 * @ldl-alsg/synthfer: a FACS-grounded synthetic facial expression benchmark (docs/synthfer.md).
 */
export { generateSynthfer, SYNTHFER_VERSION, type SynthferHooks, type SynthferReport, type SplitStats } from './generate';
export { generateSynthferFeatures, type SynthferFeatureOptions, type SynthferFeatures } from './features';
export { SYNTHFER_PROFILES, SYNTHFER_OPTIONS_SCHEMA, resolveSynthferOptions, type SynthferOptions, type SynthferProfile, type ResolvedOptions } from './options';
export { DOMAINS, SYNTHFER_DATASETS, type SynthferDataset, type DomainSpec } from './domains';
export { CLASS_PROTOTYPES, CLASS_AFFINITY, prototypeMeans } from './prototypes';
export { OPENFACE_COLUMNS, AU_PRESENCE_IDS, LOW_CONFIDENCE, formatOpenFaceCsv } from './observation';
export { ANNOTATION_COLUMNS, faceId, imagePath } from './chunk';
export { sampleFace, type FaceSample } from './face-sample';
export { renderFace } from './render';
export { encodePngGray } from './png';
export { computeSynthferCeilings, oracleAccuracy, fitSoftmax, predictSoftmax, quadraticFeatures, CEILINGS_SCHEMA, DEFAULT_SOFTMAX_FIT, type Ceilings, type SoftmaxFitParams, type SoftmaxModel } from './ceilings';
