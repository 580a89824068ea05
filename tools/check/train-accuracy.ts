/**
 * Training accuracy of trained models (can the backbone fit, does it memorise?): predicts every 5th training image of
 * an ingest output and compares with the labels it was trained on (`given` = the manifest's, or a noise stage's
 * labels.csv, e.g. the clean labels of noise mode truth). Prints one line per model; asserts nothing.
 *
 *   npx tsx tools/check/train-accuracy.ts <ingest dir> <given | labels.csv> <train dir>...
 */
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { readManifests } from '@ldl-alsg/datasets';
import { readCsv } from '@ldl-alsg/artifacts';
import { classIndex } from '@ldl-alsg/labels';
import { initBackend, loadImageTensorCache, makeImageBatch, loadLayersModelFromDir } from '@ldl-alsg/models';
const [data, labelsCsv, ...models] = process.argv.slice(2);
await initBackend('wasm');
const { rows } = readManifests([data]);
const train = rows.map((r, i) => (r.split === 'train' ? i : -1)).filter((i) => i >= 0);
const probe = train.filter((_, t) => t % 5 === 0);
const lab = labelsCsv === 'given' ? null : new Map(readCsv(labelsCsv).rows.map((r: any) => [r.id, classIndex(r.label)]));
const cache = await loadImageTensorCache(probe.map((i) => rows[i].path), 32);
for (const m of models) {
  const net = await loadLayersModelFromDir(join(m, 'model', 'model.json'));
  let right = 0;
  for (let s = 0; s < probe.length; s += 500) {
    const idx = Int32Array.from({ length: Math.min(500, probe.length - s) }, (_, j) => s + j);
    const pred = tf.tidy(() => tf.argMax(net.predict(makeImageBatch(cache, idx)) as tf.Tensor, 1).dataSync());
    idx.forEach((t, j) => { const row = rows[probe[t]]; const y = lab ? lab.get(row.id)! : row.labelIndex; if (pred[j] === y) right++; });
  }
  console.log(m, (100 * right / probe.length).toFixed(2), `% of ${probe.length} training images`);
}
