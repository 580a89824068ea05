/**
 * Backbone, input size, learning rate and pre-training length for the embedded default, chosen on the BASELINE alone
 * and on the validation split (docs/models.md, "Choosing the default"): never on a test set, never on another method.
 *
 * Trains cross-entropy on an ingest output's training rows (given labels, or the "clean" labels = argmax of each
 * training face's true distribution, synthfer only) and prints after every epoch: training accuracy on the labels it
 * learns from (can it fit / memorise?), training accuracy against the clean labels, validation accuracy (split = val)
 * against the given and the clean labels, and images/s. Prints; asserts nothing.
 *
 *   npx tsx tools/bench/backbone-select.ts --data .alsg/store/ingest/<key> [--candidates mlp@32,mlp@64,small-cnn@32]
 *        [--labels given|clean] [--epochs 30] [--lr 0.03] [--warmup 1] [--batch 32] [--wd 0.0004] [--seed 1]
 *        [--train-subset 0] [--init <model.json>] [--json out.jsonl]
 *
 * A candidate is <backbone>@<input side>; `mlp-<h1>x<h2>@<side>` sets the MLP's hidden widths (e.g. mlp-1024x512@32).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readNpy } from '@ldl-alsg/artifacts';
import { readManifests } from '@ldl-alsg/datasets';
import { NUM_CLASSES } from '@ldl-alsg/labels';
import { createBackbone, initBackend, loadImageTensorCache, makeImageBatch, loadLayersModelFromDir } from '@ldl-alsg/models';
import { crossEntropyObjective, fromBackbone, runTrainLoop, type InputSource } from '@ldl-alsg/training';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    candidates: { type: 'string', default: 'mlp@32' },
    labels: { type: 'string', default: 'given' },
    epochs: { type: 'string', default: '30' },
    lr: { type: 'string', default: '0.03' },
    warmup: { type: 'string', default: '1' },
    batch: { type: 'string', default: '32' },
    wd: { type: 'string', default: '0.0004' },
    seed: { type: 'string', default: '1' },
    'train-subset': { type: 'string', default: '0' },
    'eval-every': { type: 'string', default: '1' },
    init: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!values.data) throw new Error('--data <ingest output folder> is required');
const dataDir = values.data;
const epochs = Number(values.epochs);
const evalEvery = Number(values['eval-every']);

const { rows } = readManifests([dataDir]);
const dist = readNpy(join(dataDir, 'distribution.npy'));
const clean = (i: number) => {
  let best = 0;
  for (let c = 1; c < NUM_CLASSES; c++) if (dist.data[i * NUM_CLASSES + c] > dist.data[i * NUM_CLASSES + best]) best = c;
  return best;
};
const given = (i: number) => rows[i].labelIndex;
let trainRows = rows.map((r, i) => (r.split === 'train' ? i : -1)).filter((i) => i >= 0);
const subset = Number(values['train-subset']);
if (subset > 0) trainRows = trainRows.filter((_, t) => t % Math.ceil(trainRows.length / subset) === 0);
const valRows = rows.map((r, i) => (r.split === 'val' ? i : -1)).filter((i) => i >= 0);
const cleanFraction = trainRows.filter((i) => given(i) === clean(i)).length / trainRows.length;
console.log(`data ${dataDir}: ${trainRows.length} training rows (given label = clean label for ${(100 * cleanFraction).toFixed(1)}%), ${valRows.length} validation rows; load ${loadavg()[0].toFixed(2)}`);

const backend = await initBackend('auto');
console.log(`backend ${backend.name}`);

for (const candidate of values.candidates!.split(',')) {
  const [spec, sideText] = candidate.split('@');
  const side = Number(sideText ?? 32);
  const [name, widths] = /^mlp-\d/.test(spec) ? ['mlp', spec.slice(4).split('x').map(Number)] : [spec, undefined];
  const trainCache = await loadImageTensorCache(trainRows.map((i) => rows[i].path), side, join(tmpdir(), `alsg-select-train-${trainRows.length}-${side}.npy`));
  const valCache = await loadImageTensorCache(valRows.map((i) => rows[i].path), side, join(tmpdir(), `alsg-select-val-${valRows.length}-${side}.npy`));
  const learn = Int32Array.from(trainRows, (i) => (values.labels === 'clean' ? clean(i) : given(i)));
  const trainInputs: InputSource = { numRows: trainRows.length, gather: (t) => makeImageBatch(trainCache, t) };
  const model = fromBackbone(createBackbone(name, { inputShape: [side, side, 1], numClasses: NUM_CLASSES, seed: Number(values.seed), ...(widths ? { hidden: widths } : {}) }));
  if (values.init) {
    const loaded = await loadLayersModelFromDir(values.init);
    model.setWeights(loaded.getWeights());
  }
  const accuracy = (cache: typeof trainCache, idx: number[], truth: (t: number) => number): number => {
    let right = 0;
    for (let s = 0; s < idx.length; s += 512) {
      const chunk = Int32Array.from(idx.slice(s, s + 512));
      const pred = tf.tidy(() => tf.argMax(model.logits(makeImageBatch(cache, chunk), false), 1).dataSync());
      chunk.forEach((t, j) => { if (pred[j] === truth(t)) right++; });
    }
    return (100 * right) / idx.length;
  };
  const probe = Array.from({ length: Math.min(4000, trainRows.length) }, (_, j) => Math.floor((j * trainRows.length) / Math.min(4000, trainRows.length)));
  const valIdx = valRows.map((_, j) => j);
  let t0 = performance.now();
  const report = (epoch: number) => {
    const seconds = (performance.now() - t0) / 1000;
    const line = {
      candidate, labels: values.labels, lr: Number(values.lr), epoch, seconds: Number(seconds.toFixed(1)),
      trainAccLearned: Number(accuracy(trainCache, probe, (t) => learn[t]).toFixed(2)),
      trainAccClean: Number(accuracy(trainCache, probe, (t) => clean(trainRows[t])).toFixed(2)),
      valAccGiven: Number(accuracy(valCache, valIdx, (t) => given(valRows[t])).toFixed(2)),
      valAccClean: Number(accuracy(valCache, valIdx, (t) => clean(valRows[t])).toFixed(2)),
      load: Number(loadavg()[0].toFixed(2)),
    };
    console.log(JSON.stringify(line));
    if (values.json) appendFileSync(values.json, JSON.stringify(line) + '\n');
  };
  const scratch = mkdtempSync(join(tmpdir(), 'alsg-select-'));
  t0 = performance.now();
  await runTrainLoop({
    phase: 'select', model, numSamples: trainRows.length, batchSize: Number(values.batch), seed: Number(values.seed),
    epochs, lr: Number(values.lr), momentum: 0.9, weightDecay: Number(values.wd), warmupEpochs: Number(values.warmup),
    ...crossEntropyObjective({ row: Int32Array.from(trainRows.keys()), label: learn }, trainInputs, 'mean'),
    onEpochStart(e) { if (e > 0 && e % evalEvery === 0) report(e); },
    checkpointDir: join(scratch, 'ckpt'), logFile: join(scratch, 'log.jsonl'), logEvery: 1000,
  });
  report(epochs);
  rmSync(scratch, { recursive: true, force: true });
  model.layersModel?.dispose();
}
