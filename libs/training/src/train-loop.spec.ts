import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@ldl-alsg/common';
import { tfTotalLoss } from '@ldl-alsg/ldl';
import { runTrainLoop, SimulatedKill, type TrainLoopArgs } from './train-loop';
import { createEpochEvaluator, evenlySpacedRows, scoreSet } from './epoch-metrics';
import { createDenseModel, fromLayersModel } from './trainable-model';
import { learningRateAt } from './schedule';

await tf.setBackend('cpu');

function problem(n = 96, d = 6, C = 3) {
  const rng = new Rng(1, 'data');
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * d] > 0.5 ? 0 : x[i * d + 1] > 0 ? 1 : 2));
  return { x, y, n, d, C };
}

function args(dir: string, extra: Partial<TrainLoopArgs<{ y: tf.Tensor1D }>> = {}): TrainLoopArgs<{ y: tf.Tensor1D }> {
  const p = problem();
  const model = fromLayersModel(createDenseModel({ inputSize: p.d, hidden: [8], numClasses: p.C, seed: 7 }));
  const X = tf.tensor2d(p.x, [p.n, p.d]);
  const Y = tf.tensor1d(p.y, 'int32');
  return {
    phase: 'main', model, numSamples: p.n, batchSize: 16, seed: 3,
    epochs: 4, lr: 0.1, momentum: 0.9, weightDecay: 0.0004, warmupEpochs: 1,
    prepareBatch: (ids) => {
      const idx = tf.tensor1d(ids, 'int32');
      const x = tf.gather(X, idx);
      const y = tf.gather(Y, idx);
      idx.dispose();
      return { x, tensors: [x, y], data: { y } };
    },
    loss: (logits, batch) => {
      const t = tfTotalLoss(logits, batch.data.y, []);
      return { total: t.total, terms: { ce: t.ce } };
    },
    checkpointDir: join(dir, 'ckpt'), logFile: join(dir, 'log.jsonl'), logEvery: 2,
    ...extra,
  };
}

const weightsOf = (a: TrainLoopArgs<unknown>) => a.model.getWeights().flatMap((w) => Array.from(w.dataSync()));

describe('runTrainLoop', () => {
  it('learns, logs, and a killed run resumes to the same weights and log', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'loop-a-'));
    const a = args(dirA);
    const ra = await runTrainLoop(a);
    expect(ra.lastEpoch.ce).toBeLessThan(0.8);

    const dirB = mkdtempSync(join(tmpdir(), 'loop-b-'));
    const b1 = args(dirB, { failAfterEpoch: 2 });
    await expect(runTrainLoop(b1)).rejects.toBeInstanceOf(SimulatedKill);
    // A fresh process: a new model initialised differently, so only the checkpoint can make the results agree.
    const b2 = args(dirB);
    b2.model.setWeights(b2.model.getWeights().map((w) => tf.zerosLike(w)));
    const rb = await runTrainLoop(b2);
    expect(rb.resumedFromEpoch).toBe(2);
    expect(weightsOf(b2)).toEqual(weightsOf(a));
    const strip = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => { const o = JSON.parse(l); delete o.imagesPerSecond; delete o.seconds; return o; });
    expect(strip(b2.logFile)).toEqual(strip(a.logFile));
    const first = strip(a.logFile)[0];
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['epoch', 'step', 'lr', 'total', 'ce']));
  });

  it('scores every epoch through onEpochEnd without changing the trained weights', async () => {
    const plain = args(mkdtempSync(join(tmpdir(), 'loop-plain-')));
    await runTrainLoop(plain);
    const p = problem();
    const X = tf.tensor2d(p.x, [p.n, p.d]);
    // Validation rows: the last 32 samples (the loop trains on all of them here; only the mechanics matter).
    const valRows = evenlySpacedRows(p.n, 32);
    const set = (rows: Int32Array) => ({ inputs: { numRows: rows.length, gather: (r: Int32Array) => tf.gather(X, tf.tensor1d(Int32Array.from(r, (i) => rows[i]), 'int32')) }, label: Int32Array.from(rows, (i) => p.y[i]) });
    const evaluator = createEpochEvaluator({ train: set(evenlySpacedRows(p.n, 40)), val: set(valRows), batchSize: 7 });
    const epochs: number[] = [];
    const watched = args(mkdtempSync(join(tmpdir(), 'loop-val-')), { onEpochEnd: (end) => { epochs.push(end.epoch); return evaluator(end); } });
    await runTrainLoop(watched);
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(weightsOf(watched)).toEqual(weightsOf(plain));
    const records = readFileSync(watched.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.epochEnd);
    expect(records.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of records) {
      expect(r).toMatchObject({ phase: 'main', epochs: 4, trainLoss: r.total, valImages: 32 });
      for (const k of ['trainAccuracy', 'valAccuracy', 'valLoss', 'seconds']) expect(Number.isFinite(r[k])).toBe(true);
    }
    // The record's accuracy is the model's inference-mode accuracy on those rows after the last epoch.
    expect(records[3].valAccuracy).toBeCloseTo(scoreSet(watched.model, set(valRows), 32).accuracy, 2);
    // Learning shows on the curve: later epochs fit the training rows better than the first.
    expect(records[3].trainAccuracy).toBeGreaterThan(records[0].trainAccuracy - 1e-9);
    // Without a validation set the fields are null, not missing.
    expect(createEpochEvaluator({ batchSize: 8 })({ phase: 'main', epoch: 1, epochs: 1, model: watched.model, means: {} })).toEqual({ trainAccuracy: null, valLoss: null, valAccuracy: null, valImages: 0 });
  });

  it('stops with E_NUMERIC on a NaN loss, naming step and samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loop-nan-'));
    const a = args(dir, {
      loss: (logits) => ({ total: tf.mul(tf.sum(logits), NaN) as tf.Scalar, terms: {} }),
      describeSamples: (ids) => Array.from(ids, (i) => `img${i}`),
    });
    await expect(runTrainLoop(a)).rejects.toMatchObject({ code: 'E_NUMERIC', details: { step: 0 } });
    await expect(runTrainLoop(args(dir, { loss: (l) => ({ total: tf.mul(tf.sum(l), NaN) as tf.Scalar, terms: {} }) }))).rejects.toThrow(/step 0.*batch samples: \d+/);
  });
});

describe('learningRateAt', () => {
  it('warms up linearly then decays by a cosine to 0', () => {
    const s = { lr: 1, stepsPerEpoch: 10, epochs: 10, warmupEpochs: 1 };
    expect(learningRateAt(0, s)).toBeCloseTo(0.1);
    expect(learningRateAt(9, s)).toBeCloseTo(1);
    expect(learningRateAt(10, s)).toBeCloseTo(1);
    expect(learningRateAt(55, s)).toBeCloseTo(0.5);
    expect(learningRateAt(99, s)).toBeLessThan(0.001);
  });
});
