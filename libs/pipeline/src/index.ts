/**
 * @ldl-alsg/pipeline: the engine (definition, planning, store, execution; README "Architecture"). These named exports
 * are the public API; tools that only plan can import `@ldl-alsg/pipeline/planner` instead.
 */
export type { StageInputSpec, StageContext, StageDefinition } from './stage';
export { formatValue, suggest, type ConfigIssue, PipelineConfigError } from './definition/config-issue';
export { readYamlSource, type YamlSource } from './definition/yaml-source';
export { expandEnvVars, type EnvExpansion } from './definition/env-vars';
export { checkSourcePaths } from './definition/source-paths';
export { resolveWorkspaceLayout, type WorkspaceLayout, type WorkspaceLayoutOptions } from './definition/workspace';
export {
  type AxisValue,
  type InstanceSpec,
  type SlurmResources,
  type ProfileOverride,
  type PipelineSpec,
  DEFAULT_PROFILE,
} from './definition/pipeline-spec';
export { buildPipelineSchema } from './definition/pipeline-schema';
export { createStageRegistry, type StageMeta, type StageEntry, type StageRegistry } from './definition/stage-registry';
export { expandPipeline, type ExpandedInstance, type Expansion } from './definition/expand-pipeline';
export {
  pipelineNameOf,
  validatePipelineText,
  validatePipelineFile,
  loadPipeline,
  requireProfile,
  type LoadedPipeline,
  type ValidationResult,
  type ValidateOptions,
} from './definition/validate-pipeline';
export { applyParamsSchema, paramsWithDefaults, type AppliedParams } from './definition/apply-params';
export type { CodeVersion } from './planning/code-version';
export {
  canonicalJson,
  planPipeline,
  schemaDefaults,
  selectWithUpstream,
  planStatus,
  type PlannedInstance,
  type Plan,
  type InstanceStatus,
  type StatusEntry,
  type PlanSources,
} from './planning/plan';
export { sourceFingerprinter, type SourceFingerprint } from './planning/source-fingerprint';
export { isComplete, writeAddressRecord, readAddressRecord, liveKeyLock, describeLockHolder, type StoreLocation } from './store/artifact-store';
export { verifyInstance, rebuildHint, type IntegrityMode, type InstanceIntegrity } from './store/output-integrity';
export {
  flattenParams,
  readAddressRecords,
  readExperiments,
  readExperiment,
  findStoredKey,
  type ExperimentStatus,
  type ExperimentRow,
  type ReadExperimentsOptions,
} from './store/experiments';
export { runPlan, type FailurePolicy, type RunOptions, type RunSummary, StageFailedError } from './execution/run-plan';
export { resourcesFor, defaultResources, sbatchResourceArgs, type ResourceOverrides } from './execution/slurm/resources';
export { submitPlan, type SubmitOptions, type SubmitResult, type Submitted } from './execution/slurm/submit-plan';
export { buildJobScript, buildSbatchArgs, shellQuote, submitInstance, type JobContext } from './execution/slurm/submit';
export { followJobs, type FollowOptions } from './execution/slurm/follow-jobs';
export { classifyJob, type InstanceJobState, type JobPhase } from './execution/slurm/instance-state';
export { cancelSlurmJobs, querySlurmJobs, parseSqueue, FINISHED_STATES, type SlurmJobState } from './execution/slurm/job-state';
export { readSubmission, readOutcome, slurmDirOf, jobLogFile, type SubmissionRecord, type OutcomeRecord } from './execution/slurm/job-record';
export { runSubmittedInstance, type RunSubmittedOptions } from './execution/slurm/run-instance';
