/**
 * The StageContext of a stage run by hand (`alsg <stage> ... --out <dir>`). Unlike the executor's there is no store:
 * the stage writes straight into --out, as the hand-written stage CLIs did (each library call that must not leave a
 * half-written result, such as ingest's manifest, already writes atomically), and nothing like stage.json is written.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { startProgress, writeAboveProgress } from '@ldl-alsg/common';
import type { StageContext } from '@ldl-alsg/pipeline';

export interface CommandLineContextArgs<P> {
  /** Stage name: the prefix of every log line. */
  name: string;
  params: P;
  inputs: Record<string, string[]>;
  outDir: string;
  /** Scratch folder (created here). */
  scratchDir: string;
  /** Remove the scratch folder in `finish` (a default one: it only holds checkpoints and caches). */
  removeScratch: boolean;
  seed: number;
  /** No progress lines. */
  quiet: boolean;
}

/** A context writing to --out, logging to stderr, and a `finish` to call after success. */
export function commandLineContext<P>(args: CommandLineContextArgs<P>): { ctx: StageContext<P>; finish(): void } {
  const { scratchDir } = args;
  mkdirSync(args.outDir, { recursive: true });
  mkdirSync(scratchDir, { recursive: true });
  const ctx: StageContext<P> = {
    address: args.name,
    params: args.params,
    inputs: args.inputs,
    outDir: args.outDir,
    scratchDir,
    seed: args.seed,
    log: (message) => writeAboveProgress(`${args.name}: ${message}\n`),
    progress: (label, total, unit) => startProgress(`${args.name}: ${label}`, total, { unit, silent: args.quiet }),
    // Provenance goes to stage.json in the store; a hand run has none, as before.
    record: () => undefined,
  };
  return {
    ctx,
    // As the engine does: a default scratch folder is dropped once the run succeeded.
    finish: () => {
      if (args.removeScratch) rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}
