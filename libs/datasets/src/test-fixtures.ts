/**
 * Helpers for the adapter tests (not used at run time): tiny real images made with sharp, files written under a temp
 * root, and the outputs read back.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { readCsv } from '@ldl-alsg/artifacts';
import type { IngestReport } from './ingest';

/** A fresh temp folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `alsg-${prefix}-`));
}

/** Writes a text file (creating folders). */
export function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Writes a small real image (JPEG or PNG by extension) with a grey level derived from `seed`. */
export async function writeImage(file: string, seed = 0, width = 16, height = 16): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const raw = Buffer.alloc(width * height * 3);
  for (let k = 0; k < raw.length; k++) raw[k] = (seed * 37 + k * 7) % 256;
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  await (file.toLowerCase().endsWith('.png') ? img.png() : img.jpeg()).toFile(file);
}

/** Writes a JPEG and cuts it in half: a truncated file whose header still reads. */
export async function writeTruncatedJpeg(file: string): Promise<void> {
  await writeImage(file, 1, 64, 64);
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** Reads an output's manifest rows and report. */
export function readOutput(outDir: string): { rows: Record<string, string>[]; report: IngestReport } {
  return {
    rows: readCsv(join(outDir, 'manifest.csv')).rows,
    report: JSON.parse(readFileSync(join(outDir, 'ingest-report.json'), 'utf8')) as IngestReport,
  };
}

/** Writes a numpy 0-d unicode string array, as AffectNet's `<id>_exp.npy` files are. */
export function writeNpyString(file: string, value: string): void {
  let dict = `{'descr': '<U${value.length}', 'fortran_order': False, 'shape': (), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const header = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(header);
  header.writeUInt16LE(dict.length, 8);
  const data = Buffer.alloc(4 * value.length);
  [...value].forEach((ch, k) => data.writeUInt32LE(ch.codePointAt(0)!, 4 * k));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat([header, Buffer.from(dict, 'latin1'), data]));
}

/** The report's listed skips as one list (reasons in order of first occurrence, items in source order within each). */
export function flatSkips(report: IngestReport): { reason: string; file: string; line?: number; detail?: string }[] {
  return Object.entries(report.skips).flatMap(([reason, items]) => items.map((item) => ({ reason, ...item })));
}
