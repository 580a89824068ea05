/**
 * The one place the ingest stage touches @ldl-alsg/synthfer: the generator's option descriptions (merged into the
 * stage's JSON Schema and CLI flags) and a lazy call of `generateSynthfer`, so that reading a real dataset never loads
 * the generator.
 */
import { AlsgError, type Progress } from '@ldl-alsg/common';

/**
 * Generator options until @ldl-alsg/synthfer exports its own description (docs/contracts.md: profile, seed, sizes).
 */
export const SYNTHFER_PROPERTIES: Record<string, Record<string, unknown>> = {
  profile: {
    enum: ['smoke', 'default', 'paper-graph'],
    default: 'default',
    description: 'synthfer: size profile. smoke: a few thousand images (seconds); default: tens of thousands (the tables); paper-graph: 300,000 training images.',
  },
  seed: { type: ['integer', 'null'], default: null, description: "synthfer: generator seed; default the pipeline's seed (CLI: 0)." },
};

export interface SynthferHooks {
  progress?: (label: string, total: number | undefined, unit?: string) => Progress;
}

/** Runs the generator into `outDir`; E_DEPENDENCY when the generator library cannot be loaded. */
export async function runSynthfer(options: Record<string, unknown>, outDir: string, hooks: SynthferHooks): Promise<unknown> {
  // A variable specifier keeps this file compiling while libs/synthfer is written; the module is loaded only here.
  const specifier = '@ldl-alsg/synthfer';
  let mod: { generateSynthfer?: (o: Record<string, unknown>, out: string, h: SynthferHooks) => Promise<unknown> };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (cause) {
    throw new AlsgError('E_DEPENDENCY', `ingest: format synthfer needs @ldl-alsg/synthfer (libs/synthfer/src/index.ts), which could not be loaded: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (typeof mod.generateSynthfer !== 'function') {
    throw new AlsgError('E_DEPENDENCY', 'ingest: @ldl-alsg/synthfer does not export generateSynthfer(options, outDir, { progress })');
  }
  return mod.generateSynthfer(options, outDir, hooks);
}
