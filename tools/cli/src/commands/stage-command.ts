/** `alsg <stage> ...`: hands the arguments to the stage's own CLI (`stages/<name>/src/cli.ts`, export `runCli`). */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { AlsgError } from '@ldl-alsg/common';
import { suggest } from '@ldl-alsg/pipeline';
import { workspaceRegistry } from './context';

/** Runs stage `name`'s CLI with `argv`; unknown names are usage errors with a suggestion. */
export async function runStageCommand(name: string, argv: string[]): Promise<number> {
  const registry = workspaceRegistry();
  const entry = registry.entry(name);
  if (!entry) {
    const hint = suggest(name, [...registry.names(), 'validate', 'run', 'status', 'schema', 'stages']);
    throw new AlsgError('E_USAGE', `unknown command '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
  if (!existsSync(entry.cliFile)) throw new AlsgError('E_USAGE', `stage '${name}' has no command-line interface yet (${entry.cliFile} is missing)`);
  const mod = (await import(pathToFileURL(entry.cliFile).href)) as { runCli?: (argv: string[]) => Promise<number> };
  if (typeof mod.runCli !== 'function') throw new AlsgError('E_STAGE', `${entry.cliFile} must export runCli(argv)`, { file: entry.cliFile });
  return mod.runCli(argv);
}
