/**
 * What the engine hands a stage child process (written as JSON, path in argv), and how it finds the tsx loader so the
 * child can run TypeScript stage code directly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SourceFingerprint } from '../planning/source-fingerprint';

export interface StageJob {
  readonly address: string;
  readonly pipeline: string;
  readonly profile: string;
  readonly instance: string;
  readonly stage: string;
  readonly stageFile: string;
  readonly key: string;
  readonly codeVersion: string;
  /** Params as written (profile, matrix and expect merged), before schema defaults. */
  readonly params: Record<string, unknown>;
  /** Slot -> upstream folders. */
  readonly inputs: Record<string, string[]>;
  /** Slot -> upstream instances with their keys (for stage.json). */
  readonly inputRecords: Record<string, Array<{ instance: string; key: string; dir: string }>>;
  readonly inputKeys: Record<string, readonly string[]>;
  readonly seed: number;
  /** Fingerprints of data read from outside the store (part of the key; recorded in stage.json). */
  readonly sources?: readonly SourceFingerprint[];
  readonly outDir: string;
  readonly scratchDir: string;
  readonly workspaceRoot: string;
  /** Where the child writes {code, message, stack} when it fails. */
  readonly errorFile: string;
}

/** The child entry script (this folder's stage-child.ts). */
export function stageChildScript(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'stage-child.ts');
}

/** `file://` URL of tsx's loader, for `node --import <url>` (resolved from this package, not from the cwd). */
export function tsxLoaderUrl(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'loader.mjs')).href;
}
