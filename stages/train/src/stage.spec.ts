import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@ldl-alsg/common';
import { writeNpy } from '@ldl-alsg/artifacts';
import { CLASSES } from '@ldl-alsg/labels';
import { writeManifest } from '@ldl-alsg/datasets';
import { loadLayersModelFromDir } from '@ldl-alsg/models';
import { SimulatedKill, trainFromArtifacts, type TrainParams } from '@ldl-alsg/training';
import { paramsWithDefaults } from '@ldl-alsg/pipeline';
import { trainParamsSchema } from './params-schema';
import { stage } from './stage';

const n = 48; // 40 train + 8 test; class c images are brighter in band c
async function fixture(): Promise<{ ds: string; graph: string; root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'train-stage-'));
  const ds = join(root, 'ds');
  mkdirSync(join(ds, 'images'), { recursive: true });
  const rng = new Rng(1, 'fixture');
  const rows = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const px = Buffer.from(Array.from({ length: 64 }, (_, p) => Math.max(0, Math.min(255, (Math.floor(p / 8) % 3 === c ? 200 : 60) + rng.normal(0, 20)))));
    await sharp(px, { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(join(ds, 'images', `${i}.png`));
    rows.push({ id: `img${i}`, path: `images/${i}.png`, label: CLASSES[c], dataset: 'toy', split: i < 40 ? 'train' : 'test' } as const);
  }
  writeManifest(ds, rows as never);
  const graph = join(root, 'graph-au');
  mkdirSync(graph);
  const nb = new Int32Array(n * 4).fill(-1);
  const sim = new Float32Array(n * 4);
  for (let i = 0; i < 40; i++) {
    if (i === 7) continue; // one training image without neighbours
    for (let j = 0; j < 4; j++) {
      nb[i * 4 + j] = (i + 3 * (j + 1)) % 39; // same class (i mod 3), never a test row
      sim[i * 4 + j] = 0.5;
    }
  }
  writeNpy(join(graph, 'neighbors.npy'), nb, [n, 4]);
  writeNpy(join(graph, 'similarity.npy'), sim, [n, 4]);
  writeFileSync(join(graph, 'graph.json'), JSON.stringify({ space: 'au', k: 4, sigma: 1 }));
  return { ds, graph, root };
}

const params = (over: Partial<TrainParams> = {}): TrainParams =>
  paramsWithDefaults<TrainParams>(trainParamsSchema as unknown as Record<string, unknown>, { backend: 'wasm', inputSize: 8, epochs: 3, lr: 0.05, groupsPerBatch: 8, batchSize: 8, lambda: { au: 0.5, landmarks: 0 }, ...over }, 'train params');
const quiet = () => undefined;

describe('train stage', () => {
  it('declares a documented schema', () => {
    const props = (stage.paramsSchema as { properties: Record<string, { description?: string }> }).properties;
    for (const key of ['method', 'backbone', 'inputSize', 'lambda', 'k', 'reduction', 'epochs', 'lr', 'momentum', 'weightDecay', 'warmupEpochs', 'groupsPerBatch', 'batchSize', 'backend', 'seed', 'neighbourMode', 'air']) {
      expect(props[key]?.description, key).toBeTruthy();
    }
  });

  it('trains LDL-ALSG(AU), writes a loadable model, log and summary; a killed run resumes to the same model', async () => {
    const { ds, graph, root } = await fixture();
    const run = (out: string, scratch: string, failAfter?: { phase: string; epoch: number }) =>
      trainFromArtifacts({ datasetDirs: [ds], graphDirs: [graph], params: params({ method: 'ldl-alsg' }), seed: 3, outDir: out, scratchDir: scratch, log: quiet, failAfter });
    const outA = join(root, 'a');
    mkdirSync(outA);
    const summary = await run(outA, join(root, 'sa'));
    expect(summary.variant).toBe('LDL-ALSG(AU)');
    expect((summary.graphs as { rowsWithoutNeighbours: number }[])[0].rowsWithoutNeighbours).toBe(1);
    const log = readFileSync(join(outA, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log[0]).toEqual(expect.objectContaining({ phase: 'main', epoch: 1, ce: expect.any(Number), guidance_au: expect.any(Number), lr: expect.any(Number), imagesPerSecond: expect.any(Number) }));
    const model = await loadLayersModelFromDir(join(outA, 'model', 'model.json'));
    expect(model.outputs[0].shape).toEqual([null, 7]);

    const outB = join(root, 'b');
    mkdirSync(outB);
    await expect(run(outB, join(root, 'sb'), { phase: 'main', epoch: 2 })).rejects.toBeInstanceOf(SimulatedKill);
    expect(existsSync(join(outB, 'model'))).toBe(false);
    await run(outB, join(root, 'sb'));
    expect(readFileSync(join(outB, 'model', 'weights.bin'))).toEqual(readFileSync(join(outA, 'model', 'weights.bin')));
    model.dispose();
  });

  it('trains on the abc mixture (every image once per annotation) and IPA2LT on the three annotation sets', async () => {
    const { ds, root } = await fixture();
    const labels = join(root, 'abc');
    mkdirSync(labels);
    const lines = ['id,original,label_a,label_b,label_c', ...Array.from({ length: n }, (_, i) => `img${i},${CLASSES[i % 3]},${CLASSES[i % 3]},${CLASSES[(i + (i % 5 === 0 ? 1 : 0)) % 3]},${CLASSES[i % 3]}`)];
    writeFileSync(join(labels, 'labels.csv'), lines.join('\n') + '\n');
    const go = (over: Partial<TrainParams>, name: string, pretrainedDir?: string) =>
      trainFromArtifacts({ datasetDirs: [ds], graphDirs: [], labelsDir: labels, pretrainedDir, params: params({ epochs: 2, ...over }), seed: 1, outDir: join(root, name), scratchDir: join(root, `s-${name}`), log: quiet });
    const nal = await go({ method: 'nal' }, 'nal');
    expect(nal.samples).toBe(120);
    expect((nal.labels as { columns: string[] }).columns).toEqual(['label_a', 'label_b', 'label_c']);
    const ipa = await go({ method: 'ipa2lt', ipa2lt: { pretrainEpochs: 1, coderEpochs: 1, ltnetEpochs: 1 } }, 'ipa');
    expect(ipa.annotators).toEqual(['label_a', 'label_b', 'label_c', 'coder-label_a', 'coder-label_b', 'coder-label_c']);
    expect(existsSync(join(root, 'ipa', 'model', 'model.json'))).toBe(true);
    expect(Object.keys(ipa.phases as object)).toContain('pretrain');
    // Starting from another train instance's model skips IPA2LT's own pre-training.
    const warm = await go({ method: 'ipa2lt', ipa2lt: { coderEpochs: 1, ltnetEpochs: 1 } }, 'ipa-warm', join(root, 'nal'));
    expect(Object.keys(warm.phases as object)).toEqual(['coder-label_a', 'coder-label_b', 'coder-label_c', 'ltnet']);
    // A checkpoint of another backbone is refused with both weight lists (the default small-cnn's weights do not depend
    // on the input size, so another backbone is what makes them not fit).
    await expect(go({ method: 'baseline', backbone: 'mlp' }, 'bad-init', join(root, 'nal'))).rejects.toThrow(/weights \[3x3x1x16, .*\] do not fit backbone mlp@8 \[64x512, /);
  });

  it('trains AIR from a pretrained model with a clean auxiliary set (truth or given labels); resumes; clear errors', async () => {
    const { ds, root } = await fixture();
    const aux = ds; // the training ingest itself as the auxiliary input (as AIR's released code does); real wiring uses another ingest
    const go = (over: Partial<TrainParams>, name: string, extra: { auxiliaryDir?: string; pretrainedDir?: string; failAfter?: { phase: string; epoch: number } } = {}) =>
      trainFromArtifacts({ datasetDirs: [ds], graphDirs: [], params: params({ epochs: 2, ...over }), seed: 2, outDir: join(root, name), scratchDir: join(root, `s-${name}`), log: quiet, ...extra });
    await go({ method: 'baseline', epochs: 1 }, 'base');
    const air = { weight: 10, auxiliaryCount: 12, auxiliaryPerBatch: 4, auxiliaryLabels: 'truth' as const, auxiliarySplit: 'train' };
    await expect(go({ method: 'air', air }, 'no-aux')).rejects.toThrow(/method air needs auxiliary images.*wire input `auxiliary`/);
    await expect(go({ method: 'air', air }, 'no-dist', { auxiliaryDir: aux })).rejects.toThrow(/distribution.npy: not found; air.auxiliaryLabels = truth/);
    // The truth says every auxiliary row is class 0 (the manifest says i mod 3): truth and given select differently.
    writeNpy(join(aux, 'distribution.npy'), Float32Array.from({ length: n * 7 }, (_, k) => (k % 7 === 0 ? 0.7 : 0.05)), [n, 7]);
    const a = await go({ method: 'air', air }, 'air', { auxiliaryDir: aux, pretrainedDir: join(root, 'base') });
    expect(Object.keys(a.phases as object)).toEqual(['air']);
    expect(a.auxiliary).toEqual(expect.objectContaining({ count: 12, candidates: 40, split: 'train' }));
    expect((a.auxiliary as { perClass: Record<string, number> }).perClass[CLASSES[0]]).toBe(12);
    expect((a.params as { air: { weight: number } }).air.weight).toBe(10);
    const log = readFileSync(join(root, 'air', 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log[0]).toEqual(expect.objectContaining({ phase: 'air', ce: expect.any(Number), air: expect.any(Number) }));
    expect(log[0].air).toBeGreaterThan(0);
    const given = await go({ method: 'air', epochs: 1, air: { ...air, auxiliaryLabels: 'given' } }, 'air-given', { auxiliaryDir: aux });
    expect((given.auxiliary as { perClass: Record<string, number> }).perClass).toEqual(expect.objectContaining({ [CLASSES[0]]: 4, [CLASSES[1]]: 4, [CLASSES[2]]: 4 }));
    // A killed run resumes to the same model.
    await expect(go({ method: 'air', air }, 'air-kill', { auxiliaryDir: aux, pretrainedDir: join(root, 'base'), failAfter: { phase: 'air', epoch: 1 } })).rejects.toBeInstanceOf(SimulatedKill);
    await go({ method: 'air', air }, 'air-kill', { auxiliaryDir: aux, pretrainedDir: join(root, 'base') });
    expect(readFileSync(join(root, 'air-kill', 'model', 'weights.bin'))).toEqual(readFileSync(join(root, 'air', 'model', 'weights.bin')));
    const model = await loadLayersModelFromDir(join(root, 'air', 'model', 'model.json'));
    expect(model.outputs[0].shape).toEqual([null, 7]);
    model.dispose();
  });

  it('rejects bad input with clear errors', async () => {
    const { ds, graph, root } = await fixture();
    const go = (over: Partial<TrainParams>, graphs = [graph], labelsDir?: string) =>
      trainFromArtifacts({ datasetDirs: [ds], graphDirs: graphs, labelsDir, params: params(over), seed: 1, outDir: join(root, 'x'), scratchDir: join(root, 'sx'), log: quiet });
    // Ranges are the schema's alone (params-schema.ts); paramsWithDefaults applies it as the executor does.
    expect(() => params({ method: 'ldl-alsg', lambda: { au: -1, landmarks: 0 } })).toThrow('train params lambda.au: au must be >= 0, but got -1');
    expect(() => params({ epochs: 0 })).toThrow('train params epochs: epochs must be >= 1, but got 0');
    await expect(go({ epochs: 2, warmupEpochs: 3 })).rejects.toThrow('train: warmupEpochs must be in 0..epochs (2), but got 3');
    // A graph whose ids exceed the manifest.
    const bad = join(root, 'bad-graph');
    mkdirSync(bad);
    const nb = new Int32Array(n * 4).fill(-1);
    nb[5] = 999;
    writeNpy(join(bad, 'neighbors.npy'), nb, [n, 4]);
    writeNpy(join(bad, 'similarity.npy'), new Float32Array(n * 4), [n, 4]);
    await expect(go({ method: 'ldl-alsg' }, [bad])).rejects.toThrow(/neighbour 1 is 999, outside the manifest's 48 rows/);
    writeFileSync(join(bad, 'graph.json'), JSON.stringify({ space: 'au', sigma: -2 }));
    await expect(go({ method: 'ldl-alsg' }, [bad])).rejects.toThrow(/sigma must be > 0, but got -2/);
    // Labels outside the class set.
    const labels = join(root, 'labels');
    mkdirSync(labels);
    const lines = ['id,original,label', ...Array.from({ length: n }, (_, i) => `img${i},${CLASSES[i % 3]},${i === 4 ? 'contempt' : CLASSES[i % 3]}`)];
    writeFileSync(join(labels, 'labels.csv'), lines.join('\n') + '\n');
    await expect(go({}, [], labels)).rejects.toThrow(/labels.csv:6: label must be one of neutral.*but got "contempt"/);
    await expect(go({ method: 'ldl-alsg' }, [])).rejects.toThrow(/ldl-alsg needs at least one graph/);
    await expect(go({ method: 'ldl-alsg', k: { au: 5, landmarks: 4 } })).rejects.toThrow(/k.au must be an integer in 1..4/);
  });
});
