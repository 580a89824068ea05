/**
 * The graph stage's file handling around libs/knn: picks the graph's rows (split = train AND extract status ok), checks
 * that the extract outputs line up with the manifests, builds the graph, and writes neighbors.npy / similarity.npy /
 * graph.json aligned with the manifest rows (docs/contracts.md). Every check runs before the search starts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic, writeNpy, readCsv, readNpy, requireColumns } from '@ldl-alsg/artifacts';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { readManifests } from '@ldl-alsg/datasets';
import { buildKnnGraph, type KnnGraph, type KnnGraphOptions } from '@ldl-alsg/knn';
import { PAPER_SIGMA } from '@ldl-alsg/labels';

export type GraphSpace = 'au' | 'landmarks';
export const GRAPH_SPACES: readonly GraphSpace[] = ['au', 'landmarks'];
const DIMS: Record<GraphSpace, number> = { au: 17, landmarks: 136 };
const FILES: Record<GraphSpace, string> = { au: 'au.npy', landmarks: 'landmarks.npy' };

/** Graph options without sigma (it defaults per space). */
export type GraphRunOptions = Omit<KnnGraphOptions, 'sigma'> & { sigma?: number };

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

/** Sigma: the given value, else the paper's for the space; a clear error when neither is known. */
function resolveSigma(sigma: number | undefined, space: GraphSpace | undefined): number {
  if (sigma !== undefined) return sigma;
  if (space) return PAPER_SIGMA[space];
  throw new AlsgError('E_USAGE', 'graph: sigma is required when the space is not given (paper: 1 for au, 68 for landmarks)');
}

/** Writes the three outputs, scattering graph rows back to their rows of the full table. */
function writeOutputs(outDir: string, graph: KnnGraph, rowOf: Int32Array, rows: GraphRows, extra: Record<string, unknown>): Record<string, unknown> {
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
  return json;
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
  const sigma = resolveSigma(options.sigma, space);
  const rows: GraphRows = { total: n, inGraph: picked.length, excluded };
  hooks.log?.(`graph ${space}: ${picked.length} of ${n} rows in the graph (left out: ${JSON.stringify(excluded)})`);
  const graph = await buildKnnGraph(sub, picked.length, d, {
    ...options,
    sigma,
    what: featuresFile,
    describeRow: (g) => `manifest row ${rowOf[g]} (id ${manifest.rows[rowOf[g]].id})`,
    progress: hooks.progress,
    silent: hooks.silent,
  });
  return writeOutputs(outDir, graph, rowOf, rows, { space, features: featuresFile });
}

/** Plain form: a graph over every row of a float32 [n, d] .npy (`alsg graph --features`). */
export async function runGraphFromFeatures(featuresFile: string, options: GraphRunOptions & { space?: GraphSpace }, outDir: string, hooks: GraphRunHooks = {}): Promise<Record<string, unknown>> {
  const { data, n, d } = readFeatures(featuresFile, options.space ? DIMS[options.space] : undefined);
  const sigma = resolveSigma(options.sigma, options.space);
  if (n === 0) throw new AlsgError('E_INPUT', `${featuresFile}: has no rows (empty set)`, { file: featuresFile });
  const graph = await buildKnnGraph(data, n, d, { ...options, sigma, what: featuresFile, progress: hooks.progress, silent: hooks.silent });
  return writeOutputs(outDir, graph, Int32Array.from({ length: n }, (_, i) => i), { total: n, inGraph: n, excluded: {} }, { space: options.space ?? null, features: featuresFile });
}
