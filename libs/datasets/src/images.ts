/**
 * Image checks and conversions with sharp (libvips). A dataset copy often holds a few corrupt or truncated files; they are
 * found here, before any later stage trips over them, and skipped with reason `unreadable` (or turned into an error with
 * onBadImage: error).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ImageCheck } from './ingest-types';

// sharp is loaded on first use: every stage imports @ldl-alsg/datasets for readManifest, and only ingest needs libvips.
type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Sharp | undefined;
async function loadSharp(): Promise<Sharp> {
  sharpModule ??= (await import('sharp')).default;
  return sharpModule;
}

// Decode failures must not be hidden: `failOn: 'error'` rejects truncated data and decoder errors (libvips' default for
// sharp is 'warning', which also rejects benign warnings some real JPEGs carry, e.g. extraneous bytes before a marker).
const FAIL_ON = 'error' as const;

/**
 * Checks one image. `decode` decodes every pixel (finds truncated files; ~1 ms for a 100x100 JPEG), `header` reads only
 * the header (fast, misses truncation), `none` checks nothing. Returns null when fine, else a one-line reason.
 */
export async function checkImage(file: string, mode: ImageCheck): Promise<string | null> {
  if (mode === 'none') return null;
  const sharp = await loadSharp();
  try {
    const image = sharp(file, { failOn: FAIL_ON });
    if (mode === 'header') {
      const meta = await image.metadata();
      if (!meta.width || !meta.height) return 'no image size in header';
      return null;
    }
    const { info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.width <= 0 || info.height <= 0) return 'decoded to an empty image';
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, preserving nothing but completion (results go through fn). */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const k = next++;
      await fn(items[k], k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Writes 8-bit grey pixels (row-major, width x height) as a PNG. */
export async function writeGrayPng(file: string, pixels: Uint8Array, width: number, height: number): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const sharp = await loadSharp();
  // toColourspace('b-w') keeps one channel; sharp would otherwise write the grey input as RGB.
  await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toFile(file);
}

/** A pixel rectangle, edges inclusive of left/top and exclusive of right/bottom. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Size of a decodable image, or an error message. */
export async function imageSize(file: string): Promise<{ width: number; height: number } | string> {
  const sharp = await loadSharp();
  try {
    const meta = await sharp(file, { failOn: FAIL_ON }).metadata();
    if (!meta.width || !meta.height) return 'no image size in header';
    return { width: meta.width, height: meta.height };
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

/** Crops `box` (already clipped to the image) out of `src` and writes it to `dst` as PNG. Throws on decode errors. */
export async function cropToPng(src: string, box: Box, dst: string): Promise<void> {
  mkdirSync(dirname(dst), { recursive: true });
  const sharp = await loadSharp();
  await sharp(src, { failOn: FAIL_ON })
    .extract({ left: box.left, top: box.top, width: box.right - box.left, height: box.bottom - box.top })
    .png()
    .toFile(dst);
}
