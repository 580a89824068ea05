/**
 * Argument parsing shared by the subcommands. Its own module (not `main.ts`) because `main.ts` loads the commands: a
 * command importing it back would close an import loop.
 */
import { AlsgError } from '@ldl-alsg/common';

/** Parses args, turning node:util's parse errors into usage errors. */
export async function parseCommandArgs<T extends import('node:util').ParseArgsConfig>(config: T) {
  const { parseArgs } = await import('node:util');
  try {
    return parseArgs(config);
  } catch (err) {
    throw new AlsgError('E_USAGE', (err as Error).message);
  }
}
