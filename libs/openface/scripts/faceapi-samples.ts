/**
 * Runs the embedded face-api extractor on the real photos shipped with @vladmandic/face-api (demo/sample1..6.jpg),
 * prints faces found and time per photo, and writes annotated copies.
 *
 *   npx tsx libs/openface/scripts/faceapi-samples.ts [outDir]     (default /tmp/faceapi-samples)
 *
 * docs/images/faceapi-sample.png is sample1's annotated copy from this script.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { FaceApiExtractor, drawLandmarks } from '../src/index';

const outDir = process.argv[2] ?? '/tmp/faceapi-samples';
mkdirSync(outDir, { recursive: true });
const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const t0 = performance.now();
const extractor = await FaceApiExtractor.create();
console.log(`models loaded in ${((performance.now() - t0) / 1000).toFixed(2)} s`, extractor.version);
for (let i = 1; i <= 6; i++) {
  const path = join(demo, `sample${i}.jpg`);
  const t = performance.now();
  const faces = await extractor.detect(path);
  const ms = performance.now() - t;
  console.log(`sample${i}.jpg: ${faces.length} faces, scores ${faces.map((f) => f.score.toFixed(2)).join(' ')}, ${ms.toFixed(0)} ms`);
  const png = await drawLandmarks(path, faces.map((f) => ({ box: f.box, landmarks: f.landmarks, label: f.score.toFixed(2) })));
  writeFileSync(join(outDir, `faceapi-sample${i}.png`), png);
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
