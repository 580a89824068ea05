import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossEntropyObjective } from './cross-entropy-objective';
import { createPhaseRunner } from './phase-runner';
import { SimulatedKill } from './train-loop';
import { createDenseModel, fromLayersModel } from './trainable-model';

await tf.setBackend('cpu');

describe('createPhaseRunner', () => {
  const n = 12;
  const inputs = { numRows: n, gather: (rows: Int32Array) => tf.oneHot(tf.tensor1d(rows, 'int32'), n).toFloat() };
  const samples = { row: Int32Array.from({ length: n }, (_, i) => i), label: Int32Array.from({ length: n }, (_, i) => i % 3) };
  const config = { epochs: 2, lr: 0.1, momentum: 0.9, weightDecay: 0, warmupEpochs: 1, batchSize: 4, seed: 1 };
  const model = () => fromLayersModel(createDenseModel({ inputSize: n, hidden: [], numClasses: 3, seed: 2 }));

  it('runs each phase under its own checkpoint folder and log, with its overrides, and records results in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phases-'));
    const runner = createPhaseRunner({ config, scratchDir: join(dir, 'scratch'), logFile: join(dir, 'train-log.jsonl') });
    const objective = crossEntropyObjective(samples, inputs, 'mean');
    await runner.run('first', model(), objective, samples);
    await runner.run('second', model(), objective, samples, { epochs: 1, batchSize: 6 });
    expect(Object.keys(runner.results)).toEqual(['first', 'second']);
    expect(runner.results.first.steps).toBe(2 * 3);
    expect(runner.results.second.steps).toBe(2);
    expect(existsSync(join(dir, 'scratch', 'first', 'checkpoint.json'))).toBe(true);
    const ends = (phase: string) => readFileSync(join(dir, `train-log.${phase}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.epochEnd);
    expect(ends('second').map((e) => e.phase)).toEqual(['second']);
  });

  it('a reused phase counts as done on the instance bar, so the last phase ends it at 100%', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phases-reused-'));
    const seen: Array<[number, number]> = [];
    let done = 0;
    const bar = {
      tick: (k: number) => void (done += k),
      update: (d: number) => void (done = d),
      setTotal: (total: number, already?: number) => { done = already ?? 0; seen.push([total, done]); },
      done: () => undefined,
    };
    const runner = createPhaseRunner({ config, scratchDir: dir, logFile: join(dir, 'log.jsonl'), progress: bar, plannedImages: 3 * 2 * n });
    const objective = crossEntropyObjective(samples, inputs, 'mean');
    runner.reused('a', samples);
    runner.reused('b', samples);
    await runner.run('c', model(), objective, samples);
    expect(seen).toEqual([[6 * n, 4 * n]]);
    expect(done).toBe(6 * n);
  });

  it('the kill hook fires only in the named phase, and error messages name the input rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phases-kill-'));
    const runner = createPhaseRunner({
      config, scratchDir: dir, logFile: join(dir, 'log.jsonl'), failAfter: { phase: 'b', epoch: 1 },
      describeRows: (rows) => Array.from(rows, (r) => `img${r}`),
    });
    const objective = crossEntropyObjective(samples, inputs, 'mean');
    await runner.run('a', model(), objective, samples);
    await expect(runner.run('b', model(), objective, samples)).rejects.toBeInstanceOf(SimulatedKill);
    const nan = { ...objective, loss: (logits: tf.Tensor2D) => ({ total: tf.mul(tf.sum(logits), NaN) as tf.Scalar, terms: {} }) };
    const shifted = { row: Int32Array.from(samples.row, (r) => (r + 1) % n), label: samples.label };
    await expect(runner.run('c', model(), nan, shifted)).rejects.toThrow(/batch samples: (img\d+, ){3}img\d+\./);
  });
});
