/**
 * `@ldl-alsg/pipeline/planner`: the engine without execution, for tools that only plan (the Nx plugin). Pipeline files
 * are read and expanded exactly as `alsg` does, without loading ajv's validators or the scheduler, which the
 * package's main entry also pulls in (~200 ms more per Nx graph computation). Keying (plan.ts, and through it the
 * store and the source fingerprints) is left out: inference needs instance names only, and every module re-exported
 * here is loaded into Nx's process on each graph computation the plugin's cache misses.
 */
export { expandPipeline, type ExpandedInstance } from './definition/expand-pipeline';
export { DEFAULT_PROFILE, type PipelineSpec } from './definition/pipeline-spec';
export { createStageRegistry, type StageRegistry } from './definition/stage-registry';
export { resolveWorkspaceLayout, type WorkspaceLayout } from './definition/workspace';
export { MAX_PIPELINE_BYTES } from './definition/yaml-source';
export { shellQuote } from './execution/shell-quote';
