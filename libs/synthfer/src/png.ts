/**
 * PNG encoding of 8-bit greyscale images, through pngjs. It replaced a hand-written encoder (CRC table, chunk layout)
 * with the same settings; both decode to the same pixels, and libs/synthfer/scripts/png-bench.ts measured pngjs at
 * ~1.3x the encoding time, a few percent of the time per generated image (rendering dominates; docs/synthfer.md).
 */
import { PNG, type PackerOptions } from 'pngjs';

/**
 * Greyscale in, greyscale out; the Up filter on every row (smaller files for smooth faces); zlib level 6 with the
 * Huffman-only strategy (pngjs would pick level 9 and RLE), so the bytes are the same on every machine with the same
 * zlib. Huffman-only because the faces carry per-pixel sensor noise: string matching finds almost nothing to reuse
 * (3,115 vs 3,117 bytes per 64x64 face with the default strategy) and cost ~0.07 ms of the ~0.2 ms per encode
 * (docs/synthfer.md, "PNG encoding").
 */
const GREY_PNG: PackerOptions = { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, filterType: 2, deflateLevel: 6, deflateStrategy: 2 };

/** Encodes `pixels` (w*h greyscale bytes, row-major) as a PNG file's bytes. */
export function encodePngGray(pixels: Uint8Array, w: number, h: number): Buffer {
  if (pixels.length !== w * h) throw new Error(`encodePngGray: pixels must hold ${w}x${h} = ${w * h} bytes, but got ${pixels.length}`);
  return PNG.sync.write({ width: w, height: h, data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length) }, GREY_PNG);
}
