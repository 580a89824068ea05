/**
 * File-system helpers for the adapters: find an expected file and, when it is not there, say which file was expected and
 * what was found instead (with a hint for near misses such as `list_partition_label.txt` for RAF-DB's
 * `list_patition_label.txt`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, extname } from 'node:path';
import { AlsgError, editDistance } from '@ldl-alsg/common';

/** Image extensions the adapters pick up when they list folders. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp', '.gif'];

/** True when `name` has an image extension (case-insensitive). */
export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** Compares names so that frame_2 sorts before frame_10 (sequence frames are numbered without padding in some sets). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'variant' });
}

/** Entries of `dir` in natural order ([] when it does not exist). */
export function listDir(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort(naturalCompare);
}

/** True when `path` exists and is a directory. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` exists and is a regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Describes what is on disk near a missing path: the nearest existing folder's entries and a near-miss hint. */
export function describeMissing(root: string, expected: string): string {
  let dir = dirname(expected);
  while (!existsSync(dir) && dir !== dirname(dir) && dir.startsWith(root)) dir = dirname(dir);
  if (!existsSync(dir)) return `${root} does not exist`;
  const entries = listDir(dir);
  const shown = entries.slice(0, 12).join(', ') + (entries.length > 12 ? `, ... (${entries.length} entries)` : '');
  const missingPart = relative(dir, expected).split(/[\\/]/)[0];
  const near = entries.find((e) => e.toLowerCase() === missingPart.toLowerCase() || editDistance(e.toLowerCase(), missingPart.toLowerCase()) <= 2);
  const hint = near ? `; did you mean "${near}" (expected exactly "${missingPart}")?` : '';
  return `found in ${dir}: ${entries.length === 0 ? '(empty)' : shown}${hint}`;
}

/**
 * Returns the first of `candidates` (paths relative to `root`) that exists; otherwise throws naming the expected file
 * and what the nearest existing folder holds.
 */
export function requirePath(format: string, root: string, candidates: readonly string[], what: string, kind: 'file' | 'dir' = 'file'): string {
  if (!isDir(root)) throw new AlsgError('E_INPUT', `${format}: dataset root ${root} does not exist or is not a folder`, { file: root });
  for (const rel of candidates) {
    const full = join(root, rel);
    if (kind === 'file' ? isFile(full) : isDir(full)) return full;
  }
  const first = join(root, candidates[0]);
  const others = candidates.length > 1 ? ` (or ${candidates.slice(1).map((c) => join(root, c)).join(', ')})` : '';
  throw new AlsgError('E_INPUT', `${format}: expected ${what} at ${first}${others}, but it does not exist; ${describeMissing(root, first)}`, {
    file: first,
  });
}

/** A non-blank line of a text file with its 1-based line number. */
export interface TextLine {
  text: string;
  line: number;
}

/** Reads a text file's non-blank lines (trimmed), keeping their 1-based line numbers for error messages. */
export function readLines(file: string): TextLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AlsgError('E_INPUT', `${file}: cannot read file`, { file, cause });
  }
  const out: TextLine[] = [];
  text.split(/\r?\n/).forEach((raw, k) => {
    const t = raw.trim();
    if (t.length > 0) out.push({ text: t, line: k + 1 });
  });
  return out;
}

/** Parses an integer label code, or throws naming the file and line and the allowed range. */
export function parseCode(text: string, min: number, max: number, file: string, line: number, what = 'label'): number {
  const value = Number(text);
  if (!/^[-+]?\d+(\.0*)?([eE][-+]?\d+)?$/.test(text.trim()) || !Number.isInteger(value) || value < min || value > max) {
    throw new AlsgError('E_INPUT', `${file}:${line}: ${what} must be an integer in ${min}..${max}, but got "${text}"`, { file, line });
  }
  return value;
}

/** Splits one CSV line into fields (RFC 4180 quotes, no embedded newlines). */
export function splitCsvLine(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/**
 * Streams a large single-line-record CSV (AffectNet's training.csv is ~290k rows with 136 landmark values each) row by
 * row, so memory stays flat. Checks the header holds `required`; a row with the wrong field count is an error naming the
 * line. Returns the number of data rows.
 */
export async function streamCsv(
  file: string,
  required: readonly string[],
  onRow: (row: Record<string, string>, line: number) => void | Promise<void>,
): Promise<number> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let header: string[] | null = null;
  let line = 0;
  let rows = 0;
  for await (const raw of rl) {
    line++;
    if (raw.trim() === '') continue;
    const fields = splitCsvLine(raw);
    if (header === null) {
      header = fields.map((h) => h.trim().replace(/^\uFEFF/, ''));
      const missing = required.filter((c) => !header!.includes(c));
      if (missing.length > 0) {
        throw new AlsgError('E_INPUT', `${file}: missing column(s) ${missing.join(', ')} (header has: ${header.join(', ')})`, { file });
      }
      continue;
    }
    if (fields.length !== header.length) {
      throw new AlsgError('E_INPUT', `${file}:${line}: expected ${header.length} fields (${header.join(',')}), but got ${fields.length}`, { file, line });
    }
    const row: Record<string, string> = {};
    header.forEach((h, k) => (row[h] = fields[k]));
    await onRow(row, line);
    rows++;
  }
  if (header === null) throw new AlsgError('E_INPUT', `${file}: empty CSV (expected a header line)`, { file });
  return rows;
}
