/**
 * Test fixtures for the OpenFace stand-ins: PNG images that carry, in a `tEXt` chunk, what the fake OpenFace should
 * "find" in them (see fake-openface.mjs), plus broken files.
 */
import { writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/** Folder holding the stand-in executables `FaceLandmarkImg` and `FeatureExtraction`. */
export const FAKE_OPENFACE_DIR = dirname(fileURLToPath(import.meta.url));
/** Path of the FaceLandmarkImg stand-in. */
export const FAKE_FACE_LANDMARK_IMG = join(FAKE_OPENFACE_DIR, 'FaceLandmarkImg');
/** Path of the FeatureExtraction stand-in. */
export const FAKE_FEATURE_EXTRACTION = join(FAKE_OPENFACE_DIR, 'FeatureExtraction');

/** One face the fake will report. Values default to ones derived from the file size. */
export interface FakeFace {
  confidence?: number;
  /** 17 AU intensities (AU01_r..AU45_r order). */
  au?: number[];
  /** x_0..x_67, y_0..y_67. */
  landmarks?: number[];
}

/** What the fake OpenFace does with an image. */
export interface FakeImageSpec {
  /** Faces found; [] = no face (no CSV written). Default one face. */
  faces?: FakeFace[];
  /** Column separator of the written CSV: ',' (default for FaceLandmarkImg) or ', '. */
  separator?: string;
  /** OpenFace fails on this (readable) image: exit 1 for the whole call. */
  crash?: boolean;
  /** OpenFace hangs this long on the image, ms. */
  sleepMs?: number;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Writes a small valid grey PNG carrying `spec`; `shade` varies the pixels (and so the file) between images. */
export async function writeFakeFacePng(file: string, spec: FakeImageSpec = {}, shade = 128): Promise<void> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: shade, g: shade, b: shade } } }).png().toBuffer();
  // insert the tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR chunk)
  const text = chunk('tEXt', Buffer.concat([Buffer.from('fake-openface\0', 'latin1'), Buffer.from(JSON.stringify(spec), 'utf8')]));
  writeFileSync(file, Buffer.concat([png.subarray(0, 33), text, png.subarray(33)]));
}

/** Writes a file with an image extension that no decoder can read (a PNG cut in half). */
export async function writeTruncatedPng(file: string): Promise<void> {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toBuffer();
  writeFileSync(file, png.subarray(0, Math.floor(png.length / 2)));
}
