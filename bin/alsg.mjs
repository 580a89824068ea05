#!/usr/bin/env node
// Entry of the `alsg` command: registers tsx's ESM loader so the TypeScript sources run directly (no build step),
// then hands over to tools/cli/src/main.ts.
import { register } from 'tsx/esm/api';

// A reader that stops early (`alsg status p.yaml | head`) closes the pipe; writing more is pointless, not a bug.
// Without this, Node raises EPIPE as an unhandled 'error' event and prints a stack. Exit quietly as `head` expects.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register();
const { main } = await import('../tools/cli/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
