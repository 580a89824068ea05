/** Shared set-up for commands: workspace layout and stage registry. */
import { createStageRegistry, resolveWorkspaceLayout, type PlanSources, type StageRegistry } from '@ldl-alsg/pipeline';

/** Registry for the workspace around the current directory (ALSG_WORKSPACE / ALSG_STORE / ALSG_STAGES_DIR apply). */
export function workspaceRegistry(): StageRegistry {
  return createStageRegistry(resolveWorkspaceLayout());
}

/** What `planPipeline` needs from the registry: its store folder and each stage's code version. */
export function planSources(registry: StageRegistry): PlanSources {
  return { storeDir: registry.layout.storeDir, codeVersionOf: (stage) => registry.codeVersion(stage).version };
}
