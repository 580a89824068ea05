/**
 * Per-image correctness from an evaluate output's `predictions.csv` (id, dataset, label, predicted, confidence), and
 * the paired bootstrap over test images that the claims use: every model is evaluated on the same test images, so
 * resampling images (with replacement, within each test set) and recomputing every model's metrics on the SAME
 * resample keeps the pairing between models that a difference of two accuracies needs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError, Rng } from '@ldl-alsg/common';
import { readCsv, requireColumns } from '@ldl-alsg/artifacts';
import { PREDICTION_COLUMNS, type SetMetrics } from '@ldl-alsg/evaluation';

/** One test set's per-image correctness, in file order. */
export interface PredictionSet {
  dataset: string;
  ids: string[];
  /** 1 where predicted === label. */
  correct: Uint8Array;
}

/** Parses predictions.csv content (already read) into per-set correctness, checking it against metrics.json's sets. */
export function predictionSetsFromRows(rows: readonly Record<string, string>[], sets: readonly SetMetrics[], file: string): PredictionSet[] {
  const bySet = new Map<string, { ids: string[]; correct: number[] }>();
  for (const r of rows) {
    let s = bySet.get(r.dataset);
    if (!s) bySet.set(r.dataset, (s = { ids: [], correct: [] }));
    s.ids.push(r.id);
    s.correct.push(r.predicted === r.label ? 1 : 0);
  }
  const out: PredictionSet[] = [];
  for (const m of sets) {
    const s = bySet.get(m.dataset);
    if (!s) throw new AlsgError('E_ARTIFACT', `${file}: has no rows of test set "${m.dataset}" that metrics.json reports (n=${m.n})`, { file });
    const correct = s.correct.reduce((a, b) => a + b, 0);
    // The bootstrap recomputes accuracies from these rows; they must reproduce metrics.json exactly or the intervals
    // would describe other numbers than the table.
    if (s.ids.length !== m.n || correct !== m.correct) {
      throw new AlsgError('E_ARTIFACT', `${file}: test set "${m.dataset}" has ${s.ids.length} rows with ${correct} correct, but metrics.json says n=${m.n}, correct=${m.correct}`, { file });
    }
    if (new Set(s.ids).size !== s.ids.length) throw new AlsgError('E_ARTIFACT', `${file}: test set "${m.dataset}" repeats an id; ids must be unique to pair images across models`, { file });
    out.push({ dataset: m.dataset, ids: s.ids, correct: Uint8Array.from(s.correct) });
  }
  return out;
}

/** Reads `<dir>/predictions.csv` when present (null when absent: the claims then have no bootstrap interval). */
export function readPredictions(dir: string, sets: readonly SetMetrics[]): PredictionSet[] | null {
  const file = join(dir, 'predictions.csv');
  if (!existsSync(file)) return null;
  const csv = readCsv(file);
  requireColumns(csv, PREDICTION_COLUMNS.filter((c) => c !== 'confidence'), file);
  return predictionSetsFromRows(csv.rows, sets, file);
}

/** Something with per-set correctness, named for error messages. */
export interface BootstrapMember {
  name: string;
  sets: readonly PredictionSet[];
}

/** The resampled per-set accuracies of every member: acc(b, member, set). */
export interface BootstrapDraws {
  resamples: number;
  seed: number;
  /** Test sets in resampling order (sorted by name, so the draws do not depend on which member came first). */
  datasets: string[];
  /** Images per set. */
  sizes: number[];
  /** Accuracy in percent of member m on set s in resample b. */
  accuracy(b: number, member: number, set: number): number;
}

/**
 * Draws `resamples` stratified bootstrap resamples of the test images (per set, n draws with replacement from that
 * set's n images; Rng(seed, 'report-bootstrap'), sets in name order, so the draws depend only on the seed and the
 * sets' sizes) and evaluates every member's per-set accuracy on each. Images are paired across members by `id`; a
 * member whose sets or ids differ from the first member's is an error naming both.
 */
export function bootstrapAccuracies(members: readonly BootstrapMember[], resamples: number, seed: number): BootstrapDraws {
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new AlsgError('E_CONFIG', `report: bootstrap resamples must be an integer >= 1, but got ${resamples}`);
  const R = members.length;
  const datasets = R ? members[0].sets.map((s) => s.dataset).sort() : [];
  // aligned[s][m]: member m's correctness on set s in the first member's id order.
  const aligned: Uint8Array[][] = datasets.map((dataset) => {
    const ref = members[0].sets.find((s) => s.dataset === dataset)!;
    const index = new Map(ref.ids.map((id, i) => [id, i]));
    return members.map((m) => {
      const set = m.sets.find((s) => s.dataset === dataset);
      if (!set) throw new AlsgError('E_INPUT', `report: paired bootstrap: ${m.name} has no test set "${dataset}" but ${members[0].name} has; all models must be evaluated on the same test images`);
      if (set.ids.length !== ref.ids.length) {
        throw new AlsgError('E_INPUT', `report: paired bootstrap: test set "${dataset}" has ${set.ids.length} images in ${m.name} but ${ref.ids.length} in ${members[0].name}; all models must be evaluated on the same test images`);
      }
      const out = new Uint8Array(ref.ids.length);
      set.ids.forEach((id, i) => {
        const j = index.get(id);
        if (j === undefined) throw new AlsgError('E_INPUT', `report: paired bootstrap: image "${id}" of test set "${dataset}" is in ${m.name} but not in ${members[0].name}; all models must be evaluated on the same test images`);
        out[j] = set.correct[i];
      });
      return out;
    });
  });
  for (const m of members) {
    const extra = m.sets.find((s) => !datasets.includes(s.dataset));
    if (extra) throw new AlsgError('E_INPUT', `report: paired bootstrap: ${m.name} has test set "${extra.dataset}" but ${members[0].name} does not; all models must be evaluated on the same test images`);
  }
  const sizes = datasets.map((_, s) => (R ? aligned[s][0].length : 0));
  const S = datasets.length;
  const acc = new Float64Array(resamples * R * S);
  const rng = new Rng(seed, 'report-bootstrap');
  for (let s = 0; s < S; s++) {
    // Images with the same correctness pattern across members are interchangeable: count draws per pattern, then
    // each member's correct count is a sum over patterns (cheap when models agree on most images).
    const n = sizes[s];
    const keyOf = new Map<string, number>();
    const patternOf = new Int32Array(n);
    const patterns: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const bits = new Uint8Array(R);
      for (let m = 0; m < R; m++) bits[m] = aligned[s][m][i];
      const key = bits.join('');
      let p = keyOf.get(key);
      if (p === undefined) {
        p = patterns.length;
        keyOf.set(key, p);
        patterns.push(bits);
      }
      patternOf[i] = p;
    }
    const counts = new Int32Array(patterns.length);
    for (let b = 0; b < resamples; b++) {
      counts.fill(0);
      for (let k = 0; k < n; k++) counts[patternOf[rng.int(n)]]++;
      for (let m = 0; m < R; m++) {
        let c = 0;
        for (let p = 0; p < patterns.length; p++) if (patterns[p][m]) c += counts[p];
        acc[(b * R + m) * S + s] = (100 * c) / n;
      }
    }
  }
  return { resamples, seed, datasets, sizes, accuracy: (b, m, s) => acc[(b * R + m) * S + s] };
}
