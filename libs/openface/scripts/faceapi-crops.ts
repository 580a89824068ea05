/**
 * face-api in whole-image mode on the synthetic benchmark's face crops, drawn against the generator's true landmarks:
 * red = face-api, green = truth. Prints the mean absolute coordinate error per image.
 *
 *   npx tsx libs/openface/scripts/faceapi-crops.ts <synthfer ingest dir> [out.png] [count]
 *     (default out: /tmp/faceapi-crops.png, count 8)
 *
 * docs/images/faceapi-synthfer-crops.png comes from `alsg ingest --format synthfer --profile smoke --seed 1`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readNpy } from '@ldl-alsg/artifacts';
import { readManifest } from '@ldl-alsg/datasets';
import { FaceApiExtractor, drawLandmarks } from '../src/index';

const [ingest, out = '/tmp/faceapi-crops.png', countText = '8'] = process.argv.slice(2);
if (!ingest) throw new Error('usage: faceapi-crops.ts <synthfer ingest dir> [out.png] [count]');
const count = Number(countText);
const rows = readManifest(ingest).rows.slice(0, count);
const truth = readNpy(join(ingest, 'truth', 'landmarks.npy')).data;
const extractor = await FaceApiExtractor.create({ faceBox: 'whole-image' });
const tmp = mkdtempSync(join(tmpdir(), 'faceapi-crops-'));
const scale = 4;
const tiles: Buffer[] = [];
for (let i = 0; i < rows.length; i++) {
  const lm = await extractor.landmarksOfCrop(rows[i].path);
  const t = truth.slice(i * 136, (i + 1) * 136);
  let err = 0;
  for (let k = 0; k < 136; k++) err += Math.abs(lm[k] - t[k]) / 136;
  console.log(`${rows[i].id} (${rows[i].label}): mean abs coordinate error ${err.toFixed(2)} px`);
  const meta = await sharp(rows[i].path).metadata();
  const big = join(tmp, `${i}.png`);
  await sharp(rows[i].path).resize((meta.width ?? 64) * scale, (meta.height ?? 64) * scale, { kernel: 'nearest' }).png().toFile(big);
  const up = (a: ArrayLike<number>) => Array.from(a, (v) => v * scale);
  tiles.push(await drawLandmarks(big, [{ landmarks: up(t), color: '#30d158' }, { landmarks: up(lm), color: '#ff2d55' }], 256));
}
const cols = Math.min(4, tiles.length);
const rowsN = Math.ceil(tiles.length / cols);
const composite = tiles.map((input, k) => ({ input, left: (k % cols) * 256, top: Math.floor(k / cols) * 256 }));
writeFileSync(out, await sharp({ create: { width: cols * 256, height: rowsN * 256, channels: 3, background: '#000' } }).composite(composite).png().toBuffer());
console.log(`wrote ${out}`);
