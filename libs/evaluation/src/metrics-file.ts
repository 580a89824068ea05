/**
 * `metrics.json`, the evaluate stage's result: per-test-set accuracy, the paper's averages, LDL metrics and calibration,
 * and the description of the trained model it came from (so the report can lay out tables without guessing).
 * Pure: takes predictions and rows, returns the JSON object; the stage does the file IO.
 */
import { AlsgError } from '@ldl-alsg/common';
import { argmaxRows, CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { accuracyPercent, confusionMatrix, type Domain, paperAverages, type PaperAverages } from './accuracy';
import { ECE_BINS, expectedCalibrationError } from './calibration';
import { knownRows, ldlMetrics, type LdlMetrics } from './ldl-metrics';

/** Version tag of the metrics.json layout. */
export const METRICS_SCHEMA = 'ldl-alsg/metrics@1';

/** A test row as the evaluation needs it. */
export interface EvalRow {
  id: string;
  dataset: string;
  domain?: Domain;
  /** True class index (manifest label). */
  labelIndex: number;
}

/** What was trained: copied from the train instance (train-summary.json, stage.json) and the evaluate `tags` param. */
export interface RunInfo {
  /** baseline | ldl-alsg | nal | ipa2lt. */
  method: string;
  /** Auxiliary spaces whose graphs guided training (['au'], ['landmarks'], both, or [] for methods without graphs). */
  spaces: string[];
  backbone: string;
  inputSize?: number;
  /** TF.js backend the model was trained on. */
  backend?: string;
  /** Neighbours per space (k), where the method uses graphs. */
  k?: Record<string, number>;
  /** Guidance-loss weight per space (Eq. 5 lambda). */
  lambda?: Record<string, number>;
  /** Label noise of the training labels: mode none | symmetric | asymmetric | abc, rate as a fraction. */
  noise: { mode: string; rate?: number; rates?: number[] };
  /** The train instance's seed. */
  seed: number | null;
  /** Content key / folder name of the train instance. */
  trainKey?: string;
  /** Free-form labels from the evaluate stage's `tags` param (override derived descriptors in reports). */
  tags?: Record<string, string>;
}

/** One test set's results. */
export interface SetMetrics {
  dataset: string;
  domain: Domain | null;
  /** Number of test rows. */
  n: number;
  /** Rows predicted correctly. */
  correct: number;
  /** Accuracy in percent. */
  accuracy: number;
  /** Expected calibration error (fraction, 15 bins) against the hard labels. */
  ece: number;
  /** LDL metrics over the rows with a known true distribution; null when none is known. */
  ldl: LdlMetrics | null;
}

/** The whole metrics.json. */
export interface EvaluationMetrics {
  schema: typeof METRICS_SCHEMA;
  classes: string[];
  run: RunInfo;
  /** Per test set, in the order the sets first appear in the (concatenated) manifests. */
  sets: SetMetrics[];
  /** The paper's plain-mean averages over `sets` (percent). */
  averages: PaperAverages;
  /** Pooled over every test row (not a paper number; accuracy weighted by set size). */
  pooled: { n: number; accuracy: number; ece: number; ldl: LdlMetrics | null };
  /** ECE settings. */
  calibration: { bins: number; against: 'hard label' };
  /** Inference provenance (written by the evaluate stage). */
  inference?: { backend: string; seconds: number };
}

/**
 * Computes metrics.json's content.
 * @param rows the test rows, aligned with `probs`.
 * @param probs row-major [rows.length, 7] predicted class probabilities.
 * @param distributions row-major [rows.length, 7] true label distributions with NaN rows where unknown, or null.
 */
export function computeEvaluationMetrics(
  rows: readonly EvalRow[],
  probs: ArrayLike<number>,
  distributions: ArrayLike<number> | null,
  run: RunInfo,
): EvaluationMetrics {
  const k = NUM_CLASSES;
  if (probs.length !== rows.length * k) {
    throw new AlsgError('E_INPUT', `evaluation: predictions have ${probs.length / k} rows, but there are ${rows.length} test rows`);
  }
  if (distributions && distributions.length !== rows.length * k) {
    throw new AlsgError('E_INPUT', `evaluation: distributions have ${distributions.length / k} rows, but there are ${rows.length} test rows`);
  }
  if (rows.length === 0) throw new AlsgError('E_INPUT', 'evaluation: no test rows (split = test) in the given datasets');
  const predicted = argmaxRows(probs, k);
  const truth = Int32Array.from(rows, (r) => r.labelIndex);
  const order: string[] = [];
  const bySet = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!bySet.has(r.dataset)) {
      bySet.set(r.dataset, []);
      order.push(r.dataset);
    }
    bySet.get(r.dataset)!.push(i);
  });
  const sets = order.map((dataset): SetMetrics => {
    const idx = bySet.get(dataset)!;
    const domains = new Set(idx.map((i) => rows[i].domain ?? null));
    if (domains.size > 1) {
      throw new AlsgError('E_INPUT', `evaluation: dataset "${dataset}" has rows of several domains (${[...domains].join(', ')}); each test set must be wild or lab`);
    }
    const t = idx.map((i) => truth[i]);
    const p = idx.map((i) => predicted[i]);
    const acc = accuracyPercent(t, p);
    return {
      dataset,
      domain: [...domains][0] ?? null,
      n: idx.length,
      correct: t.filter((v, j) => v === p[j]).length,
      accuracy: acc,
      ece: expectedCalibrationError(probs, truth, k, idx).ece,
      ldl: distributions ? ldlMetrics(distributions, probs, k, knownRows(distributions, k, idx)) : null,
    };
  });
  const all = rows.map((_, i) => i);
  return {
    schema: METRICS_SCHEMA,
    classes: [...CLASSES],
    run,
    sets,
    averages: paperAverages(sets.map((s) => ({ dataset: s.dataset, domain: s.domain ?? undefined, accuracy: s.accuracy }))),
    pooled: {
      n: rows.length,
      accuracy: accuracyPercent(truth, predicted),
      ece: expectedCalibrationError(probs, truth, k, all).ece,
      ldl: distributions ? ldlMetrics(distributions, probs, k, knownRows(distributions, k)) : null,
    },
    calibration: { bins: ECE_BINS, against: 'hard label' },
  };
}

/** predictions.csv rows: id, dataset, label, predicted, confidence. */
export function predictionRows(rows: readonly EvalRow[], probs: ArrayLike<number>): Record<string, string | number>[] {
  const predicted = argmaxRows(probs, NUM_CLASSES);
  return rows.map((r, i) => ({
    id: r.id,
    dataset: r.dataset,
    label: CLASSES[r.labelIndex],
    predicted: CLASSES[predicted[i]],
    confidence: Number(probs[i * NUM_CLASSES + predicted[i]]).toFixed(6),
  }));
}

/** Column order of predictions.csv. */
export const PREDICTION_COLUMNS = ['id', 'dataset', 'label', 'predicted', 'confidence'] as const;

/** Column order of confusion.csv: one block of 7 rows per test set (rows = true class, columns = predicted class). */
export const CONFUSION_COLUMNS = ['dataset', 'label', ...CLASSES] as const;

/** confusion.csv rows: for every test set (in first-appearance order), one row per true class with predicted counts. */
export function confusionRows(rows: readonly EvalRow[], probs: ArrayLike<number>): Record<string, string | number>[] {
  const predicted = argmaxRows(probs, NUM_CLASSES);
  const out: Record<string, string | number>[] = [];
  const order = [...new Set(rows.map((r) => r.dataset))];
  for (const dataset of order) {
    const idx = rows.flatMap((r, i) => (r.dataset === dataset ? [i] : []));
    const m = confusionMatrix(idx.map((i) => rows[i].labelIndex), idx.map((i) => predicted[i]));
    m.forEach((counts, t) => {
      const row: Record<string, string | number> = { dataset, label: CLASSES[t] };
      counts.forEach((c, p) => (row[CLASSES[p]] = c));
      out.push(row);
    });
  }
  return out;
}
