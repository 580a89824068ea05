/** Shared set-up for commands: workspace layout and stage registry. */
import {
  createStageRegistry,
  loadPipeline,
  planPipeline,
  requireProfile,
  resolveWorkspaceLayout,
  schemaDefaults,
  sourceFingerprinter,
  DEFAULT_PROFILE,
  type LoadedPipeline,
  type Plan,
  type PlanSources,
  type StageRegistry,
} from '@ldl-alsg/pipeline/runner'; // not the main entry: every command pays for what it loads (runner.ts)

/** Registry for the workspace around the current directory (ALSG_WORKSPACE / ALSG_STORE / ALSG_STAGES_DIR apply). */
export function workspaceRegistry(): StageRegistry {
  return createStageRegistry(resolveWorkspaceLayout());
}

/**
 * What `planPipeline` needs from the registry: its store folder and each stage's code version; with the loaded
 * pipeline, also the fingerprints of data its instances read from outside the store (ingest's dataset folder) and each
 * stage's param defaults (a param written with its default value does not change the key).
 */
export function planSources(registry: StageRegistry, pipeline?: Pick<LoadedPipeline, 'metas'>): PlanSources {
  const sources: PlanSources = { storeDir: registry.layout.storeDir, codeVersionOf: (stage) => registry.codeVersion(stage).version };
  if (!pipeline) return sources;
  const defaults = new Map([...pipeline.metas].map(([stage, meta]) => [stage, schemaDefaults(meta.paramsSchema)]));
  return {
    ...sources,
    sourcesOf: sourceFingerprinter((stage) => pipeline.metas.get(stage)?.sourceParams, registry.layout.root),
    paramDefaultsOf: (stage) => defaults.get(stage),
  };
}

/** What the commands that act on one pipeline and profile start from. */
export interface PlannedPipeline {
  readonly registry: StageRegistry;
  readonly pipeline: LoadedPipeline;
  readonly profile: string;
  readonly plan: Plan;
}

/** Loads `file` in the workspace around the current directory and plans `profile` (default: default), which it must declare. */
export async function loadPlan(file: string, profile: string = DEFAULT_PROFILE): Promise<PlannedPipeline> {
  const registry = workspaceRegistry();
  const pipeline = await loadPipeline(file, registry);
  requireProfile(pipeline, profile);
  return { registry, pipeline, profile, plan: planPipeline(pipeline, planSources(registry, pipeline), profile) };
}
