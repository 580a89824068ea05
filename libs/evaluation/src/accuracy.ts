/**
 * Classification accuracy per test set, the paper's averages, and confusion matrices.
 *
 * The paper (Sec. 4.1, Tables 1-7) reports accuracy in percent on each of seven cross-dataset test sets, and three
 * averages that are PLAIN means of the per-set accuracies (not weighted by set size): Wild = mean of AffectNet, RAF, SFEW;
 * Lab ("Posed") = mean of CK+, CFEE, MMI, Oulu-CASIA; All ("Overall") = mean of all seven. Its baseline row
 * 57.97 81.81 52.19 | 88.99 77.22 67.79 59.35 gives 63.99 / 73.34 / 69.33 this way, which is how we know.
 */
import { AlsgError } from '@ldl-alsg/common';
import { NUM_CLASSES } from '@ldl-alsg/labels';

/**
 * Accuracy in percent (0-100) of `predicted` against `truth` (class indices, same length). NaN when there are no rows,
 * so an empty set can never pass for a perfect or a failed one.
 */
export function accuracyPercent(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length !== predicted.length) {
    throw new AlsgError('E_INPUT', `accuracy: truth has ${truth.length} rows but predictions have ${predicted.length}`);
  }
  if (truth.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  return (100 * correct) / truth.length;
}

/**
 * Confusion matrix [k][k]: entry [t][p] counts rows whose true class is t and predicted class is p (rows = truth,
 * columns = prediction, as in sklearn's `confusion_matrix`).
 */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, k: number = NUM_CLASSES): number[][] {
  if (truth.length !== predicted.length) {
    throw new AlsgError('E_INPUT', `confusionMatrix: truth has ${truth.length} rows but predictions have ${predicted.length}`);
  }
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new AlsgError('E_INPUT', `confusionMatrix: row ${i} has class ${t} -> ${p}, outside 0..${k - 1}`);
    m[t][p]++;
  }
  return m;
}

/** A test set's domain, as the manifest's `domain` column states it. */
export type Domain = 'wild' | 'lab';

/** One test set's accuracy, the input of {@link paperAverages}. */
export interface SetAccuracy {
  /** Dataset name (manifest `dataset` column). */
  dataset: string;
  /** wild | lab; a set without a domain counts only in `all`. */
  domain?: Domain;
  /** Accuracy in percent. */
  accuracy: number;
}

/** The paper's three averages, in percent; null when no set of that domain was evaluated. */
export interface PaperAverages {
  /** Plain mean of the wild sets' accuracies (the paper's "Wild" / "In-the-Wild"). */
  wild: number | null;
  /** Plain mean of the lab sets' accuracies (the paper's "Lab" / "Posed" / "Lab-Controlled"). */
  lab: number | null;
  /** Plain mean of every set's accuracy (the paper's "All" / "Overall"), NOT the mean of wild and lab. */
  all: number | null;
  /** How many sets went into each mean. */
  counts: { wild: number; lab: number; all: number };
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The paper's averages (Tables 1-7: Wild, Lab, All) as plain means of per-set accuracies. A set whose accuracy is NaN
 * (no test rows) is an error: it would silently change what an average means.
 */
export function paperAverages(sets: readonly SetAccuracy[]): PaperAverages {
  for (const s of sets) {
    if (!Number.isFinite(s.accuracy)) throw new AlsgError('E_INPUT', `paperAverages: set "${s.dataset}" has accuracy ${s.accuracy} (no test rows?)`);
  }
  const wild = sets.filter((s) => s.domain === 'wild').map((s) => s.accuracy);
  const lab = sets.filter((s) => s.domain === 'lab').map((s) => s.accuracy);
  const all = sets.map((s) => s.accuracy);
  return { wild: mean(wild), lab: mean(lab), all: mean(all), counts: { wild: wild.length, lab: lab.length, all: all.length } };
}
