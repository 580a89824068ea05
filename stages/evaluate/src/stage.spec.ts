import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { readNpy, readCsv, writeNpy } from '@ldl-alsg/artifacts';
import { writeManifest } from '@ldl-alsg/datasets';
import { CLASSES } from '@ldl-alsg/labels';
import { createBackbone, initBackend, saveLayersModel } from '@ldl-alsg/models';
import type { EvaluateParams, EvaluationMetrics } from '@ldl-alsg/evaluation';
import { applyParamsSchema, type StageContext } from '@ldl-alsg/pipeline';
import { stage } from './stage';

/** Two ingest outputs (a wild and a lab test set, plus train rows that must be ignored), a saved tiny model. */
async function fixture(): Promise<{ root: string; model: string; wild: string; lab: string }> {
  const root = mkdtempSync(join(tmpdir(), 'alsg-evaluate-'));
  const wild = join(root, 'wild');
  const lab = join(root, 'lab');
  for (const [dir, name, domain, n] of [[wild, 'raf-syn', 'wild', 12], [lab, 'ckplus-syn', 'lab', 9]] as const) {
    mkdirSync(join(dir, 'images'), { recursive: true });
    const rows = [];
    for (let i = 0; i < n; i++) {
      const pixels = Buffer.alloc(16 * 16, (i * 37) % 256);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(join(dir, 'images', `${i}.png`));
      rows.push({ id: `${name}-${i}`, path: `images/${i}.png`, label: CLASSES[i % 7], dataset: name, split: i < 2 ? 'train' as const : 'test' as const, domain });
    }
    writeManifest(dir, rows);
    if (domain === 'wild') {
      const dist = new Float32Array(n * 7).fill(NaN);
      for (let c = 0; c < 7; c++) dist[2 * 7 + c] = 1 / 7; // test row 0 has a known (uniform) distribution
      writeNpy(join(dir, 'distribution.npy'), dist, [n, 7]);
    }
  }
  const model = join(root, 'train');
  await initBackend('cpu');
  const net = createBackbone('mlp', { inputShape: [16, 16, 1], numClasses: 7, seed: 3 });
  await saveLayersModel(net.model, join(model, 'model'));
  writeFileSync(join(model, 'train-summary.json'), JSON.stringify({ method: 'ldl-alsg', backbone: 'mlp', backend: { name: 'cpu' }, inputSize: 16, spaces: ['au'], k: { au: 4 }, lambda: { au: 0.001 }, seed: 7 }));
  writeFileSync(join(model, 'stage.json'), JSON.stringify({ key: 'train-abc', params: { method: 'ldl-alsg' }, inputs: { dataset: ['x'] }, seed: 7 }));
  return { root, model, wild, lab };
}

/** The pipeline's view: params defaulted by the stage's schema, inputs by slot. */
function context(params: Partial<EvaluateParams>, inputs: Record<string, string[]>, outDir: string): StageContext<EvaluateParams> {
  return {
    address: 'test/evaluate',
    params: applyParamsSchema<EvaluateParams>(stage.paramsSchema, params, { file: 'spec' }).params,
    inputs,
    outDir,
    scratchDir: outDir,
    seed: 0,
    log: () => {},
    progress: () => ({ tick() {}, update() {}, done() {} }),
    record: () => {},
  };
}

describe('evaluate stage', () => {
  it('declares its params and inputs', () => {
    expect(stage.name).toBe('evaluate');
    expect(Object.keys(stage.inputs)).toEqual(['model', 'dataset', 'labels']);
  });

  it('predicts the test rows of every dataset and writes metrics consistent with its predictions', async () => {
    const { root, model, wild, lab } = await fixture();
    const out = join(root, 'out');
    mkdirSync(out);
    await stage.run(context({ backend: 'cpu', batchSize: 4, tags: { note: 'spec' } }, { model: [model], dataset: [wild, lab] }, out));
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as EvaluationMetrics;
    expect(m.sets.map((s) => [s.dataset, s.domain, s.n])).toEqual([['raf-syn', 'wild', 10], ['ckplus-syn', 'lab', 7]]);
    expect(m.run).toMatchObject({ method: 'ldl-alsg', backbone: 'mlp', backend: 'cpu', spaces: ['au'], k: { au: 4 }, lambda: { au: 0.001 }, noise: { mode: 'none' }, seed: 7, trainKey: 'train-abc', tags: { note: 'spec' } });
    const probs = readNpy(join(out, 'predictions.npy'));
    expect(probs.shape).toEqual([17, 7]);
    const preds = readCsv(join(out, 'predictions.csv')).rows;
    expect(preds).toHaveLength(17);
    for (let i = 0; i < 17; i++) {
      const row = Array.from(probs.data.subarray(i * 7, i * 7 + 7));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(preds[i].predicted).toBe(CLASSES[row.indexOf(Math.max(...row))]);
    }
    // Accuracy recomputed from predictions.csv; averages are the plain means of the two sets.
    for (const s of m.sets) {
      const mine = preds.filter((p) => p.dataset === s.dataset);
      expect(s.accuracy).toBeCloseTo((100 * mine.filter((p) => p.label === p.predicted).length) / mine.length, 10);
    }
    expect(m.averages.all).toBeCloseTo((m.sets[0].accuracy + m.sets[1].accuracy) / 2, 10);
    expect(m.sets[0].ldl!.n).toBe(1);
    expect(m.sets[1].ldl).toBeNull();
    const conf = readCsv(join(out, 'confusion.csv')).rows;
    expect(conf).toHaveLength(14);
    expect(conf.filter((r) => r.dataset === 'raf-syn').reduce((a, r) => a + CLASSES.reduce((b, c) => b + Number(r[c]), 0), 0)).toBe(10);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the missing model file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'alsg-evaluate-'));
    const { wild } = await fixture();
    writeFileSync(join(root, 'train-summary.json'), JSON.stringify({ method: 'baseline', backbone: 'mlp' }));
    mkdirSync(join(root, 'o'));
    await expect(stage.run(context({ backend: 'cpu' }, { model: [root], dataset: [wild] }, join(root, 'o')))).rejects.toThrow(/model\/model.json: not found/);
  });
});
