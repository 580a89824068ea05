/**
 * The evaluate stage's work: load the trained model (TF.js layers format through @ldl-alsg/models), predict every
 * `split = test` row of the given ingest outputs, and write metrics.json, predictions.npy, predictions.csv and
 * confusion.csv. TF.js is imported lazily so the metric code stays usable (and testable) without it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { formatCsv, readNpy, writeFileAtomic, writeJsonAtomic, writeNpy } from '@ldl-alsg/artifacts';
import { readManifest, type ManifestRow } from '@ldl-alsg/datasets';
import { NUM_CLASSES } from '@ldl-alsg/labels';
import { CONFUSION_COLUMNS, computeEvaluationMetrics, confusionRows, type EvalRow, type EvaluationMetrics, PREDICTION_COLUMNS, predictionRows } from './metrics-file';
import { readRunInfo } from './run-info';

/** Evaluate params (see stages/evaluate). */
export interface EvaluateParams {
  /** TF.js backend for inference: auto | tensorflow-gpu | tensorflow | wasm | cpu. Default auto. */
  backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** Images per forward pass. Default 128. */
  batchSize: number;
  /** Descriptor overrides copied into metrics.json run.tags (e.g. {noise: "ABC"}). Default {}. */
  tags: Record<string, string>;
}

export interface EvaluateArgs {
  params: EvaluateParams;
  /** Train output folder (model/model.json, train-summary.json, stage.json). */
  modelDir: string;
  /** Ingest output folders (manifest.csv, optional distribution.npy). */
  datasetDirs: readonly string[];
  /** Optional noise stage output the model was trained with (for run.noise). */
  labelsDir?: string;
  outDir: string;
  log?: (message: string) => void;
  progress?: (label: string, total: number) => Progress;
}

/** Test rows of the given ingest outputs plus their true distributions (NaN rows where unknown), in manifest order. */
export function loadTestRows(datasetDirs: readonly string[]): { rows: ManifestRow[]; distributions: Float32Array | null } {
  const rows: ManifestRow[] = [];
  const dists: number[] = [];
  let anyDistribution = false;
  const seen = new Set<string>();
  for (const dir of datasetDirs) {
    const m = readManifest(dir);
    const file = join(dir, 'distribution.npy');
    let dist: Float32Array | Float64Array | null = null;
    if (existsSync(file)) {
      const arr = readNpy(file);
      if (arr.shape.length !== 2 || arr.shape[0] !== m.rows.length || arr.shape[1] !== NUM_CLASSES) {
        throw new AlsgError('E_ARTIFACT', `${file}: shape must be [${m.rows.length}, ${NUM_CLASSES}] (one row per manifest row), but got [${arr.shape.join(', ')}]`, { file });
      }
      dist = arr.data as Float32Array;
      anyDistribution = true;
    }
    m.rows.forEach((r, i) => {
      if (r.split !== 'test') return;
      if (seen.has(r.id)) throw new AlsgError('E_INPUT', `duplicate test id "${r.id}" in ${dir}/manifest.csv`);
      seen.add(r.id);
      rows.push(r);
      for (let c = 0; c < NUM_CLASSES; c++) dists.push(dist ? dist[i * NUM_CLASSES + c] : NaN);
    });
  }
  return { rows, distributions: anyDistribution ? Float32Array.from(dists) : null };
}

/** Runs the model over the test rows and writes the outputs; returns the metrics. */
export async function runEvaluation(args: EvaluateArgs): Promise<EvaluationMetrics & { inference: { backend: string; seconds: number } }> {
  const started = Date.now();
  const run = readRunInfo(args.modelDir, args.labelsDir, args.params.tags);
  const { rows, distributions } = loadTestRows(args.datasetDirs);
  if (rows.length === 0) throw new AlsgError('E_INPUT', `evaluate: no rows with split = test in ${args.datasetDirs.join(', ')}`);
  const modelJson = join(args.modelDir, 'model', 'model.json');
  if (!existsSync(modelJson)) throw new AlsgError('E_ARTIFACT', `${modelJson}: not found (expected the train stage's model/model.json)`, { file: modelJson });

  const models = await import('@ldl-alsg/models');
  const tf = await import('@tensorflow/tfjs');
  const backend = await models.initBackend(args.params.backend ?? 'auto');
  args.log?.(`backend ${backend.summary}`);
  const model = await models.loadLayersModelFromDir(modelJson);
  const shape = model.inputs[0].shape;
  if (shape.length !== 4 || shape[1] !== shape[2] || typeof shape[1] !== 'number') {
    throw new AlsgError('E_ARTIFACT', `${modelJson}: model input must be [n, H, H, C] images, but got [${shape.join(', ')}]`, { file: modelJson });
  }
  const size = shape[1];
  const channels = shape[3] ?? 1;
  const decode = args.progress?.('decode test images', rows.length);
  const paths = rows.map((r) => r.path);
  const cache = await models.loadImageTensorCache(paths, size, models.imageCacheFile(paths, size), { onImage: (done) => decode?.update(done) });
  decode?.done();
  const probs = new Float32Array(rows.length * NUM_CLASSES);
  const batch = Math.max(1, args.params.batchSize ?? 128);
  const bar = args.progress?.('predict', rows.length);
  for (let start = 0; start < rows.length; start += batch) {
    const idx = Array.from({ length: Math.min(batch, rows.length - start) }, (_, j) => start + j);
    const out = tf.tidy(() => {
      let x: import('@tensorflow/tfjs').Tensor4D = models.makeImageBatch(cache, idx);
      // The image cache is grayscale; a colour model sees the grey value in every channel.
      if (channels !== 1) x = tf.tile(x, [1, 1, 1, channels]);
      const logits = model.predict(x) as import('@tensorflow/tfjs').Tensor2D;
      if (logits.shape[1] !== NUM_CLASSES) throw new AlsgError('E_ARTIFACT', `${modelJson}: model must output ${NUM_CLASSES} logits, but gives ${logits.shape[1]}`);
      return tf.softmax(logits); // backbones output logits (libs/models contract)
    });
    probs.set(await out.data(), start * NUM_CLASSES);
    out.dispose();
    bar?.update(start + idx.length);
  }
  bar?.done();
  model.dispose();

  const evalRows: EvalRow[] = rows.map((r) => ({ id: r.id, dataset: r.dataset, domain: r.domain, labelIndex: r.labelIndex }));
  const metrics = { ...computeEvaluationMetrics(evalRows, probs, distributions, run), inference: { backend: backend.name, seconds: (Date.now() - started) / 1000 } };
  writeNpy(join(args.outDir, 'predictions.npy'), probs, [rows.length, NUM_CLASSES]);
  writeFileAtomic(join(args.outDir, 'predictions.csv'), formatCsv(PREDICTION_COLUMNS, predictionRows(evalRows, probs)));
  writeFileAtomic(join(args.outDir, 'confusion.csv'), formatCsv(CONFUSION_COLUMNS, confusionRows(evalRows, probs)));
  writeJsonAtomic(join(args.outDir, 'metrics.json'), metrics);
  for (const s of metrics.sets) args.log?.(`${s.dataset} (${s.domain ?? '-'}): n=${s.n} accuracy ${s.accuracy.toFixed(2)}%`);
  const a = metrics.averages;
  args.log?.(`wild ${a.wild?.toFixed(2) ?? '-'} lab ${a.lab?.toFixed(2) ?? '-'} all ${a.all?.toFixed(2) ?? '-'}`);
  return metrics;
}
