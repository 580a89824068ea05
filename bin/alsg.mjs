#!/usr/bin/env node
// Entry of the `alsg` command: registers tsx's ESM loader so the TypeScript sources run directly (no build step),
// then hands over to tools/cli/src/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../tools/cli/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
