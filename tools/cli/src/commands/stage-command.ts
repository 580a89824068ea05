/**
 * `alsg <stage> ...`: runs the stage from the registry with the generic stage CLI (../stage-cli), flags generated from
 * its params schema and input slots. `stages/<name>/src/cli.ts`, when present, adds the stage's hooks (export `cli`).
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { AlsgError, type StageCliHooks } from '@ldl-alsg/common';
import { suggest } from '@ldl-alsg/pipeline';
import { runStageCli } from '../stage-cli';
import { workspaceRegistry } from './context';

/**
 * Runs stage `name` with `argv`; unknown names are usage errors with a suggestion among the stages and `commands` (the
 * CLI's own commands, passed by main.ts so the hint knows every one of them).
 */
export async function runStageCommand(name: string, argv: string[], commands: readonly string[] = []): Promise<number> {
  const registry = workspaceRegistry();
  const entry = registry.entry(name);
  if (!entry) {
    const hint = suggest(name, [...registry.names(), ...commands]);
    throw new AlsgError('E_USAGE', `unknown command '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
  const stage = await registry.load(name);
  let hooks: StageCliHooks = {};
  if (existsSync(entry.cliFile)) {
    const mod = (await import(pathToFileURL(entry.cliFile).href)) as { cli?: StageCliHooks };
    if (typeof mod.cli !== 'object' || mod.cli === null) throw new AlsgError('E_STAGE', `${entry.cliFile} must export \`cli\` (the stage's CLI hooks)`, { file: entry.cliFile });
    hooks = mod.cli;
  }
  return runStageCli(stage, argv, hooks);
}
