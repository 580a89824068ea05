/** The generic stage CLI (`alsg <stage>`): internal to tools/cli, exported for its dispatcher and tests. */
export { runStageCli, parseStageArgs, issueMessage, type StageCliArgs } from './run-stage-cli';
export { deriveFlags, flagName, type FlagSpec } from './flags';
export { helpText, usageLines } from './help';
