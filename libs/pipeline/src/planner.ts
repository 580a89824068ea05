/**
 * `@ldl-alsg/pipeline/planner`: the engine without execution, for tools that only plan (the Nx plugin). Pipeline files
 * are read, expanded and keyed exactly as `alsg` does, without loading ajv's validators or the scheduler, which the
 * package's main entry also pulls in (~200 ms more per Nx graph computation).
 */
export { expandPipeline, type ExpandedInstance } from './definition/expand-pipeline';
export { DEFAULT_PROFILE, type PipelineSpec } from './definition/pipeline-spec';
export { createStageRegistry, type StageRegistry } from './definition/stage-registry';
export { resolveWorkspaceLayout, type WorkspaceLayout } from './definition/workspace';
export { keyInstances, type PlannedInstance } from './planning/plan';
export { sourceFingerprinter, type SourceFingerprint } from './planning/source-fingerprint';
export { MAX_PIPELINE_BYTES } from './definition/yaml-source';
