/**
 * Ids and written paths that stay inside the output. Label files name images by relative path, and an id is built from
 * that name; ingest writes converted images to `images/<id>.png` and later stages look files up by id, so a name such as
 * `../../victim/x.jpg`, `/etc/x`, `C:\x` or one holding a NUL byte would write (or read) outside the folders the user
 * gave. Adapters skip such rows as `unsafe-path` (recorded with file and line in ingest-report.json) instead of
 * normalising them: a silently renamed row is harder to trace than a listed skip.
 */
import { relative, resolve, isAbsolute, sep } from 'node:path';
import type { AdapterContext } from '../ingest-types';

/**
 * Why `name` (an id, or a path relative to a dataset folder) is not safe to join under a folder, or null when it is.
 * Rules: not empty; no NUL or other control character; no backslash (a separator on Windows, so `..\x` would climb
 * there); not absolute (`/x`, `C:x`); no empty, `.` or `..` segment.
 */
export function unsafePathReason(name: string): string | null {
  if (name === '') return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'holds a control character (NUL, newline, ...)';
  if (name.includes('\\')) return 'holds a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is absolute';
  const segments = name.split('/');
  if (segments.includes('..')) return 'climbs out of its folder with ".."';
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." path segment';
  return null;
}

/** True when `target` resolves to `dir` itself or somewhere below it (a last check before a write). */
export function isInside(dir: string, target: string): boolean {
  const rel = relative(resolve(dir), resolve(target));
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Checks every (label, value) pair; on the first unsafe one records an `unsafe-path` skip at file:line and returns
 * false, so the caller drops the row.
 */
export function keepSafe(ctx: AdapterContext, file: string, line: number | undefined, parts: Record<string, string>): boolean {
  for (const [label, value] of Object.entries(parts)) {
    const why = unsafePathReason(value);
    if (why !== null) {
      ctx.collector.skip('unsafe-path', file, line, `${label} ${JSON.stringify(value)} ${why}; ids and written images must stay inside the output`);
      return false;
    }
  }
  return true;
}
