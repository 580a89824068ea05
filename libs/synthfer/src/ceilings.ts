/**
 * Ceilings of the synthetic benchmark: how well any method could do on each test set, given what the generator knows.
 *
 * - oracle: predict the argmax of each test face's TRUE label distribution (distribution.npy). The given labels are
 *   noisy draws (annotator bias, ambiguity), so even the truth does not reach 100%: this is the Bayes-like ceiling of a
 *   method that recovers the true distribution perfectly.
 * - features: a quadratic softmax regression on the TRUE AU intensities (truth/au.npy), trained on the given training
 *   labels: what an ideal AU detector followed by a simple classifier reaches, without any image noise.
 *
 * Both are accuracies (%) against each test set's given labels (manifest `label`), keyed by manifest `dataset`. Written by
 * the ingest stage as ceilings.json for synthfer outputs (docs/synthfer.md, "Ceilings"); `features` is null when there
 * are no training rows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '@ldl-alsg/artifacts';
import { AlsgError } from '@ldl-alsg/common';
import { readManifest } from '@ldl-alsg/datasets';
import { argmaxRow, NUM_CLASSES } from '@ldl-alsg/labels';
import { applyStats, columnStats, DEFAULT_SOFTMAX_FIT, fitSoftmax, predictSoftmax, quadraticFeatures, type SoftmaxFitParams } from './softmax-regression';

export const CEILINGS_SCHEMA = 'alsg-ceilings/1';

export interface Ceilings {
  schema: typeof CEILINGS_SCHEMA;
  oracle: { description: string; perSet: Record<string, number>; tiesBrokenBy: string; rows: Record<string, number> };
  /** null when the output has no split=train rows to fit on (e.g. only test sets were generated). */
  features: {
    description: string;
    perSet: Record<string, number>;
    train: number;
    params: {
      features: string;
      dimension: number;
      standardization: string;
      optimizer: string;
      trainRows: number;
      classes: number;
      iterationsRun: number;
      finalLoss: number;
      finalGradientNorm: number;
    } & SoftmaxFitParams;
  } | null;
}

/** argmaxRow of @ldl-alsg/labels (ties go to the smaller class index), except that a row holding a NaN gives -1. */
function argmaxKnownRow(m: ArrayLike<number>, r: number, K: number): number {
  for (let c = 0; c < K; c++) if (Number.isNaN(m[r * K + c])) return -1;
  return argmaxRow(m, r, K);
}

/**
 * Oracle accuracy (%) per set: rows where `include` holds, prediction = argmax of the true distribution row, target = the
 * given label index. Rows with an unknown (NaN) distribution are skipped and counted out of the denominator.
 */
export function oracleAccuracy(distribution: ArrayLike<number>, K: number, labels: ArrayLike<number>, sets: readonly string[], include: (r: number) => boolean): { perSet: Record<string, number>; rows: Record<string, number> } {
  const hit: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (let r = 0; r < labels.length; r++) {
    if (!include(r)) continue;
    const pred = argmaxKnownRow(distribution, r, K);
    if (pred < 0) continue;
    const s = sets[r];
    total[s] = (total[s] ?? 0) + 1;
    hit[s] = (hit[s] ?? 0) + (pred === labels[r] ? 1 : 0);
  }
  const perSet: Record<string, number> = {};
  for (const s of Object.keys(total).sort()) perSet[s] = (100 * hit[s]) / total[s];
  return { perSet, rows: Object.fromEntries(Object.keys(total).sort().map((s) => [s, total[s]])) };
}

/** Reads a float [n, cols] .npy and checks its shape against the manifest. */
function readAligned(file: string, n: number, cols: number): ArrayLike<number> {
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected a synthfer ingest output)`, { file });
  const a = readNpy(file);
  if (a.shape.length !== 2 || a.shape[0] !== n || a.shape[1] !== cols) {
    throw new AlsgError('E_ARTIFACT', `${file}: expected shape [${n}, ${cols}] (aligned with manifest.csv), but got [${a.shape.join(', ')}]`, { file });
  }
  return a.data as ArrayLike<number>;
}

/**
 * The ceilings of a synthfer ingest output folder (manifest.csv, distribution.npy, truth/au.npy). Test sets = rows with
 * split test, keyed by `dataset`; the features ceiling trains on the split=train rows.
 */
export function computeSynthferCeilings(dir: string, params: SoftmaxFitParams = DEFAULT_SOFTMAX_FIT): Ceilings {
  const manifest = readManifest(dir);
  const n = manifest.rows.length;
  const K = NUM_CLASSES;
  const dist = readAligned(join(dir, 'distribution.npy'), n, K);
  const au = readAligned(join(dir, 'truth', 'au.npy'), n, 17);
  const labels = Int32Array.from(manifest.rows, (r) => r.labelIndex);
  const sets = manifest.rows.map((r) => r.dataset);
  const isTest = (r: number): boolean => manifest.rows[r].split === 'test';
  const oracle = oracleAccuracy(dist, K, labels, sets, isTest);

  for (let i = 0; i < au.length; i++) {
    if (!Number.isFinite(au[i])) throw new AlsgError('E_ARTIFACT', `${join(dir, 'truth', 'au.npy')}: row ${Math.floor(i / 17)} holds a non-finite AU (${au[i]}); true AUs must be finite`);
  }
  const trainRows = manifest.rows.flatMap((r, i) => (r.split === 'train' ? [i] : []));
  const oracleOut = { description: "argmax of each test face's true label distribution", perSet: oracle.perSet, tiesBrokenBy: 'smaller class index (CLASSES order)', rows: oracle.rows };
  if (trainRows.length === 0) return { schema: CEILINGS_SCHEMA, oracle: oracleOut, features: null };
  // standardise the AUs on the training rows, expand, then standardise the expanded columns too (conditioning)
  const auStd = Float64Array.from(au);
  applyStats(auStd, 17, columnStats(auStd, 17, trainRows));
  const q = quadraticFeatures(auStd, n, 17);
  applyStats(q.data, q.p, columnStats(q.data, q.p, trainRows));
  const xTrain = new Float64Array(trainRows.length * q.p);
  trainRows.forEach((r, k) => xTrain.set(q.data.subarray(r * q.p, (r + 1) * q.p), k * q.p));
  const yTrain = Int32Array.from(trainRows, (r) => labels[r]);
  const model = fitSoftmax(xTrain, yTrain, trainRows.length, q.p, K, params);
  let trainHits = 0;
  for (let k = 0; k < trainRows.length; k++) if (predictSoftmax(model, xTrain, k) === yTrain[k]) trainHits++;
  const hit: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (let r = 0; r < n; r++) {
    if (!isTest(r)) continue;
    total[sets[r]] = (total[sets[r]] ?? 0) + 1;
    hit[sets[r]] = (hit[sets[r]] ?? 0) + (predictSoftmax(model, q.data, r) === labels[r] ? 1 : 0);
  }
  const perSet = Object.fromEntries(Object.keys(total).sort().map((s) => [s, (100 * hit[s]) / total[s]]));
  return {
    schema: CEILINGS_SCHEMA,
    oracle: oracleOut,
    features: {
      description: 'quadratic softmax regression on the true AUs, trained on the given training labels',
      perSet,
      train: (100 * trainHits) / trainRows.length,
      params: {
        features: 'truth/au.npy: 17 standardised AUs + 136 pairwise products + 17 squares',
        dimension: q.p,
        standardization: 'AUs standardised on the train rows, then every expanded column standardised on the train rows',
        optimizer: 'L-BFGS from zero weights, backtracking Armijo line search, mean cross-entropy + l2/2 ||W||^2 (biases unpenalised)',
        trainRows: trainRows.length,
        classes: K,
        ...params,
        iterationsRun: model.iterations,
        finalLoss: model.loss,
        finalGradientNorm: model.gradientNorm,
      },
    },
  };
}
