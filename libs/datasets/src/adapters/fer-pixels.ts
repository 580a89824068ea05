/**
 * FER2013's `fer2013.csv` (`emotion,pixels,Usage`; pixels = 2304 space-separated grey values of a 48x48 face), read line
 * by line: the file is ~290 MB, so it is streamed instead of parsed whole. Shared by the fer2013 and ferplus adapters
 * (FERPlus's rows are aligned with fer2013.csv's).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AlsgError } from '@ldl-alsg/common';

export const FER_SIZE = 48;

/** FER2013's `Usage` column (shared by FERPlus, whose rows align with it) -> our split. */
export const FER_USAGE_SPLITS = { Training: 'train', PublicTest: 'val', PrivateTest: 'test' } as const;

export interface FerRow {
  /** 0-based index among data rows (FERPlus's `fer%07d.png` names use it). */
  index: number;
  /** 1-based line in the file. */
  line: number;
  emotion: string;
  pixels: string;
  usage: string;
}

/** Streams the data rows of fer2013.csv; checks the header names the three columns (in any order). */
export async function streamFer2013(file: string, onRow: (row: FerRow) => Promise<void> | void): Promise<number> {
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let index = 0;
  let columns: Record<string, number> | null = null;
  for await (const raw of rl) {
    line++;
    if (raw.trim().length === 0) continue;
    const fields = raw.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    if (columns === null) {
      columns = Object.fromEntries(fields.map((h, k) => [h, k]));
      const missing = ['emotion', 'pixels', 'Usage'].filter((c) => columns![c] === undefined);
      if (missing.length > 0) {
        throw new AlsgError('E_INPUT', `${file}:1: missing column(s) ${missing.join(', ')} (header has: ${fields.join(', ')})`, { file, line: 1 });
      }
      continue;
    }
    if (fields.length !== Object.keys(columns).length) {
      throw new AlsgError('E_INPUT', `${file}:${line}: expected ${Object.keys(columns).length} fields (emotion,pixels,Usage), but got ${fields.length}`, { file, line });
    }
    await onRow({ index, line, emotion: fields[columns.emotion], pixels: fields[columns.pixels], usage: fields[columns.Usage] });
    index++;
  }
  return index;
}

/** Parses 2304 grey values; returns the pixels, or a one-line reason why they are malformed. */
export function parsePixels(text: string): Uint8Array | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== FER_SIZE * FER_SIZE) return `expected ${FER_SIZE * FER_SIZE} pixel values, but got ${parts.length}`;
  const out = new Uint8Array(parts.length);
  for (let k = 0; k < parts.length; k++) {
    const v = Number(parts[k]);
    if (!Number.isInteger(v) || v < 0 || v > 255) return `pixel ${k} must be an integer in 0..255, but got "${parts[k]}"`;
    out[k] = v;
  }
  return out;
}

/** FERPlus's image name for a fer2013.csv data row. */
export function ferImageName(index: number): string {
  return `fer${String(index).padStart(7, '0')}`;
}
