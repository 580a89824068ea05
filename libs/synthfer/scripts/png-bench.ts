/**
 * PNG encoders compared on the same faces: the hand-written encoder synthfer used before (kept below, Up filter, zlib
 * level 6) against pngjs as `encodePngGray` now calls it, timed in alternating rounds beside the rendering time, and
 * checked to decode to identical pixels. Why synthfer uses pngjs: docs/synthfer.md, "PNG encoding".
 *
 *   npx tsx libs/synthfer/scripts/png-bench.ts [images=2000] [size=48] [rounds=3]
 */
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { DOMAINS } from '../src/domains';
import { faceRng, sampleFace } from '../src/face-sample';
import { encodePngGray } from '../src/png';
import { renderFace } from '../src/render';

// ---- the hand-written encoder, as libs/synthfer/src/png.ts had it

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Encodes `pixels` (w*h greyscale bytes, row-major) as a PNG. Rows use the Up filter (smaller files for smooth faces);
 * zlib level 6 (the default) keeps the bytes identical on every machine with the same zlib.
 */
function handWrittenPng(pixels: Uint8Array, w: number, h: number): Buffer {
  const raw = Buffer.alloc((w + 1) * h);
  for (let y = 0; y < h; y++) {
    const o = y * (w + 1);
    raw[o] = y === 0 ? 0 : 2;
    for (let x = 0; x < w; x++) {
      const v = pixels[y * w + x];
      raw[o + 1 + x] = y === 0 ? v : (v - pixels[(y - 1) * w + x]) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}
// ----

const [n, size, rounds] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 48), Number(process.argv[4] ?? 3)];
const spec = DOMAINS['raf-syn'];
const split = spec.splits[0];

const t0 = performance.now();
const faces = Array.from({ length: n }, (_, i) => sampleFace(1, spec, split, i, size));
const t1 = performance.now();
const pixels = faces.map((f, i) => renderFace(f, size, faceRng(1, 'raf-syn', split, i, 'render')));
const t2 = performance.now();

const handWritten = (px: Uint8Array): Buffer => handWrittenPng(px, size, size);
const pngjsEncode = (px: Uint8Array): Buffer => encodePngGray(px, size, size);
const encoders: Record<string, (px: Uint8Array) => Buffer> = { 'hand-written': handWritten, pngjs: pngjsEncode };
const ms: Record<string, number[]> = { 'hand-written': [], pngjs: [] };
const bytes: Record<string, number> = {};
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['hand-written', 'pngjs'] : ['pngjs', 'hand-written']) {
    const s = performance.now();
    let b = 0;
    for (const px of pixels) b += encoders[name](px).length;
    ms[name].push(performance.now() - s);
    bytes[name] = b;
  }
}
let identical = 0;
let sameBytes = 0;
for (const px of pixels) {
  const a = handWritten(px);
  const b = pngjsEncode(px);
  if (a.equals(b)) sameBytes++;
  const da = PNG.sync.read(a);
  const db = PNG.sync.read(b);
  let same = da.width === size && db.width === size;
  for (let i = 0; same && i < px.length; i++) same = da.data[i * 4] === px[i] && db.data[i * 4] === px[i];
  if (same) identical++;
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const renderMs = t2 - t0;
console.log(`${n} faces ${size}x${size}: sample ${(t1 - t0).toFixed(0)} ms + render ${(t2 - t1).toFixed(0)} ms`);
for (const name of Object.keys(encoders)) {
  const enc = median(ms[name]);
  console.log(
    `${name.padEnd(12)} encode median ${enc.toFixed(0)} ms, min ${Math.min(...ms[name]).toFixed(0)} ms (rounds ${ms[name].map((x) => x.toFixed(0)).join(', ')}), ${(bytes[name] / n).toFixed(0)} B/image; ` +
      `sample+render+encode ${((n / (renderMs + enc)) * 1000).toFixed(0)} images/s`,
  );
}
console.log(`pngjs / hand-written encode time: median ${(median(ms.pngjs) / median(ms['hand-written'])).toFixed(2)}x, min ${(Math.min(...ms.pngjs) / Math.min(...ms['hand-written'])).toFixed(2)}x; whole image: ${((renderMs + median(ms.pngjs)) / (renderMs + median(ms['hand-written']))).toFixed(2)}x`);
console.log(`decoded pixels identical to the rendered ones for both encoders: ${identical}/${n}; byte-identical files: ${sameBytes}/${n}`);
