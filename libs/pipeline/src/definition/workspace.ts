/**
 * Where things live: the workspace root (nearest folder with nx.json, or ALSG_WORKSPACE), the stage and library
 * folders, and the artifact store (`.alsg/store`, or ALSG_STORE).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';

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

/**
 * Finds the workspace root: ALSG_WORKSPACE, else the nearest ancestor of `from` with an nx.json. Without one there is
 * no stage to find and no store to use, so this is a user error saying so (rather than stages that seem not to exist).
 */
export function findWorkspaceRoot(from = process.cwd(), env: Record<string, string | undefined> = process.env): string {
  if (env.ALSG_WORKSPACE) {
    const root = resolve(env.ALSG_WORKSPACE);
    if (!isFolder(root)) throw new AlsgError('E_CONFIG', `ALSG_WORKSPACE must name a folder (the workspace root, with nx.json), but got ${env.ALSG_WORKSPACE}`);
    return root;
  }
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new AlsgError('E_CONFIG', `no workspace found (looked for nx.json from ${resolve(from)} upward; set ALSG_WORKSPACE)`);
    }
    dir = parent;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
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
