/**
 * The graph stage's file handling around libs/knn: picks the graph's rows (split = train AND extract status ok), checks
 * that the extract outputs line up with the manifests, optionally aligns the landmarks and resolves sigma (sigmaRelative x
 * face size), builds the graph, and writes neighbors.npy / similarity.npy / graph.json aligned with the manifest rows plus
 * diagnostics.json on the graph's rows (docs/contracts.md, docs/graph.md). Every check runs before the search starts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic, writeNpy, readCsv, readNpy, requireColumns } from '@ldl-alsg/artifacts';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { readManifests } from '@ldl-alsg/datasets';
import {
  alignLandmarks,
  buildKnnGraph,
  describeDiagnostics,
  FACE_SIZE_MEASURE,
  graphDiagnostics,
  meanFaceSize,
  standardizeFeatures,
  type GraphDiagnostics,
  type KnnGraph,
  type KnnGraphOptions,
  withHnswDefaults,
} from '@ldl-alsg/knn';
import { CLASSES, PAPER_SIGMA } from '@ldl-alsg/labels';

export type GraphSpace = 'au' | 'landmarks';
export const GRAPH_SPACES: readonly GraphSpace[] = ['au', 'landmarks'];
const DIMS: Record<GraphSpace, number> = { au: 17, landmarks: 136 };
const FILES: Record<GraphSpace, string> = { au: 'au.npy', landmarks: 'landmarks.npy' };

export type LandmarkForm = 'raw' | 'aligned';
export const LANDMARK_FORMS: readonly LandmarkForm[] = ['raw', 'aligned'];
/** Generalised Procrustes passes before the final alignment (2-3 converge on face shapes; docs/graph.md). */
export const ALIGNMENT_ITERATIONS = 3;

/** Graph options without sigma (it defaults per space), plus the landmark options of the stage. */
export type GraphRunOptions = Omit<KnnGraphOptions, 'sigma'> & {
  sigma?: number;
  /** landmarks only: raw pixel coordinates (the paper) or similarity-aligned to the mean shape. Default raw. */
  landmarks?: LandmarkForm;
  /** landmarks only: sigma as a multiple of the mean face size in the feature's units (exclusive with sigma). */
  sigmaRelative?: number;
};

export interface GraphRunHooks {
  progress?: (label: string, total: number) => Progress;
  log?: (line: string) => void;
  silent?: boolean;
}

/** What graph.json records besides the graph's own info. */
export interface GraphRows {
  /** Rows of the manifest(s) / feature matrix. */
  total: number;
  /** Rows in the graph. */
  inGraph: number;
  /** Rows left out, by reason. */
  excluded: Record<string, number>;
}

/** Reads a float32 [n, d] .npy, checking its shape. */
function readFeatures(file: string, d?: number): { data: Float32Array; n: number; d: number } {
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: feature matrix not found`, { file });
  const arr = readNpy(file);
  if (arr.shape.length !== 2 || (d !== undefined && arr.shape[1] !== d)) {
    throw new AlsgError('E_ARTIFACT', `${file}: expected a 2-d array [n, ${d ?? 'd'}], but got shape [${arr.shape.join(', ')}]`, { file });
  }
  const data = arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data);
  return { data, n: arr.shape[0], d: arr.shape[1] };
}

/** What graph.json records about the feature preparation and sigma (`prepareFeatures`). */
interface Prepared {
  data: Float32Array;
  sigma: number;
  /** Recorded in graph.json. */
  record: Record<string, unknown>;
}

/**
 * Checks the landmark options and sigma, aligns landmarks when asked, and resolves sigma: the given value, else
 * sigmaRelative x the mean face size, else the paper's value for the space. Every config error is raised here, before
 * any search.
 */
function prepareFeatures(data: Float32Array, n: number, d: number, space: GraphSpace | undefined, options: GraphRunOptions): Prepared {
  const { sigma, sigmaRelative, landmarks } = options;
  if (landmarks !== undefined && !LANDMARK_FORMS.includes(landmarks)) {
    throw new AlsgError('E_CONFIG', `graph: landmarks must be one of ${LANDMARK_FORMS.join(', ')}, but got "${String(landmarks)}"`, { path: 'landmarks' });
  }
  if (landmarks !== undefined && space !== 'landmarks') {
    throw new AlsgError('E_CONFIG', `graph: landmarks (raw | aligned) applies to space landmarks only, but space is ${space ?? 'not given'}; remove it`, { path: 'landmarks' });
  }
  if (sigmaRelative !== undefined) {
    if (space !== 'landmarks') throw new AlsgError('E_CONFIG', `graph: sigmaRelative (a multiple of the face size) applies to space landmarks only, but space is ${space ?? 'not given'}`, { path: 'sigmaRelative' });
    if (sigma !== undefined) throw new AlsgError('E_CONFIG', `graph: give either sigma (${sigma}) or sigmaRelative (${sigmaRelative}), not both`, { path: 'sigmaRelative' });
    if (!(Number.isFinite(sigmaRelative) && sigmaRelative > 0)) throw new AlsgError('E_CONFIG', `graph: sigmaRelative must be a finite number > 0, but got ${sigmaRelative}`, { path: 'sigmaRelative' });
    if (options.standardize) throw new AlsgError('E_CONFIG', 'graph: sigmaRelative cannot be combined with standardize (the face size is not defined in standardised units); give sigma instead', { path: 'sigmaRelative' });
  }
  if (space !== 'landmarks') {
    if (sigma === undefined && space === undefined) throw new AlsgError('E_USAGE', 'graph: sigma is required when the space is not given (paper: 1 for au, 68 for landmarks)');
    return { data, sigma: sigma ?? PAPER_SIGMA[space as GraphSpace], record: { sigmaSource: sigma === undefined ? 'paper default' : 'sigma', faceSize: null, sigmaRelative: null } };
  }
  const form = landmarks ?? 'raw';
  if (form === 'aligned' && sigma === undefined && sigmaRelative === undefined) {
    throw new AlsgError('E_CONFIG', "graph: landmarks aligned needs sigma or sigmaRelative (the paper's 68 is in pixels; aligned shapes have size 1)", { path: 'sigma' });
  }
  let features = data;
  let alignment: Record<string, unknown> | null = null;
  if (form === 'aligned') {
    const a = alignLandmarks(data, n, d, ALIGNMENT_ITERATIONS);
    features = a.data;
    alignment = {
      method: 'generalised Procrustes: per shape the least-squares similarity transform (translation, rotation, scale) onto the mean shape',
      iterations: a.iterations,
      units: 'mean shape size = 1',
      residual: a.residual,
      inputFaceSize: a.inputFaceSize,
      meanShape: a.meanShape.map((v) => Math.round(v * 1e6) / 1e6),
    };
  }
  const size = meanFaceSize(features, n, d);
  const resolved = sigma ?? (sigmaRelative !== undefined ? sigmaRelative * size : PAPER_SIGMA.landmarks);
  return {
    data: features,
    sigma: resolved,
    record: {
      landmarks: form,
      sigmaSource: sigma !== undefined ? 'sigma' : sigmaRelative !== undefined ? 'sigmaRelative' : 'paper default',
      faceSize: { value: size, units: form === 'aligned' ? 'mean shape size' : 'input units (px)', measure: `${FACE_SIZE_MEASURE}, mean over the graph's rows` },
      // relative to the face size of the features sigma applies to; with standardize sigma is in standardised units
      sigmaRelative: options.standardize ? null : resolved / size,
      ...(alignment ? { alignment } : {}),
    },
  };
}

/**
 * The diagnostics of a built graph (libs/knn diagnostics.ts) on its own rows: the searched features (standardised
 * again when the search standardised them, the same deterministic transform), labels and true distributions when known.
 */
function diagnose(graph: KnnGraph, features: Float32Array, d: number, sigma: number, standardize: boolean, seed: number, labels?: Int32Array, distributions?: Float32Array): GraphDiagnostics {
  const searched = standardize ? standardizeFeatures(features, graph.n, d).data : features;
  return graphDiagnostics({
    features: searched,
    n: graph.n,
    d,
    neighbors: graph.neighbors,
    similarity: graph.similarity,
    k: graph.k,
    sigma,
    seed,
    labels: labels ? { index: labels, classes: CLASSES } : undefined,
    distributions,
  });
}

/** The ingest outputs' distribution.npy rows for the picked rows, when every dataset folder has one; else undefined. */
function readDistributions(datasetDirs: readonly string[], picked: readonly number[], total: number): Float32Array | undefined {
  const files = datasetDirs.map((dir) => join(dir, 'distribution.npy'));
  if (!files.every((f) => existsSync(f))) return undefined;
  const parts = files.map((f) => {
    const a = readNpy(f);
    if (a.shape.length !== 2 || a.shape[1] !== CLASSES.length) throw new AlsgError('E_ARTIFACT', `${f}: expected shape [n, ${CLASSES.length}], but got [${a.shape.join(', ')}]`, { file: f });
    return a;
  });
  const rows = parts.reduce((s, a) => s + a.shape[0], 0);
  if (rows !== total) throw new AlsgError('E_INPUT', `${files.join(' + ')}: ${rows} distribution rows, but the manifest(s) have ${total}`);
  const all = new Float32Array(rows * CLASSES.length);
  let o = 0;
  for (const a of parts) {
    all.set(a.data as Float32Array, o);
    o += a.data.length;
  }
  const out = new Float32Array(picked.length * CLASSES.length);
  picked.forEach((r, g) => out.set(all.subarray(r * CLASSES.length, (r + 1) * CLASSES.length), g * CLASSES.length));
  return out;
}

/** Writes the three outputs, scattering graph rows back to their rows of the full table. */
function writeOutputs(outDir: string, graph: KnnGraph, rowOf: Int32Array, rows: GraphRows, extra: Record<string, unknown>, diagnostics: GraphDiagnostics): Record<string, unknown> {
  const k = graph.k;
  const neighbors = new Int32Array(rows.total * k).fill(-1);
  const similarity = new Float32Array(rows.total * k);
  for (let g = 0; g < graph.n; g++) {
    const r = rowOf[g];
    for (let c = 0; c < k; c++) {
      neighbors[r * k + c] = rowOf[graph.neighbors[g * k + c]];
      similarity[r * k + c] = graph.similarity[g * k + c];
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeNpy(join(outDir, 'neighbors.npy'), neighbors, [rows.total, k]);
  writeNpy(join(outDir, 'similarity.npy'), similarity, [rows.total, k]);
  const { wall, timings, ...info } = graph.info;
  const json = { ...extra, ...info, rows, recall: graph.info.recall, timings: { ...timings, ...Object.fromEntries(Object.entries(wall).map(([key, v]) => [`${key}Wall`, v])) } };
  writeJsonAtomic(join(outDir, 'graph.json'), json);
  writeJsonAtomic(join(outDir, 'diagnostics.json'), diagnostics);
  return { ...json, diagnostics };
}

/**
 * Stage form: the graph of one space over the manifests' train rows whose extract status is ok.
 * @param datasetDirs ingest output folders (manifests concatenated in order).
 * @param extractDir the extract stage's output folder (au.npy, landmarks.npy, status.csv aligned with the manifests).
 */
export async function runGraphFromExtract(datasetDirs: readonly string[], extractDir: string, space: GraphSpace, options: GraphRunOptions, outDir: string, hooks: GraphRunHooks = {}): Promise<Record<string, unknown>> {
  if (!GRAPH_SPACES.includes(space)) throw new AlsgError('E_CONFIG', `graph: space must be one of ${GRAPH_SPACES.join(', ')}, but got "${space}"`, { path: 'space' });
  const manifest = readManifests(datasetDirs);
  const featuresFile = join(extractDir, FILES[space]);
  const statusFile = join(extractDir, 'status.csv');
  const { data, n, d } = readFeatures(featuresFile, DIMS[space]);
  if (n !== manifest.rows.length) {
    throw new AlsgError('E_INPUT', `${featuresFile}: has ${n} rows, but the manifest(s) have ${manifest.rows.length} (${datasetDirs.join(', ')}); the extract output must be aligned with the manifest rows`, { file: featuresFile });
  }
  if (!existsSync(statusFile)) throw new AlsgError('E_ARTIFACT', `${statusFile}: not found (expected the extract stage's status.csv)`, { file: statusFile });
  const status = readCsv(statusFile);
  requireColumns(status, ['id', 'status'], statusFile);
  if (status.rows.length !== n) {
    throw new AlsgError('E_INPUT', `${statusFile}: has ${status.rows.length} rows, but the manifest(s) have ${n}`, { file: statusFile });
  }
  const excluded: Record<string, number> = {};
  const picked: number[] = [];
  manifest.rows.forEach((row, r) => {
    const st = status.rows[r];
    if (st.id !== row.id) {
      throw new AlsgError('E_INPUT', `${statusFile}:${status.lines[r]}: id "${st.id}" does not match manifest row ${r} (id "${row.id}"); status.csv must follow the manifest order`, { file: statusFile, line: status.lines[r] });
    }
    if (row.split !== 'train') excluded[`split=${row.split}`] = (excluded[`split=${row.split}`] ?? 0) + 1;
    else if (st.status !== 'ok') excluded[`status=${st.status}`] = (excluded[`status=${st.status}`] ?? 0) + 1;
    else picked.push(r);
  });
  if (picked.length === 0) {
    throw new AlsgError('E_INPUT', `graph: no rows with split=train and extract status ok (empty set; left out: ${JSON.stringify(excluded)})`);
  }
  const rowOf = Int32Array.from(picked);
  const sub = new Float32Array(picked.length * d);
  let allNaN = true;
  picked.forEach((r, g) => {
    sub.set(data.subarray(r * d, (r + 1) * d), g * d);
    if (allNaN && !Number.isNaN(data[r * d])) allNaN = false;
  });
  if (allNaN) {
    throw new AlsgError('E_INPUT', `${featuresFile}: every train row with status ok is NaN: the extractor provided no ${space === 'au' ? 'action units (face-api gives landmarks only; use space landmarks or OpenFace)' : 'landmarks'}`, { file: featuresFile });
  }
  const { landmarks: _form, sigmaRelative: _rel, ...given } = options;
  const knnOptions = withHnswDefaults(space, given); // per-space benchmarked HNSW settings where none are given
  const prepared = prepareFeatures(sub, picked.length, d, space, options);
  const rows: GraphRows = { total: n, inGraph: picked.length, excluded };
  hooks.log?.(`graph ${space}: ${picked.length} of ${n} rows in the graph (left out: ${JSON.stringify(excluded)})`);
  const graph = await buildKnnGraph(prepared.data, picked.length, d, {
    ...knnOptions,
    sigma: prepared.sigma,
    what: featuresFile,
    describeRow: (g) => `manifest row ${rowOf[g]} (id ${manifest.rows[rowOf[g]].id})`,
    progress: hooks.progress,
    silent: hooks.silent,
  });
  const labels = Int32Array.from(picked, (r) => manifest.rows[r].labelIndex);
  const diagnostics = diagnose(graph, prepared.data, d, prepared.sigma, options.standardize ?? false, options.seed ?? 0, labels, readDistributions(datasetDirs, picked, n));
  hooks.log?.(`graph ${space}: ${describeDiagnostics(diagnostics)}`);
  return writeOutputs(outDir, graph, rowOf, rows, { space, features: featuresFile, ...prepared.record }, diagnostics);
}

/** Plain form: a graph over every row of a float32 [n, d] .npy (`alsg graph --features`). */
export async function runGraphFromFeatures(featuresFile: string, options: GraphRunOptions & { space?: GraphSpace }, outDir: string, hooks: GraphRunHooks = {}): Promise<Record<string, unknown>> {
  const { data, n, d } = readFeatures(featuresFile, options.space ? DIMS[options.space] : undefined);
  if (n === 0) throw new AlsgError('E_INPUT', `${featuresFile}: has no rows (empty set)`, { file: featuresFile });
  const { landmarks: _form, sigmaRelative: _rel, space, ...given } = options;
  const knnOptions = withHnswDefaults(space, given);
  const prepared = prepareFeatures(data, n, d, space, options);
  const graph = await buildKnnGraph(prepared.data, n, d, { ...knnOptions, sigma: prepared.sigma, what: featuresFile, progress: hooks.progress, silent: hooks.silent });
  const diagnostics = diagnose(graph, prepared.data, d, prepared.sigma, options.standardize ?? false, options.seed ?? 0);
  hooks.log?.(`graph: ${describeDiagnostics(diagnostics)}`);
  return writeOutputs(outDir, graph, Int32Array.from({ length: n }, (_, i) => i), { total: n, inGraph: n, excluded: {} }, { space: space ?? null, features: featuresFile, ...prepared.record }, diagnostics);
}
