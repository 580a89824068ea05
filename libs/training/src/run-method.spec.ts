import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@ldl-alsg/common';
import { runMethod, type MethodConfig, type MethodRunArgs } from './run-method';
import { SimulatedKill } from './train-loop';
import { createDenseModel, fromLayersModel } from './trainable-model';
import { mixtureSamples } from './training-data';

await tf.setBackend('cpu');

// 3 well-separated classes in 4-d; three annotation sets with 0%, 20%, 40% symmetric noise.
const n = 120, d = 4, C = 3;
const rng = new Rng(2, 'run-method');
const truth = Int32Array.from({ length: n }, (_, i) => i % C);
const X = tf.tensor2d(Float32Array.from({ length: n * d }, (_, k) => (k % d === truth[Math.floor(k / d)] ? 2 : 0) + rng.normal(0, 0.5)), [n, d]);
const noisy = (p: number) => Int32Array.from(truth, (y) => (rng.uniform() < p ? (y + 1 + rng.int(C - 1)) % C : y));
const annotations = [{ name: 'label_a', label: noisy(0) }, { name: 'label_b', label: noisy(0.2) }, { name: 'label_c', label: noisy(0.4) }];

function run(method: MethodConfig['method'], dir: string, extra: Partial<MethodRunArgs> = {}, configExtra: Partial<MethodConfig> = {}) {
  const config: MethodConfig = {
    method, epochs: 3, lr: 0.2, momentum: 0.9, weightDecay: 0.0004, warmupEpochs: 1, groupsPerBatch: 16, batchSize: 16,
    seed: 4, reduction: 'mean', neighbourMode: 'exact', nalPretrainEpochs: 1, ipa2lt: { pretrainEpochs: 1, coderEpochs: 1, ltnetEpochs: 2 },
    ...configExtra,
  };
  return runMethod({
    config, numClasses: C, annotations, samples: mixtureSamples({ sets: annotations, source: 'test' }), spaces: [],
    createModel: () => fromLayersModel(createDenseModel({ inputSize: d, hidden: [], numClasses: C, seed: 5 })),
    inputs: { numRows: n, gather: (rows) => tf.gather(X, tf.tensor1d(rows, 'int32')) },
    scratchDir: join(dir, 'scratch'), logFile: join(dir, 'train-log.jsonl'),
    ...extra,
  });
}

const accuracy = (model: Awaited<ReturnType<typeof run>>['model']) =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.logits(X, false), 1), tf.tensor1d(truth, 'int32')), 'float32')).dataSync()[0]);

describe('runMethod', () => {
  it('the baseline, LDL-ALSG and AIR train one phase each; an unknown method is an E_CONFIG error', async () => {
    const dir = () => mkdtempSync(join(tmpdir(), 'one-phase-'));
    const baseline = await run('baseline', dir());
    expect(Object.keys(baseline.phases)).toEqual(['main']);
    expect(baseline.neighbourStats).toBeUndefined();
    // Each row's neighbours: the next two rows.
    const space = { name: 'au', K: 2, k: 2, lambda: 0.5, neighbors: Int32Array.from({ length: 2 * n }, (_, i) => (Math.floor(i / 2) + 1 + (i % 2)) % n), similarity: new Float32Array(2 * n).fill(0.5) };
    const ldl = await run('ldl-alsg', dir(), { spaces: [space] });
    expect(Object.keys(ldl.phases)).toEqual(['main']);
    expect(ldl.phases.main.lastEpoch).toHaveProperty('guidance_au');
    expect(ldl.neighbourStats!.slots).toBe(2 * 3 * n * 3); // 2 neighbours x 3 label columns x n rows x 3 epochs
    await expect(run('ldl-alsg', dir())).rejects.toMatchObject({ code: 'E_CONFIG' });
    const auxRows = Int32Array.from({ length: 12 }, (_, i) => i);
    const auxiliary = { inputs: { numRows: 12, gather: (rows: Int32Array) => tf.gather(X, tf.tensor1d(Int32Array.from(rows, (r) => auxRows[r]), 'int32')) }, label: truth.slice(0, 12) };
    const air = await run('air', dir(), { auxiliary }, { air: { weight: 1, auxiliaryPerBatch: 4, auxiliaryCount: 12, auxiliaryLabels: 'truth', auxiliarySplit: 'train' } });
    expect(Object.keys(air.phases)).toEqual(['air']);
    expect(Object.keys(air.phases.air.lastEpoch)).toEqual(['total', 'ce', 'air']);
    await expect(run('svm' as MethodConfig['method'], dir())).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/method must be one of baseline, .*but got "svm"/) });
  });

  it('NAL learns a row-stochastic channel and a base network that fits the clean classes', async () => {
    const r = await run('nal', mkdtempSync(join(tmpdir(), 'nal-')));
    expect(Object.keys(r.phases)).toEqual(['pretrain', 'nal']);
    r.transitions!.channel.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    expect(accuracy(r.model)).toBeGreaterThan(0.9);
  });

  it('IPA2LT runs pretrain, one coder per annotation set, LTNet; a killed run resumes to the same weights', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'ipa-a-'));
    const a = await run('ipa2lt', dirA);
    expect(Object.keys(a.phases)).toEqual(['pretrain', 'coder-label_a', 'coder-label_b', 'coder-label_c', 'ltnet']);
    expect(a.annotators).toEqual(['label_a', 'label_b', 'label_c', 'coder-label_a', 'coder-label_b', 'coder-label_c']);
    expect(accuracy(a.model)).toBeGreaterThan(0.9);
    // The noisiest human set's transition is further from the identity than the clean one's.
    const diag = (m: number[][]) => m.reduce((s, row, i) => s + row[i], 0) / m.length;
    expect(diag(a.transitions!.label_c)).toBeLessThan(diag(a.transitions!.label_a));

    const dirB = mkdtempSync(join(tmpdir(), 'ipa-b-'));
    await expect(run('ipa2lt', dirB, { failAfter: { phase: 'coder-label_b', epoch: 1 } })).rejects.toBeInstanceOf(SimulatedKill);
    await expect(run('ipa2lt', dirB, { failAfter: { phase: 'ltnet', epoch: 1 } })).rejects.toBeInstanceOf(SimulatedKill);
    const b = await run('ipa2lt', dirB);
    expect(b.phases.ltnet.resumedFromEpoch).toBe(1);
    const w = (r: typeof a) => r.model.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(b)).toEqual(w(a));
    expect(b.transitions).toEqual(a.transitions);
    expect(readFileSync(join(dirB, 'train-log.ltnet.jsonl'), 'utf8').trim().split('\n').length).toBe(
      readFileSync(join(dirA, 'train-log.ltnet.jsonl'), 'utf8').trim().split('\n').length,
    );
  });
});
