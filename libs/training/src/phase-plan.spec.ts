import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '@ldl-alsg/common';
import { runMethod, type MethodConfig } from './run-method';
import { createDenseModel, fromLayersModel } from './trainable-model';
import { mixtureSamples } from './training-data';
import { plannedImages } from './phase-plan';

await tf.setBackend('cpu');

/** A Progress that remembers the totals it was given and counts every image. */
function recorder() {
  const seen = { totals: new Set<number | undefined>(), count: 0, details: [] as string[] };
  const progress: Progress = {
    tick: (k = 1) => void (seen.count += k),
    update: (done) => void (seen.count = done),
    setDetail: (d) => void (d && seen.details.push(d)),
    setTotal: (total, done) => {
      seen.totals.add(total);
      if (done !== undefined) seen.count = done;
    },
    done: () => undefined,
  };
  return { seen, progress };
}

const n = 60, d = 3, C = 3;
const X = tf.tensor2d(Float32Array.from({ length: n * d }, (_, k) => ((k * 7) % 11) / 11), [n, d]);
const label = (shift: number) => Int32Array.from({ length: n }, (_, i) => (i + shift) % C);

describe('plannedImages: the instance-wide progress total', () => {
  for (const [method, sets, initWeights] of [
    ['nal', 1, false], ['nal', 1, true], ['ipa2lt', 3, false], ['ipa2lt', 1, true], ['baseline', 1, false],
  ] as const) {
    it(`${method} (${sets} label set(s)${initWeights ? ', from given weights' : ''}): the bar ends exactly at its total`, async () => {
      const annotations = Array.from({ length: sets }, (_, s) => ({ name: sets > 1 ? `label_${'abc'[s]}` : 'label', label: label(s) }));
      const datasetSets = [{ name: 'x', label: Int32Array.from({ length: n }, (_, i) => (i < 40 ? i % C : -1)) }, { name: 'y', label: Int32Array.from({ length: n }, (_, i) => (i >= 40 ? i % C : -1)) }];
      const createModel = () => fromLayersModel(createDenseModel({ inputSize: d, hidden: [], numClasses: C, seed: 5 }));
      const config: MethodConfig = {
        method, epochs: 3, lr: 0.1, momentum: 0.9, weightDecay: 0, warmupEpochs: 1, groupsPerBatch: 8, batchSize: 8, seed: 1,
        reduction: 'mean', neighbourMode: 'exact', ipa2lt: { coderEpochs: 2 },
      };
      const { seen, progress } = recorder();
      const dir = mkdtempSync(join(tmpdir(), 'phase-plan-'));
      const samples = mixtureSamples({ sets: annotations, source: 'test' });
      await runMethod({
        config, numClasses: C, annotations, samples, spaces: [], datasetSets, createModel, progress,
        inputs: { numRows: n, gather: (rows) => tf.gather(X, tf.tensor1d(rows, 'int32')) },
        scratchDir: join(dir, 'scratch'), logFile: join(dir, 'log.jsonl'), initWeights: initWeights ? createModel().getWeights() : undefined,
      });
      const coderRows = (sets > 1 ? annotations : datasetSets).map((s) => s.label.filter((y) => y >= 0).length);
      const total = plannedImages({ method, epochs: 3, samples: samples.row.length, rows: n, coderRows, ipa2lt: config.ipa2lt, fromInitWeights: initWeights });
      expect([...seen.totals]).toEqual([total]);
      expect(seen.count).toBe(total);
      // The last phase named on the bar, at its last epoch.
      expect(seen.details.at(-1)).toMatch(/^(main|nal|ltnet) epoch (\d+)\/\2$/);
    });
  }
});
