/**
 * Benchmark (prints, asserts nothing): the cost of LDL-ALSG relative to the baseline, and training throughput, on
 * synthetic faces rendered in memory by @ldl-alsg/synthfer with exact kNN graphs over their true AUs and landmarks.
 *
 *   npx tsx tools/bench/train-ratio.ts [--train 3000] [--test 1000] [--side 32] [--backbone mlp] [--reps 2]
 *        [--accuracy-epochs 0] [--lr 0.01] [--seed 1]
 *
 * 1. Epoch wall time of baseline (batches of 32 centres, CE only) and LDL-ALSG(AU+FL) (32 groups of 1 + 4 + 4, lambda
 *    0.0005 each) with exact neighbours (forward-only, deduplicated) and with the opt-in epoch cache, at the same number of
 *    centre images, interleaved in one process (`--reps` rounds) so machine load affects all alike. Reports the ratio.
 * 2. With --accuracy-epochs E > 0: trains LDL-ALSG(AU+FL) exact and epoch-cache for E epochs from the same seed and
 *    reports test accuracy (published label and true dominant class), i.e. the approximation's accuracy effect.
 */
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@ldl-alsg/common';
import { localSimilarity } from '@ldl-alsg/ldl';
import { DOMAINS, renderFace, sampleFace, type SynthferDataset } from '@ldl-alsg/synthfer';
import { createBackbone, initBackend, makeImageBatch, type ImageTensorCache } from '@ldl-alsg/models';
import { fromBackbone, runMethod, type MethodConfig, type TrainParams, type NeighbourMode, type NeighbourSpace } from '@ldl-alsg/training';
import { paramsWithDefaults } from '@ldl-alsg/pipeline';
import { trainParamsSchema } from '@ldl-alsg/stage-train/params-schema';

// The paper's optimiser settings come from the train stage's schema, their one home; the bench sets only lr and epochs.
const paper = paramsWithDefaults<TrainParams>(trainParamsSchema as unknown as Record<string, unknown>, {}, 'train params');

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'affectnet-syn' },
    train: { type: 'string', default: '3000' },
    test: { type: 'string', default: '1000' },
    side: { type: 'string', default: '32' },
    backbone: { type: 'string', default: 'mlp' },
    reps: { type: 'string', default: '2' },
    'accuracy-epochs': { type: 'string', default: '0' },
    lr: { type: 'string', default: '0.01' },
    lambda: { type: 'string', default: String(paper.lambda.au) },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const seed = Number(values.seed);
const side = Number(values.side);
const R = side * 2;

interface Faces { cache: ImageTensorCache; labels: Int32Array; dominant: Int32Array; au: Float64Array[]; lm: Float64Array[] }

function render(split: 'train' | 'test', n: number): Faces {
  const spec = DOMAINS[values.dataset as SynthferDataset];
  const data = new Uint8Array(n * side * side);
  const labels = new Int32Array(n);
  const dominant = new Int32Array(n);
  const au: Float64Array[] = [];
  const lm: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const face = sampleFace(seed, spec, split, i, R);
    const px = renderFace(face, R, new Rng(seed, `render/${values.dataset}/${split}/${i}`));
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const o = (2 * y) * R + 2 * x;
        data[i * side * side + y * side + x] = Math.round((px[o] + px[o + 1] + px[o + R] + px[o + R + 1]) / 4);
      }
    }
    labels[i] = face.label;
    dominant[i] = face.dominant;
    au.push(face.au);
    // Landmarks in pixels of a 256-px face so sigma = 68 has the paper's scale; x then y like OpenFace's columns.
    const scale = 256 / R;
    lm.push(Float64Array.from({ length: 136 }, (_, c) => face.points[c < 68 ? 2 * c : 2 * (c - 68) + 1] * scale));
  }
  return { cache: { data, shape: [n, side, side, 1] }, labels, dominant, au, lm };
}

/** Exact kNN (brute force) with Eq. 3 similarities; self excluded, ties by smaller index. */
function knn(name: string, feats: Float64Array[], k: number, sigma: number, lambda: number): NeighbourSpace {
  const n = feats.length;
  const neighbors = new Int32Array(n * k);
  const similarity = new Float32Array(n * k);
  const d2 = new Float64Array(n);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < feats[i].length; c++) s += (feats[i][c] - feats[j][c]) ** 2;
      d2[j] = j === i ? Infinity : s;
    }
    const best = idx.slice().sort((a, b) => d2[a] - d2[b] || a - b).slice(0, k);
    best.forEach((j, r) => {
      neighbors[i * k + r] = j;
      similarity[i * k + r] = localSimilarity(d2[j], sigma);
    });
  }
  return { name, neighbors, similarity, K: k, k, lambda };
}

console.log(`uptime: ${execSync('uptime').toString().trim()}`);
const backend = await initBackend(values.backend as 'wasm');
console.log(`backend: ${backend.name} ${backend.version} ${backend.detail}`);
let t = performance.now();
const train = render('train', Number(values.train));
const test = render('test', Number(values.test));
console.log(`rendered ${train.labels.length}+${test.labels.length} ${values.dataset} faces at ${side}px in ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
const lambda = Number(values.lambda);
const spaces = [knn('au', train.au, 4, 1, lambda), knn('landmarks', train.lm, 4, 68, lambda)];
const meanSim = spaces.map((s) => (s.similarity.reduce((a, b) => a + b, 0) / s.similarity.length).toFixed(3));
console.log(`exact kNN graphs (k=4) in ${((performance.now() - t) / 1000).toFixed(1)} s; mean a_ij: au ${meanSim[0]}, landmarks ${meanSim[1]}`);

const n = train.labels.length;
const inputs = { numRows: n, gather: (rows: Int32Array) => makeImageBatch(train.cache, rows) };
const samples = { row: Int32Array.from({ length: n }, (_, i) => i), label: train.labels };

async function trainOnce(method: 'baseline' | 'ldl-alsg', mode: NeighbourMode, epochs: number, lr: number) {
  const config: MethodConfig = {
    method, epochs, lr, momentum: paper.momentum, weightDecay: paper.weightDecay, warmupEpochs: Math.min(paper.warmupEpochs, epochs),
    groupsPerBatch: paper.groupsPerBatch, batchSize: paper.batchSize, seed, reduction: paper.reduction, neighbourMode: mode, logEvery: 50,
  };
  const dir = mkdtempSync(join(tmpdir(), 'train-ratio-'));
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await runMethod({
    config, inputs, samples, numClasses: 7, annotations: [{ name: 'label', label: train.labels }], spaces,
    createModel: () => fromBackbone(createBackbone(values.backbone!, { inputShape: [side, side, 1], numClasses: 7, seed })),
    scratchDir: join(dir, 'scratch'), logFile: join(dir, 'log.jsonl'),
  });
  const seconds = (performance.now() - started) / 1000;
  const c = process.cpuUsage(cpu0);
  // CPU seconds of this process: robust to other processes competing for the 2 cores (wall time is not).
  const cpuSeconds = (c.user + c.system) / 1e6;
  return { r, seconds, cpuSeconds };
}

function accuracy(model: Awaited<ReturnType<typeof trainOnce>>['r']['model']): { label: number; dominant: number } {
  let a = 0;
  let b = 0;
  for (let s = 0; s < test.labels.length; s += 500) {
    const rows = Int32Array.from({ length: Math.min(500, test.labels.length - s) }, (_, i) => s + i);
    const pred = tf.tidy(() => tf.argMax(model.logits(makeImageBatch(test.cache, rows), false), 1).dataSync());
    rows.forEach((row, i) => {
      a += pred[i] === test.labels[row] ? 1 : 0;
      b += pred[i] === test.dominant[row] ? 1 : 0;
    });
  }
  return { label: a / test.labels.length, dominant: b / test.labels.length };
}

const lr = Number(values.lr);
const times: Record<string, number[]> = { baseline: [], exact: [], cache: [] };
const cpu: Record<string, number[]> = { baseline: [], exact: [], cache: [] };
let stats = { slots: 0, forwarded: 0 };
for (let rep = 0; rep < Number(values.reps); rep++) {
  const ba = await trainOnce('baseline', 'exact', 1, lr);
  const ex = await trainOnce('ldl-alsg', 'exact', 1, lr);
  const ca = await trainOnce('ldl-alsg', 'epoch-cache', 1, lr);
  stats = ex.r.neighbourStats!;
  for (const [key, run] of [['baseline', ba], ['exact', ex], ['cache', ca]] as const) {
    times[key].push(run.seconds);
    cpu[key].push(run.cpuSeconds);
  }
  console.log(`rep ${rep + 1}: one epoch of ${n} centres: baseline ${times.baseline.at(-1)!.toFixed(2)} s, LDL-ALSG(AU+FL) exact ${times.exact.at(-1)!.toFixed(2)} s, epoch-cache ${times.cache.at(-1)!.toFixed(2)} s (CPU s: ${cpu.baseline.at(-1)!.toFixed(2)}, ${cpu.exact.at(-1)!.toFixed(2)}, ${cpu.cache.at(-1)!.toFixed(2)})`);
}
const best = (xs: number[]) => Math.min(...xs);
console.log(`neighbour slots with a>0 per epoch: ${stats.slots}, forwarded after deduplication: ${stats.forwarded} (${(stats.forwarded / n).toFixed(2)} per centre)`);
console.log(`RATIO (best of ${values.reps}): LDL-ALSG exact / baseline = ${(best(times.exact) / best(times.baseline)).toFixed(2)}x; epoch-cache / baseline = ${(best(times.cache) / best(times.baseline)).toFixed(2)}x`);
// Each rep's exact and baseline epochs ran back to back, so their ratio is paired; the median over reps is less
// flattering than the best-of ratio above and less sensitive to one disturbed rep than a mean.
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const perRep = times.exact.map((e, i) => e / times.baseline[i]);
const perRepCache = times.cache.map((c, i) => c / times.baseline[i]);
console.log(`RATIO per rep (paired, wall): exact / baseline ${perRep.map((r) => r.toFixed(2)).join(', ')} (median ${median(perRep).toFixed(2)}x); epoch-cache / baseline ${perRepCache.map((r) => r.toFixed(2)).join(', ')} (median ${median(perRepCache).toFixed(2)}x)`);
console.log(`RATIO by process CPU time (best of ${values.reps}): exact / baseline = ${(best(cpu.exact) / best(cpu.baseline)).toFixed(2)}x; epoch-cache / baseline = ${(best(cpu.cache) / best(cpu.baseline)).toFixed(2)}x`);
console.log(`THROUGHPUT per CPU second: baseline ${(n / best(cpu.baseline)).toFixed(0)} centre images/s; LDL-ALSG exact ${(n / best(cpu.exact)).toFixed(0)}; epoch-cache ${(n / best(cpu.cache)).toFixed(0)}`);
console.log(`THROUGHPUT (${values.backbone}@${side}, ${backend.name}): baseline ${(n / best(times.baseline)).toFixed(0)} centre images/s; LDL-ALSG exact ${(n / best(times.exact)).toFixed(0)}; epoch-cache ${(n / best(times.cache)).toFixed(0)}`);

const E = Number(values['accuracy-epochs']);
if (E > 0) {
  for (const [method, mode] of [['baseline', 'exact'], ['ldl-alsg', 'exact'], ['ldl-alsg', 'epoch-cache']] as const) {
    const { r, seconds } = await trainOnce(method, mode, E, lr);
    const acc = accuracy(r.model);
    console.log(`ACCURACY ${method}${method === 'ldl-alsg' ? `/${mode}` : ''} (${E} epochs, lr ${lr}, lambda ${lambda}): test acc vs label ${acc.label.toFixed(4)}, vs true dominant ${acc.dominant.toFixed(4)}, ${seconds.toFixed(1)} s; last-epoch mean terms ${JSON.stringify(r.phases.main.lastEpoch)}`);
  }
}
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
