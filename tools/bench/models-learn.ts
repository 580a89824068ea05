/**
 * Learnability check for the embedded-default backbone choice: train each candidate on synthetic faces rendered in
 * memory by @ldl-alsg/synthfer (the pipeline's data), the same number of epochs, and report test accuracy (against
 * the published label and the true dominant class), training throughput and wall time. Prints; asserts nothing.
 *
 *   npx tsx tools/bench/models-learn.ts [--dataset raf-syn] [--train 4000] [--test 1000] [--render 64]
 *        [--candidates mlp@32,small-cnn@32] [--epochs 10] [--batch 32] [--lr 0.01] [--seed 1]
 *
 * A candidate is <backbone>@<input side>; the rendered images are area-downsampled to the input side (as sharp's
 * resize would do for the real pipeline). SGD momentum 0.9 with cosine-decayed learning rate, cross-entropy only.
 */
import * as tf from '@tensorflow/tfjs';
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Rng } from '@ldl-alsg/common';
import { DOMAINS, renderFace, sampleFace, type SynthferDataset } from '@ldl-alsg/synthfer';
import { createBackbone, initBackend, makeImageBatch, type ImageTensorCache } from '@ldl-alsg/models';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'raf-syn' },
    train: { type: 'string', default: '4000' },
    test: { type: 'string', default: '1000' },
    render: { type: 'string', default: '64' },
    candidates: { type: 'string', default: 'mlp@32,small-cnn@32' },
    epochs: { type: 'string', default: '10' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.01' },
    seed: { type: 'string', default: '1' },
  },
});
const seed = Number(values.seed);
const R = Number(values.render);

interface Faces { pixels: Uint8Array; labels: number[]; dominant: number[] }

function render(split: 'train' | 'test', n: number): Faces {
  const spec = DOMAINS[values.dataset as SynthferDataset];
  const pixels = new Uint8Array(n * R * R);
  const labels: number[] = [];
  const dominant: number[] = [];
  for (let i = 0; i < n; i++) {
    const face = sampleFace(seed, spec, split, i, R);
    pixels.set(renderFace(face, R, new Rng(seed, `render/${values.dataset}/${split}/${i}`)), i * R * R);
    labels.push(face.label);
    dominant.push(face.dominant);
  }
  return { pixels, labels, dominant };
}

/** Area-average downsampling by an integer factor (what a resize to the input side does). */
function shrink(f: Faces, side: number): ImageTensorCache {
  const n = f.labels.length;
  const s = R / side;
  const out = new Uint8Array(n * side * side);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let acc = 0;
        for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) acc += f.pixels[i * R * R + (y * s + dy) * R + x * s + dx];
        out[i * side * side + y * side + x] = Math.round(acc / (s * s));
      }
    }
  }
  return { data: out, shape: [n, side, side, 1] };
}

console.log(`uptime: ${execSync('uptime').toString().trim()}`);
const backend = await initBackend('wasm');
console.log(`backend: ${backend.name} ${backend.detail}`);
let t = performance.now();
const train = render('train', Number(values.train));
const test = render('test', Number(values.test));
console.log(`rendered ${train.labels.length}+${test.labels.length} ${values.dataset} faces at ${R}px in ${((performance.now() - t) / 1000).toFixed(1)} s`);
const counts = new Array(7).fill(0);
train.labels.forEach((l) => counts[l]++);
console.log(`train label counts: ${counts.join(' ')} (majority-class accuracy ${(Math.max(...counts) / train.labels.length).toFixed(3)})`);

const epochs = Number(values.epochs);
const batch = Number(values.batch);
for (const cand of values.candidates.split(',')) {
  const [name, sideText] = cand.split('@');
  const side = Number(sideText);
  const tr = shrink(train, side);
  const te = shrink(test, side);
  const net = createBackbone(name, { inputShape: [side, side, 1], numClasses: 7, seed });
  const lr0 = Number(values.lr);
  const opt = tf.train.momentum(lr0, 0.9);
  const rng = new Rng(seed, 'bench-shuffle');
  const n = train.labels.length;
  const steps = Math.floor(n / batch);
  let trainSeconds = 0;
  for (let e = 0; e < epochs; e++) {
    const order = rng.shuffle([...Array(n).keys()]);
    t = performance.now();
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      (opt as unknown as { learningRate: number }).learningRate = lr0 * 0.5 * (1 + Math.cos((Math.PI * (e * steps + s)) / (epochs * steps)));
      const rows = order.slice(s * batch, (s + 1) * batch);
      const x = makeImageBatch(tr, rows);
      const y = tf.oneHot(tf.tensor1d(rows.map((r) => train.labels[r]), 'int32'), 7);
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar, true, net.trainableVariables());
      lossSum += l!.dataSync()[0];
      tf.dispose([x, y, l!]);
    }
    trainSeconds += (performance.now() - t) / 1000;
    if (e === epochs - 1 || e % 3 === 0) console.log(`  ${cand} epoch ${e + 1}: loss ${(lossSum / steps).toFixed(3)}`);
  }
  let okLabel = 0;
  let okDominant = 0;
  for (let s = 0; s < test.labels.length; s += 256) {
    const rows = [...Array(Math.min(256, test.labels.length - s)).keys()].map((i) => s + i);
    const pred = tf.tidy(() => net.logits(makeImageBatch(te, rows), false).argMax(1).dataSync());
    rows.forEach((r, i) => {
      okLabel += pred[i] === test.labels[r] ? 1 : 0;
      okDominant += pred[i] === test.dominant[r] ? 1 : 0;
    });
  }
  console.log(
    `${cand.padEnd(14)} params ${net.countParams()}  test acc (label) ${(okLabel / test.labels.length).toFixed(3)}  (dominant) ${(okDominant / test.labels.length).toFixed(3)}  ` +
      `train ${((epochs * steps * batch) / trainSeconds).toFixed(0)} img/s, ${trainSeconds.toFixed(1)} s for ${epochs} epochs of ${n}`,
  );
  net.dispose();
  opt.dispose();
}
console.log(`uptime: ${execSync('uptime').toString().trim()}`);
