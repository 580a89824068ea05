/** Shared set-up for commands: workspace layout and stage registry. */
import {
  createStageRegistry,
  resolveWorkspaceLayout,
  sourceFingerprinter,
  type LoadedPipeline,
  type PlanSources,
  type StageRegistry,
} from '@ldl-alsg/pipeline/runner'; // not the main entry: every command pays for what it loads (runner.ts)

/** Registry for the workspace around the current directory (ALSG_WORKSPACE / ALSG_STORE / ALSG_STAGES_DIR apply). */
export function workspaceRegistry(): StageRegistry {
  return createStageRegistry(resolveWorkspaceLayout());
}

/**
 * What `planPipeline` needs from the registry: its store folder and each stage's code version; with the loaded
 * pipeline, also the fingerprints of data its instances read from outside the store (ingest's dataset folder).
 */
export function planSources(registry: StageRegistry, pipeline?: Pick<LoadedPipeline, 'metas'>): PlanSources {
  const sources: PlanSources = { storeDir: registry.layout.storeDir, codeVersionOf: (stage) => registry.codeVersion(stage).version };
  if (!pipeline) return sources;
  return { ...sources, sourcesOf: sourceFingerprinter((stage) => pipeline.metas.get(stage)?.sourceParams, registry.layout.root) };
}
