/** Shared set-up for commands: workspace layout and stage registry. */
import { createStageRegistry, resolveWorkspaceLayout, type StageRegistry } from '@ldl-alsg/pipeline';

/** Registry for the workspace around the current directory (ALSG_WORKSPACE / ALSG_STORE / ALSG_STAGES_DIR apply). */
export function workspaceRegistry(): StageRegistry {
  return createStageRegistry(resolveWorkspaceLayout());
}
