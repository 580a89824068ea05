/**
 * Reads and checks what the train stage trains on (docs/contracts.md): the manifest rows with split = train, their labels
 * (the noise stage's labels.csv when wired, else the manifest's), and the graph stage's index-similarity lists, all
 * re-indexed from manifest rows to training rows 0..nTrain-1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { readCsv, readNpy } from '@ldl-alsg/artifacts';
import { argmaxRow, classIndex, CLASSES } from '@ldl-alsg/labels';
import { readManifest, type ManifestRow } from '@ldl-alsg/datasets';
import type { NeighbourSpace, SampleSet } from './ldl-alsg-method';

/** One annotation set: a label per training row, -1 where the set does not label the row. */
export interface AnnotationSet {
  /** e.g. 'label', 'label_a', or a dataset name. */
  name: string;
  label: Int32Array;
}

export interface TrainingLabels {
  /** Label columns of labels.csv (or the manifest's), one set each, covering every training row. */
  sets: AnnotationSet[];
  /** Where the labels came from (for the summary). */
  source: string;
}

/** Indices (into `rows`) of the rows with split = train, in order. */
export function trainRowIndices(rows: readonly ManifestRow[]): Int32Array {
  const out: number[] = [];
  rows.forEach((r, i) => r.split === 'train' && out.push(i));
  if (out.length === 0) throw new AlsgError('E_INPUT', 'train: the manifest has no rows with split = train');
  return Int32Array.from(out);
}

/**
 * Labels of the training rows: the noise stage's `labels.csv` (columns `label`, or `label_a,label_b,label_c` for abc) when
 * `labelsDir` is given, else the manifest's `label` column.
 * @throws AlsgError E_INPUT for ids that do not match the manifest or labels outside the class set (file and line named).
 */
export function readTrainingLabels(rows: readonly ManifestRow[], train: Int32Array, labelsDir?: string): TrainingLabels {
  if (!labelsDir) {
    return { sets: [{ name: 'label', label: Int32Array.from(train, (i) => rows[i].labelIndex) }], source: 'manifest' };
  }
  const file = join(labelsDir, 'labels.csv');
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: labels.csv not found (expected the output of a noise stage)`, { file });
  const table = readCsv(file);
  const columns = table.header.filter((h) => h === 'label' || /^label_[a-z0-9]+$/.test(h));
  if (!table.header.includes('id') || columns.length === 0) {
    throw new AlsgError('E_INPUT', `${file}: expected columns id and label (or label_a, label_b, ...), but got ${table.header.join(',')}`, { file });
  }
  if (table.rows.length !== rows.length) {
    throw new AlsgError('E_INPUT', `${file}: has ${table.rows.length} rows but the manifest has ${rows.length}; labels.csv must be aligned with the manifest`, { file });
  }
  const sets = columns.map((name) => ({ name, label: new Int32Array(train.length) }));
  train.forEach((i, t) => {
    const r = table.rows[i];
    const line = table.lines[i];
    if (r.id !== rows[i].id) {
      throw new AlsgError('E_INPUT', `${file}:${line}: id "${r.id}" does not match manifest row ${i} ("${rows[i].id}")`, { file, line });
    }
    columns.forEach((c, s) => {
      const k = classIndex(r[c]);
      if (k < 0) throw new AlsgError('E_INPUT', `${file}:${line}: ${c} must be one of ${CLASSES.join(', ')}, but got "${r[c]}"`, { file, line });
      sets[s].label[t] = k;
    });
  });
  return { sets, source: file };
}

/**
 * Samples for the single-label methods: one sample per (training row, label column). With abc labels this is the paper's
 * "mixture of ABC" (every image three times, once per annotation); with one column, one sample per image.
 */
export function mixtureSamples(labels: TrainingLabels): SampleSet {
  const n = labels.sets[0].label.length;
  const row = new Int32Array(n * labels.sets.length);
  const label = new Int32Array(n * labels.sets.length);
  labels.sets.forEach((set, s) => {
    for (let t = 0; t < n; t++) {
      row[s * n + t] = t;
      label[s * n + t] = set.label[t];
    }
  });
  return { row, label };
}

/** A graph stage output re-indexed to training rows. */
export interface LoadedGraph {
  space: string;
  /** Columns K of neighbors.npy. */
  K: number;
  sigma?: number;
  neighbors: Int32Array;
  similarity: Float32Array;
  /** Training rows without any neighbour (rows outside the graph): they get no guidance term. */
  rowsWithoutNeighbours: number;
}

/**
 * Reads `<dir>/neighbors.npy`, `similarity.npy`, `graph.json` and maps manifest row ids to training rows.
 * @throws AlsgError E_INPUT when the arrays do not match the manifest, an id exceeds it, a neighbour is not a training row,
 *   or a similarity / sigma is negative or not finite.
 */
export function loadGraph(dir: string, rows: readonly ManifestRow[], train: Int32Array): LoadedGraph {
  const nbFile = join(dir, 'neighbors.npy');
  const simFile = join(dir, 'similarity.npy');
  const metaFile = join(dir, 'graph.json');
  for (const f of [nbFile, simFile]) if (!existsSync(f)) throw new AlsgError('E_ARTIFACT', `${f}: not found (expected the output of a graph stage)`, { file: f });
  const meta = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { space?: string; sigma?: number }) : {};
  if (meta.sigma !== undefined && !(meta.sigma > 0)) {
    throw new AlsgError('E_INPUT', `${metaFile}: sigma must be > 0, but got ${meta.sigma}`, { file: metaFile });
  }
  const nb = readNpy(nbFile);
  const sim = readNpy(simFile);
  if (nb.shape.length !== 2 || nb.shape[0] !== rows.length) {
    throw new AlsgError('E_INPUT', `${nbFile}: shape must be [${rows.length}, k] (one row per manifest row), but got [${nb.shape.join(', ')}]`, { file: nbFile });
  }
  if (sim.shape.join() !== nb.shape.join()) {
    throw new AlsgError('E_INPUT', `${simFile}: shape must equal neighbors.npy's [${nb.shape.join(', ')}], but got [${sim.shape.join(', ')}]`, { file: simFile });
  }
  const K = nb.shape[1];
  const toTrain = new Int32Array(rows.length).fill(-1);
  train.forEach((i, t) => (toTrain[i] = t));
  const neighbors = new Int32Array(train.length * K).fill(-1);
  const similarity = new Float32Array(train.length * K);
  let without = 0;
  train.forEach((i, t) => {
    let any = false;
    for (let j = 0; j < K; j++) {
      const id = Number(nb.data[i * K + j]);
      const a = Number(sim.data[i * K + j]);
      if (id === -1) continue;
      if (!Number.isInteger(id) || id < -1 || id >= rows.length) {
        throw new AlsgError('E_INPUT', `${nbFile}: row ${i} neighbour ${j} is ${id}, outside the manifest's ${rows.length} rows (graph built on another dataset?)`, { file: nbFile, row: i });
      }
      if (toTrain[id] < 0) {
        throw new AlsgError('E_INPUT', `${nbFile}: row ${i} neighbour ${j} is row ${id} ("${rows[id].id}"), which is not a training row`, { file: nbFile, row: i });
      }
      if (!(a >= 0) || !Number.isFinite(a)) {
        throw new AlsgError('E_INPUT', `${simFile}: row ${i} column ${j}: similarity must be a finite value >= 0, but got ${a}`, { file: simFile, row: i });
      }
      neighbors[t * K + j] = toTrain[id];
      similarity[t * K + j] = a;
      any = true;
    }
    if (!any) without++;
  });
  return { space: meta.space ?? dir, K, sigma: meta.sigma, neighbors, similarity, rowsWithoutNeighbours: without };
}

/**
 * Builds a {@link NeighbourSpace} from a loaded graph with the method's k and lambda. lambda's range is the params
 * schema's (and the loss's, Eq. 5); k is checked here against the graph it indexes, which the schema cannot see.
 */
export function toNeighbourSpace(graph: LoadedGraph, k: number, lambda: number): NeighbourSpace {
  if (!Number.isInteger(k) || k < 1 || k > graph.K) {
    throw new AlsgError('E_CONFIG', `train: k.${graph.space} must be an integer in 1..${graph.K} (the graph's k), but got ${k}`);
  }
  return { name: graph.space, neighbors: graph.neighbors, similarity: graph.similarity, K: graph.K, k, lambda };
}

/** AIR's auxiliary candidates: the rows of one ingest output in one split, with clean labels. */
export interface AuxiliaryRows {
  rows: ManifestRow[];
  /** Clean class per row. */
  label: Int32Array;
  /** Where the labels came from (distribution.npy or manifest.csv). */
  source: string;
}

/**
 * Reads AIR's auxiliary candidates from an ingest output: rows with `split`, labelled by the argmax of the ingest's
 * `distribution.npy` (`truth`: the synthetic benchmark's known truth) or by the manifest's label (`given`: a clean subset
 * a user provides).
 * @throws AlsgError E_ARTIFACT when `truth` is asked and distribution.npy is missing; E_INPUT for no rows in the split,
 *   a distribution of the wrong shape, or an unknown (NaN) distribution row.
 */
export function readAuxiliaryRows(dir: string, split: string, labels: 'truth' | 'given'): AuxiliaryRows {
  const { rows } = readManifest(dir);
  const picked = Array.from(rows.keys()).filter((i) => rows[i].split === split);
  if (picked.length === 0) {
    throw new AlsgError('E_INPUT', `${join(dir, 'manifest.csv')}: no rows with split = ${split} for AIR's auxiliary set (air.auxiliarySplit)`, { file: join(dir, 'manifest.csv') });
  }
  if (labels === 'given') return { rows: picked.map((i) => rows[i]), label: Int32Array.from(picked, (i) => rows[i].labelIndex), source: join(dir, 'manifest.csv') };
  const file = join(dir, 'distribution.npy');
  if (!existsSync(file)) {
    throw new AlsgError('E_ARTIFACT', `${file}: not found; air.auxiliaryLabels = truth needs the ingest's true label distributions (synthfer writes them); use air.auxiliaryLabels = given when the auxiliary manifest's labels are clean`, { file });
  }
  const dist = readNpy(file);
  const C = CLASSES.length;
  if (dist.shape.length !== 2 || dist.shape[0] !== rows.length || dist.shape[1] !== C) {
    throw new AlsgError('E_INPUT', `${file}: shape must be [${rows.length}, ${C}] (one row per manifest row), but got [${dist.shape.join(', ')}]`, { file });
  }
  const label = Int32Array.from(picked, (i) => {
    for (let c = 0; c < C; c++) {
      if (Number.isNaN(dist.data[i * C + c])) throw new AlsgError('E_INPUT', `${file}: row ${i} ("${rows[i].id}") is unknown (NaN); air.auxiliaryLabels = truth needs a known distribution for every auxiliary row`, { file, row: i });
    }
    return argmaxRow(dist.data, i, C);
  });
  return { rows: picked.map((i) => rows[i]), label, source: file };
}
