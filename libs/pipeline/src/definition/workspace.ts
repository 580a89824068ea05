/**
 * Where things live: the workspace root (nearest folder with nx.json, or ALSG_WORKSPACE), the stage and library
 * folders, and the artifact store (`.alsg/store`, or ALSG_STORE).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface WorkspaceLayout {
  /** Absolute workspace root. */
  readonly root: string;
  /** Folder of stage packages (`<root>/stages`, or ALSG_STAGES_DIR). */
  readonly stagesDir: string;
  /** Folder of libraries (`<root>/libs`). */
  readonly libsDir: string;
  /** Artifact store (`<root>/.alsg/store`, or ALSG_STORE). */
  readonly storeDir: string;
  /** Engine caches that are safe to delete (`<root>/.alsg/cache`). */
  readonly cacheDir: string;
}

export interface WorkspaceLayoutOptions {
  root?: string;
  stagesDir?: string;
  libsDir?: string;
  storeDir?: string;
  /** Environment to read overrides from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where to start looking for nx.json (default process.cwd()). */
  from?: string;
}

/** Finds the workspace root: ALSG_WORKSPACE, else the nearest ancestor of `from` with an nx.json, else `from`. */
export function findWorkspaceRoot(from = process.cwd(), env: Record<string, string | undefined> = process.env): string {
  if (env.ALSG_WORKSPACE) return resolve(env.ALSG_WORKSPACE);
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}

/** Resolves the layout, applying explicit options first, then environment overrides, then defaults. */
export function resolveWorkspaceLayout(options: WorkspaceLayoutOptions = {}): WorkspaceLayout {
  const env = options.env ?? process.env;
  const root = resolve(options.root ?? findWorkspaceRoot(options.from, env));
  return {
    root,
    stagesDir: resolve(root, options.stagesDir ?? env.ALSG_STAGES_DIR ?? 'stages'),
    libsDir: resolve(root, options.libsDir ?? 'libs'),
    storeDir: resolve(root, options.storeDir ?? env.ALSG_STORE ?? join('.alsg', 'store')),
    cacheDir: resolve(root, '.alsg', 'cache'),
  };
}
