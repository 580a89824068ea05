/**
 * `@ldl-alsg/pipeline/runner`: what `alsg run` and `alsg status` need (load, plan, run locally), without the Slurm
 * executor, the experiment tables and the job followers that the package's main entry also loads (execa and its
 * dependencies among them). A fully cached `alsg run` is mostly start-up, and every module loaded through tsx costs
 * (issue 14, docs/pipelines.md "Cached re-runs").
 */
export { PipelineConfigError } from './definition/config-issue';
export { checkSourcePaths } from './definition/source-paths';
export { resolveWorkspaceLayout, type WorkspaceLayout } from './definition/workspace';
export { DEFAULT_PROFILE, type PipelineSpec } from './definition/pipeline-spec';
export { createStageRegistry, type StageMeta, type StageRegistry } from './definition/stage-registry';
export { loadPipeline, requireProfile, type LoadedPipeline } from './definition/validate-pipeline';
export { planPipeline, schemaDefaults, selectWithUpstream, planStatus, type PlannedInstance, type Plan, type PlanSources } from './planning/plan';
export { sourceFingerprinter } from './planning/source-fingerprint';
export { isComplete } from './store/artifact-store';
export { runPlan, type FailurePolicy, type RunOptions, type RunSummary } from './execution/run-plan';
