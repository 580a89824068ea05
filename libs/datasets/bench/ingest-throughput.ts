/**
 * Prints ingest throughput on a generated RAF-DB-layout tree of 100x100 JPEGs (RAF's aligned size) for each image check
 * mode, plus FER2013 pixel conversion. Figures only, no assertions; the machine load is printed beside them.
 * Run: npx tsx libs/datasets/bench/ingest-throughput.ts [images=2000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ingestDataset } from '../src/ingest';

const n = Number(process.argv[2] ?? 2000);
const root = mkdtempSync(join(tmpdir(), 'alsg-bench-raf-'));
mkdirSync(join(root, 'Image/aligned'), { recursive: true });
mkdirSync(join(root, 'EmoLabel'), { recursive: true });
const lines: string[] = [];
const raw = Buffer.alloc(100 * 100 * 3);
for (let k = 0; k < n; k++) {
  for (let p = 0; p < raw.length; p++) raw[p] = (k * 31 + p * 13) & 255;
  const name = `train_${String(k + 1).padStart(5, '0')}`;
  await sharp(raw, { raw: { width: 100, height: 100, channels: 3 } }).jpeg().toFile(join(root, 'Image/aligned', `${name}_aligned.jpg`));
  lines.push(`${name}.jpg ${(k % 7) + 1}`);
}
writeFileSync(join(root, 'EmoLabel/list_patition_label.txt'), lines.join('\n') + '\n');
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${n} RAF-layout 100x100 JPEGs`);
for (const imageCheck of ['none', 'header', 'decode'] as const) {
  const out = mkdtempSync(join(tmpdir(), 'alsg-bench-out-'));
  const t0 = performance.now();
  const report = await ingestDataset({ format: 'raf-db', root, imageCheck }, out);
  const s = (performance.now() - t0) / 1000;
  console.log(`raf-db imageCheck=${imageCheck}: ${report.rows} rows in ${s.toFixed(2)} s = ${Math.round(report.rows / s)} images/s`);
  rmSync(out, { recursive: true, force: true });
}
const ferRoot = mkdtempSync(join(tmpdir(), 'alsg-bench-fer-'));
const pixels = Array.from({ length: 2304 }, (_, k) => k % 256).join(' ');
writeFileSync(join(ferRoot, 'fer2013.csv'), ['emotion,pixels,Usage', ...Array.from({ length: n }, (_, k) => `${k % 7},${pixels},Training`)].join('\n') + '\n');
const out = mkdtempSync(join(tmpdir(), 'alsg-bench-out-'));
const t0 = performance.now();
const report = await ingestDataset({ format: 'fer2013', root: ferRoot }, out);
const s = (performance.now() - t0) / 1000;
console.log(`fer2013 pixels -> PNG: ${report.rows} rows in ${s.toFixed(2)} s = ${Math.round(report.rows / s)} images/s`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const dir of [root, ferRoot, out]) rmSync(dir, { recursive: true, force: true });
