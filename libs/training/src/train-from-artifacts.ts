/**
 * The train stage's work (docs/contracts.md, `train`): read the ingest, graph and noise outputs, pick the TF.js backend,
 * build the backbone, run the method, and write `model/` (TF.js layers format), `train-log.jsonl` and
 * `train-summary.json`. Stage and CLI are thin wrappers around {@link trainFromArtifacts}.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import { CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { readManifests } from '@ldl-alsg/datasets';
import { createBackbone, imageCacheFile, initBackend, loadImageTensorCache, loadLayersModelFromDir, makeImageBatch, saveLayersModel, type BackendPreference } from '@ldl-alsg/models';
import type { LossReduction } from '@ldl-alsg/ldl';
import type { InputSource, NeighbourMode } from './ldl-alsg-method';
import { runMethod, type MethodConfig, type MethodName } from './run-method';
import { fromBackbone } from './trainable-model';
import { loadGraph, mixtureSamples, readAuxiliaryRows, readTrainingLabels, toNeighbourSpace, trainRowIndices, type AnnotationSet } from './training-data';
import { selectAuxiliary, type AirOptions, type AuxiliarySet } from './air';
import { createEpochEvaluator, evenlySpacedRows, MAX_TRAIN_EVAL_ROWS, type EvaluationSet } from './epoch-metrics';

/**
 * The train stage's parameters, complete and checked: every field's meaning, range and default live in
 * `stages/train/src/params-schema.ts` (applied by the executor, `alsg train`, or `paramsWithDefaults` in tests and benches), so nothing
 * here merges defaults or repeats its rules.
 */
export interface TrainParams {
  method: MethodName;
  backbone: string;
  inputSize: number;
  lambda: { au: number; landmarks: number };
  k: { au: number; landmarks: number };
  reduction: LossReduction;
  epochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupEpochs: number;
  groupsPerBatch: number;
  batchSize: number;
  backend: BackendPreference;
  seed?: number;
  neighbourMode: NeighbourMode;
  nal: { pretrainEpochs?: number };
  ipa2lt: { pretrainEpochs?: number; coderEpochs?: number; ltnetEpochs?: number };
  air: AirOptions;
  logEvery: number;
}

export interface TrainFromArtifactsArgs {
  /** Ingest output folders (manifests concatenated in order). */
  datasetDirs: readonly string[];
  /** Graph stage output folders (one per auxiliary space). */
  graphDirs: readonly string[];
  /** Noise stage output folder (labels.csv), optional. */
  labelsDir?: string;
  /** AIR's auxiliary images: an ingest output folder (rows of split `air.auxiliarySplit`, clean labels), optional. */
  auxiliaryDir?: string;
  /** A train stage output folder whose `model/` gives the initial weights (same backbone and inputSize), optional. */
  pretrainedDir?: string;
  params: TrainParams;
  seed: number;
  outDir: string;
  scratchDir: string;
  log(message: string): void;
  progress?(label: string, total: number | undefined, unit?: string): Progress;
  record?(info: Record<string, unknown>): void;
  /** Test hook: simulated kill after `epoch` of `phase`. */
  failAfter?: { phase: string; epoch: number };
}

/** Runs the train stage end to end; returns the summary written to train-summary.json. */
export async function trainFromArtifacts(args: TrainFromArtifactsArgs): Promise<Record<string, unknown>> {
  const p = args.params;
  const { air } = p;
  // The one rule between two parameters, which a JSON Schema cannot state.
  if (p.warmupEpochs > p.epochs) throw new AlsgError('E_CONFIG', `train: warmupEpochs must be in 0..epochs (${p.epochs}), but got ${p.warmupEpochs}`, { path: 'params.warmupEpochs' });
  if (p.method === 'air') {
    if (!args.auxiliaryDir) {
      throw new AlsgError('E_CONFIG', 'train: method air needs auxiliary images with clean labels: wire input `auxiliary` to an ingest instance (e.g. a second synthfer ingest with another seed and only small training splits; CLI --auxiliary <ingest dir>)', { path: 'inputs.auxiliary' });
    }
  } else if (args.auxiliaryDir) args.log(`method ${p.method} does not use the wired auxiliary images`);
  const started = performance.now();
  const backend = await initBackend(p.backend);
  // One short line per instance; the full detail (package, kernel fixes, why other backends failed) goes to stage.json.
  args.log(`backend ${backend.summary}`);

  const { rows } = readManifests(args.datasetDirs);
  const train = trainRowIndices(rows);
  const labels = readTrainingLabels(rows, train, args.labelsDir);
  const samples = mixtureSamples(labels);
  args.log(`${train.length} training images, ${samples.row.length} samples (label columns: ${labels.sets.map((s) => s.name).join(', ')}; from ${labels.source})`);

  const graphs = args.graphDirs.map((dir) => loadGraph(dir, rows, train));
  const spaces = [];
  const graphInfo: Record<string, unknown>[] = [];
  for (const g of graphs) {
    if (g.space !== 'au' && g.space !== 'landmarks') throw new AlsgError('E_INPUT', `train: graph space must be au or landmarks, but got "${g.space}"`);
    if (graphs.filter((h) => h.space === g.space).length > 1) throw new AlsgError('E_CONFIG', `train: two graphs for space ${g.space}; wire one per space`);
    const info = { space: g.space, K: g.K, k: p.k[g.space], lambda: p.lambda[g.space], rowsWithoutNeighbours: g.rowsWithoutNeighbours };
    graphInfo.push(info);
    if (g.rowsWithoutNeighbours > 0) args.log(`graph ${g.space}: ${g.rowsWithoutNeighbours} of ${train.length} training images have no neighbours (no guidance term for them)`);
    if (p.method === 'ldl-alsg' && p.lambda[g.space] > 0) spaces.push(toNeighbourSpace(g, p.k[g.space], p.lambda[g.space]));
  }
  if (p.method !== 'ldl-alsg' && graphs.length) args.log(`method ${p.method} does not use the wired graphs`);

  mkdirSync(args.scratchDir, { recursive: true });
  mkdirSync(args.outDir, { recursive: true });
  // Decoded images are cached in the scratch folder (deleted after success), or in the folder shared by every train and
  // evaluate instance when ALSG_IMAGE_CACHE_DIR is set (the engine sets it). The cache's sidecar fingerprint (paths,
  // sizes, mtimes) makes a stale file rebuild itself.
  const paths = Array.from(train, (i) => rows[i].path);
  const cacheFile = imageCacheFile(paths, p.inputSize, args.scratchDir)!;
  const decode = args.progress?.('decode images', train.length, 'images');
  const cache = await loadImageTensorCache(paths, p.inputSize, cacheFile, { onImage: () => decode?.tick(), onWait: (holder) => args.log(`waiting for ${holder}, which is decoding the same images into ${cacheFile}`) });
  decode?.done();
  const inputs: InputSource = { numRows: train.length, gather: (r) => makeImageBatch(cache, r) };
  const validation = await loadValidationSet(rows, train, p.inputSize, args.scratchDir);
  if (!validation) args.log('no validation rows (split = val) in the training datasets: train-log.jsonl records no validation loss or accuracy');
  else args.log(`validation: ${validation.set.label.length} images (${validation.datasets.join(', ')}, split = val), scored after every epoch`);
  const trainSubset = evenlySpacedRows(train.length, MAX_TRAIN_EVAL_ROWS);
  const onEpochEnd = createEpochEvaluator({
    train: { inputs: { numRows: trainSubset.length, gather: (r) => makeImageBatch(cache, Int32Array.from(r, (t) => trainSubset[t])) }, label: Int32Array.from(trainSubset, (t) => labels.sets[0].label[t]) },
    val: validation?.set,
    batchSize: 256,
  });
  const inputShape: [number, number, number] = [p.inputSize, p.inputSize, 1];
  let auxiliary: AuxiliarySet | undefined;
  let auxiliaryInfo: Record<string, unknown> | undefined;
  if (p.method === 'air' && args.auxiliaryDir) {
    const cand = readAuxiliaryRows(args.auxiliaryDir, air.auxiliarySplit, air.auxiliaryLabels);
    const picked = selectAuxiliary(cand.label, air.auxiliaryCount, args.seed);
    if (picked.length < air.auxiliaryCount) args.log(`air: auxiliaryCount ${air.auxiliaryCount} but only ${picked.length} auxiliary candidates; using all of them`);
    const auxPaths = Array.from(picked, (i) => cand.rows[i].path);
    const auxCache = await loadImageTensorCache(auxPaths, p.inputSize, imageCacheFile(auxPaths, p.inputSize, args.scratchDir)!);
    auxiliary = { inputs: { numRows: picked.length, gather: (r) => makeImageBatch(auxCache, r) }, label: Int32Array.from(picked, (i) => cand.label[i]) };
    const perClass = Object.fromEntries(CLASSES.map((c, k) => [c, auxiliary!.label.filter((y) => y === k).length]));
    auxiliaryInfo = { dir: args.auxiliaryDir, split: air.auxiliarySplit, labels: cand.source, candidates: cand.rows.length, count: picked.length, perClass };
    const trainPaths = new Set(Array.from(train, (i) => rows[i].path));
    const shared = auxPaths.filter((q) => trainPaths.has(q)).length;
    if (shared > 0) args.log(`air: ${shared} of ${picked.length} auxiliary images are also training images`);
    args.log(`air: ${picked.length} auxiliary images from ${args.auxiliaryDir} (split ${air.auxiliarySplit}, labels from ${cand.source}): ${JSON.stringify(perClass)}`);
  }
  const createModel = () => fromBackbone(createBackbone(p.backbone, { inputShape, numClasses: NUM_CLASSES, seed: args.seed }));

  let initWeights: tf.Tensor[] | undefined;
  if (args.pretrainedDir) {
    const file = join(args.pretrainedDir, 'model', 'model.json');
    if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected the output of a train stage)`, { file });
    const loaded = await loadLayersModelFromDir(file);
    const probe = createModel();
    const want = probe.getWeights().map((w) => w.shape.join('x'));
    const got = loaded.getWeights().map((w) => w.shape.join('x'));
    probe.layersModel?.dispose();
    if (want.join() !== got.join()) {
      loaded.dispose();
      throw new AlsgError('E_INPUT', `${file}: weights [${got.join(', ')}] do not fit backbone ${p.backbone}@${p.inputSize} [${want.join(', ')}]`, { file });
    }
    initWeights = loaded.getWeights().map((w) => tf.clone(w));
    loaded.dispose();
    args.log(`initial weights from ${file}`);
  }
  const datasetSets: AnnotationSet[] = [...new Set(Array.from(train, (i) => rows[i].dataset))].map((name) => ({
    name,
    label: Int32Array.from(train, (i, t) => (rows[i].dataset === name ? labels.sets[0].label[t] : -1)),
  }));
  const config: MethodConfig = {
    method: p.method, epochs: p.epochs, lr: p.lr, momentum: p.momentum, weightDecay: p.weightDecay, warmupEpochs: p.warmupEpochs,
    groupsPerBatch: p.groupsPerBatch, batchSize: p.batchSize, seed: args.seed, reduction: p.reduction, neighbourMode: p.neighbourMode,
    nalPretrainEpochs: p.nal?.pretrainEpochs, ipa2lt: p.ipa2lt, air, logEvery: p.logEvery,
  };
  const logFile = join(args.scratchDir, 'train-log.jsonl');
  const progress = args.progress?.(`train ${p.method}`, undefined, 'images');
  const result = await runMethod({
    config, createModel, inputs, numClasses: NUM_CLASSES, annotations: labels.sets, samples, spaces, datasetSets,
    scratchDir: join(args.scratchDir, 'phases'), logFile, log: args.log, progress,
    describeRows: (r) => Array.from(r, (t) => rows[train[t]].id), failAfter: args.failAfter, initWeights, auxiliary, onEpochEnd,
  });
  tf.dispose(initWeights);
  progress?.done();

  // Never save a non-finite model (a NaN loss stops earlier; this also catches Inf weights from a finite loss).
  const finite = result.model.getWeights().every((w) => tf.tidy(() => tf.all(tf.isFinite(w)).dataSync()[0] === 1));
  if (!finite) throw new AlsgError('E_NUMERIC', 'train: the trained weights contain NaN or Inf; no model was saved (lower lr?)');
  const layersModel = result.model.layersModel;
  if (!layersModel) throw new AlsgError('E_STAGE', 'train: the backbone has no tf.LayersModel to save');
  await saveLayersModel(layersModel, join(args.outDir, 'model'), {
    classes: [...CLASSES], output: 'logits', input: 'grayscale pixels 0..255', inputSize: p.inputSize, method: p.method, backbone: p.backbone,
  });
  // One train-log.jsonl: the phases' logs in order (each line carries its phase).
  const log = Object.keys(result.phases)
    .map((phase) => logFile.replace(/\.jsonl$/, `.${phase}.jsonl`))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('');
  writeFileSync(join(args.outDir, 'train-log.jsonl'), log);
  const seconds = (performance.now() - started) / 1000;
  const trainSeconds = Object.values(result.phases).reduce((s, r) => s + r.seconds, 0);
  const summary: Record<string, unknown> = {
    method: p.method,
    variant: p.method === 'ldl-alsg' ? `LDL-ALSG(${spaces.map((s) => (s.name === 'au' ? 'AU' : 'FL')).join('+')})` : p.method,
    backbone: p.backbone,
    backend: { name: backend.name, version: backend.version, detail: backend.detail },
    tfjs: tf.version.tfjs,
    params: p,
    seed: args.seed,
    pretrained: args.pretrainedDir ?? null,
    trainImages: train.length,
    samples: samples.row.length,
    labels: { source: labels.source, columns: labels.sets.map((s) => s.name) },
    graphs: graphInfo,
    seconds,
    trainSeconds,
    phases: result.phases,
    finalLosses: Object.values(result.phases).at(-1)?.lastEpoch,
    neighbourStats: result.neighbourStats,
    transitions: result.transitions,
    annotators: result.annotators,
    auxiliary: auxiliaryInfo,
    validation: validation ? { images: validation.set.label.length, datasets: validation.datasets, split: 'val' } : null,
  };
  writeJsonAtomic(join(args.outDir, 'train-summary.json'), summary);
  args.record?.({ backend: summary.backend, backendSummary: backend.summary, backbone: p.backbone, tfjs: tf.version.tfjs, method: p.method, variant: summary.variant });
  result.model.layersModel?.dispose();
  return summary;
}

/**
 * The validation split: rows with `split = val` of the datasets that have training rows (never a test set), with their
 * manifest labels, decoded through the same image cache as the training images. Undefined when there are none.
 */
async function loadValidationSet(rows: ReturnType<typeof readManifests>['rows'], train: Int32Array, inputSize: number, scratchDir: string): Promise<{ set: EvaluationSet; datasets: string[] } | undefined> {
  const trainDatasets = new Set(Array.from(train, (i) => rows[i].dataset));
  const val = rows.flatMap((r, i) => (r.split === 'val' && trainDatasets.has(r.dataset) ? [i] : []));
  if (val.length === 0) return undefined;
  const paths = val.map((i) => rows[i].path);
  const cache = await loadImageTensorCache(paths, inputSize, imageCacheFile(paths, inputSize, scratchDir)!);
  const set: EvaluationSet = { inputs: { numRows: val.length, gather: (r) => makeImageBatch(cache, r) }, label: Int32Array.from(val, (i) => rows[i].labelIndex) };
  return { set, datasets: [...new Set(val.map((i) => rows[i].dataset))] };
}
