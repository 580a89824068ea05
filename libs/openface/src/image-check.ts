/**
 * Checking images before OpenFace sees them. OpenFace aborts a whole `FaceLandmarkImg` call (exit 1) on a single
 * unreadable file, so every image is fully decoded with sharp first; a file that fails gets status `unreadable` and
 * never enters a batch. sharp has no BMP decoder, so BMP files (which OpenFace reads) get a header check instead.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import sharp from 'sharp';

/** Result of checking one image. */
export type ImageCheck =
  | { ok: true; /** sharp's format name, or 'bmp'. */ format: string; /** Whether OpenFace reads it as is (jpeg, png, bmp). */ openfaceReadable: boolean }
  | { ok: false; /** Why it cannot be read. */ reason: string };

/** Formats OpenFace (OpenCV imread, and `-fdir`'s extension filter) reads directly; others are converted to PNG first. */
export const OPENFACE_FORMATS = ['jpeg', 'png', 'bmp'] as const;

function checkBmp(path: string): ImageCheck {
  const head = Buffer.alloc(26);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 26, 0);
  } finally {
    closeSync(fd);
  }
  const size = statSync(path).size;
  if (head.toString('latin1', 0, 2) !== 'BM') return { ok: false, reason: 'not a BMP file (no "BM" signature)' };
  if (head.readUInt32LE(2) > size) return { ok: false, reason: `truncated BMP (header says ${head.readUInt32LE(2)} bytes, file has ${size})` };
  const width = head.readInt32LE(18);
  const height = head.readInt32LE(22);
  if (width <= 0 || height === 0) return { ok: false, reason: `BMP with invalid size ${width}x${height}` };
  return { ok: true, format: 'bmp', openfaceReadable: true };
}

/**
 * Decodes `path` completely (sharp's default `failOn: 'warning'` also rejects truncated JPEGs) and reports whether it
 * can be read. Never throws for a bad image.
 */
export async function checkImage(path: string): Promise<ImageCheck> {
  try {
    if (!statSync(path).isFile()) return { ok: false, reason: 'not a file' };
  } catch {
    return { ok: false, reason: 'file not found' };
  }
  if (/\.bmp$/i.test(path)) {
    try {
      return checkBmp(path);
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }
  try {
    const image = sharp(path);
    const meta = await image.metadata();
    await image.stats(); // forces a full decode
    const format = meta.format ?? 'unknown';
    return { ok: true, format, openfaceReadable: format === 'jpeg' || format === 'png' };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.split('\n')[0] };
  }
}
