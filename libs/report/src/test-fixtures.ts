/**
 * Internal (tests only): builds in-memory evaluate results with chosen per-set accuracies, so table, claim and
 * reference tests need no trained model.
 */
import { type EvaluationMetrics, METRICS_SCHEMA, paperAverages, type RunInfo } from '@ldl-alsg/evaluation';
import { CLASSES } from '@ldl-alsg/labels';
import { toResultRecord, type ResultRecord } from './results';

/** The seven synthfer test sets, in the paper's order. */
export const SYN_SETS = [
  ['affectnet-syn', 'wild'],
  ['raf-syn', 'wild'],
  ['sfew-syn', 'wild'],
  ['ckplus-syn', 'lab'],
  ['cfee-syn', 'lab'],
  ['mmi-syn', 'lab'],
  ['oulu-syn', 'lab'],
] as const;

/** A result whose seven sets have the given accuracies (percent). */
export function fakeResult(run: Partial<RunInfo>, accuracies: number[], dir = 'fake'): ResultRecord {
  const full: RunInfo = { method: 'baseline', spaces: [], backbone: 'tiny-cnn', noise: { mode: 'none' }, seed: 1, backend: 'wasm', ...run };
  const sets = SYN_SETS.map(([dataset, domain], i) => ({
    dataset,
    domain,
    n: 100,
    correct: Math.round(accuracies[i]),
    accuracy: accuracies[i],
    ece: 0.05,
    ldl: { n: 100, chebyshev: 0.2, clark: 0.9, canberra: 1.8, kl: 0.3, cosine: 0.8, intersection: 0.7 },
  }));
  const metrics: EvaluationMetrics = {
    schema: METRICS_SCHEMA,
    classes: [...CLASSES],
    run: full,
    sets,
    averages: paperAverages(sets),
    pooled: { n: 700, accuracy: 0, ece: 0.05, ldl: null },
    calibration: { bins: 15, against: 'hard label' },
  };
  return toResultRecord(dir, metrics);
}

/** A result whose seven sets all have accuracy `acc`. */
export function flatResult(run: Partial<RunInfo>, acc: number, dir = 'fake'): ResultRecord {
  return fakeResult(run, new Array(7).fill(acc), dir);
}

/** One test set of a result built from per-image correctness (1 = right), with optional ids (default `<dataset>-<i>`). */
export interface CorrectnessSet {
  dataset: string;
  domain: 'wild' | 'lab';
  correct: number[];
  ids?: string[];
}

/**
 * A result with per-image predictions (as read from predictions.csv), so claims get a paired bootstrap: accuracies,
 * averages and `predictions` all follow from the given correctness.
 */
export function predictedResult(run: Partial<RunInfo>, sets: readonly CorrectnessSet[], dir = 'fake'): ResultRecord {
  const full: RunInfo = { method: 'baseline', spaces: [], backbone: 'tiny-cnn', noise: { mode: 'none' }, seed: 1, backend: 'wasm', ...run };
  const setMetrics = sets.map((s) => {
    const correct = s.correct.reduce((a, b) => a + b, 0);
    return { dataset: s.dataset, domain: s.domain, n: s.correct.length, correct, accuracy: (100 * correct) / s.correct.length, ece: 0.05, ldl: null };
  });
  const metrics: EvaluationMetrics = {
    schema: METRICS_SCHEMA,
    classes: [...CLASSES],
    run: full,
    sets: setMetrics,
    averages: paperAverages(setMetrics),
    pooled: { n: setMetrics.reduce((a, s) => a + s.n, 0), accuracy: 0, ece: 0.05, ldl: null },
    calibration: { bins: 15, against: 'hard label' },
  };
  const predictions = sets.map((s) => ({ dataset: s.dataset, ids: s.ids ?? s.correct.map((_, i) => `${s.dataset}-${i}`), correct: Uint8Array.from(s.correct) }));
  return toResultRecord(dir, metrics, predictions);
}

/** n values, the first k of them 1 (k rounded). */
export function firstK(n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < Math.round(k) ? 1 : 0));
}
