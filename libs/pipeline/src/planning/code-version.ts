/**
 * A stage's code version: one hash over its own source files and the sources of every `@ldl-alsg/*` library it imports,
 * followed transitively. Changing any of those files changes the version, and so the content key of every instance of
 * the stage (and, through input keys, of everything downstream). Tests (*.spec.ts, *.test.ts) and fixtures do not count.
 *
 * Type-only imports (`import type ... from`) are skipped: they vanish at run time, and counting them would make every
 * stage depend on the engine (`@ldl-alsg/pipeline`) just for its interface types.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface CodeVersion {
  /** Hex digest (20 characters) over the files below. */
  readonly version: string;
  /** Absolute paths of every file hashed (stage + libraries), sorted. */
  readonly files: readonly string[];
  /** Library names (without scope) reached from the stage, sorted: ['artifacts', 'common']. */
  readonly libs: readonly string[];
}

export interface CodeLocations {
  /** Folder holding one folder per library (`libs`). */
  readonly libsDir: string;
  /** Folder holding one folder per stage (`stages`). */
  readonly stagesDir: string;
  /** Paths in digests are written relative to this folder (so keys do not depend on where the checkout lives). */
  readonly root: string;
}

const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs|tsx|json)$/;
const TEST_FILE = /\.(spec|test)\.[cm]?[jt]sx?$/;
// import/export ... from '@ldl-alsg/x', import '@ldl-alsg/x', import('@ldl-alsg/x'); `import type` is excluded below. A
// subpath export (`@ldl-alsg/x/planner`) counts as its package: the whole package is hashed either way.
const IMPORT_RE =
  /(?:^|[;\s])(import|export)\s+(type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"](@ldl-alsg\/[a-z0-9-]+)(?:\/[\w./-]+)?['"]|import\(\s*['"](@ldl-alsg\/[a-z0-9-]+)(?:\/[\w./-]+)?['"]\s*\)/g;

/** Lists source files under `dir` (recursive, sorted), without tests, fixtures or node_modules. */
export function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'fixtures' || entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (SOURCE_FILE.test(entry.name) && !TEST_FILE.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** `@ldl-alsg/*` packages imported for their values by `source`. */
export function scanImports(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(IMPORT_RE)) {
    if (m[2]) continue; // import type / export type
    found.add((m[3] ?? m[4]) as string);
  }
  return [...found];
}

/** Maps a package name to its source folder: `@ldl-alsg/stage-x` -> stages/x/src, `@ldl-alsg/x` -> libs/x/src. */
function packageSourceDir(pkg: string, loc: CodeLocations): { dir: string; lib?: string } {
  const bare = pkg.slice('@ldl-alsg/'.length);
  if (bare.startsWith('stage-')) return { dir: join(loc.stagesDir, bare.slice('stage-'.length), 'src') };
  return { dir: join(loc.libsDir, bare, 'src'), lib: bare };
}

/** Computes the code version of the stage whose package folder is `stageDir`. */
export function computeCodeVersion(stageDir: string, loc: CodeLocations): CodeVersion {
  const files = new Set<string>();
  const libs = new Set<string>();
  const seenDirs = new Set<string>();
  const contents = new Map<string, Buffer>();
  const queue = [join(stageDir, 'src')];
  while (queue.length > 0) {
    const dir = queue.pop() as string;
    if (seenDirs.has(dir)) continue;
    seenDirs.add(dir);
    for (const file of listSourceFiles(dir)) {
      const buf = readFileSync(file);
      files.add(file);
      contents.set(file, buf);
      if (file.endsWith('.json')) continue;
      for (const pkg of scanImports(buf.toString('utf8'))) {
        const target = packageSourceDir(pkg, loc);
        if (target.lib) libs.add(target.lib);
        queue.push(target.dir);
      }
    }
  }
  const sorted = [...files].sort();
  const hash = createHash('sha256');
  for (const file of sorted) {
    hash.update(relative(loc.root, file).split('\\').join('/'));
    hash.update('\0');
    hash.update(contents.get(file) as Buffer);
    hash.update('\0');
  }
  return { version: hash.digest('hex').slice(0, 20), files: sorted, libs: [...libs].sort() };
}
