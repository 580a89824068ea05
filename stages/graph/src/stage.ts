/**
 * graph: one kNN graph per auxiliary label space (the paper's Sec. 3.2 "index-similarity list"): for every training
 * image with auxiliary labels, its k nearest neighbours in that space and their Eq. 3 similarities. Outputs
 * neighbors.npy, similarity.npy, graph.json, diagnostics.json (docs/contracts.md, docs/graph.md). The work lives in libs/knn.
 */
import { describeDiagnostics, type GraphDiagnostics } from '@ldl-alsg/knn';
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { GRAPH_SPACES, runGraphFromExtract, type GraphSpace } from './run-graph';

/** Parameters of the graph stage (see paramsSchema for meanings and defaults). */
export interface GraphStageParams {
  space: GraphSpace;
  k?: number;
  sigma?: number;
  sigmaRelative?: number;
  landmarks?: 'raw' | 'aligned';
  standardize?: boolean;
  mode?: 'exact' | 'ivf' | 'hnsw' | 'auto';
  backend?: 'auto' | 'companion' | 'faiss-node';
  nlist?: number;
  nprobe?: number;
  M?: number;
  efSearch?: number;
  efConstruction?: number;
  pca?: number;
  candidates?: number;
  recallSample?: number;
}

export const stage: StageDefinition<GraphStageParams> = {
  name: 'graph',
  description: 'kNN graph of the training images in one auxiliary label space (AUs or landmarks) with Eq. 3 similarities, via FAISS.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['space'],
    properties: {
      space: { enum: [...GRAPH_SPACES], description: 'Auxiliary label space: au (17 OpenFace AU intensities, au.npy) or landmarks (68 points, landmarks.npy).' },
      k: { type: 'integer', minimum: 1, default: 4, description: 'Neighbours per image (paper: 4 or 8). Must be below the number of images in the graph. Default 4.' },
      sigma: {
        type: 'number',
        exclusiveMinimum: 0,
        description: 'Eq. 3 bandwidth in feature units (standardised units when standardize is on). Default: the paper\'s 1 for au, 68 for landmarks (raw pixels). Exclusive with sigmaRelative.',
      },
      sigmaRelative: {
        type: 'number',
        exclusiveMinimum: 0,
        description:
          'landmarks only: sigma as a multiple of the mean face size (RMS distance of the 68 points from their centroid, in the features\' units: px raw, 1 = the mean shape aligned). Exclusive with sigma and with standardize.',
      },
      landmarks: {
        enum: ['raw', 'aligned'],
        description:
          'landmarks only (an error for au): raw = pixel coordinates as extracted (the paper); aligned = generalised Procrustes alignment (translation, rotation, scale) of each shape onto the mean shape, which has size 1; needs sigma or sigmaRelative. Default raw.',
      },
      standardize: { type: 'boolean', default: false, description: 'Standardise each column (mean 0, sd 1 over the graph\'s rows) before searching; means and sds go to graph.json. Default false.' },
      mode: {
        enum: ['auto', 'exact', 'ivf', 'hnsw'],
        default: 'auto',
        description: 'exact: flat index (ground truth); ivf / hnsw: approximate, recall@k measured on recallSample rows; auto: exact up to 50,000 images, else hnsw. Default auto.',
      },
      backend: { enum: ['auto', 'companion', 'faiss-node'], default: 'auto', description: 'Native FAISS module: companion (tools/native, all modes, zero-copy) or faiss-node (exact only). Default auto: companion when built.' },
      nlist: { type: 'integer', minimum: 1, description: 'IVF inverted lists. Default round(2 sqrt(n)), at most n/39.' },
      nprobe: { type: 'integer', minimum: 1, default: 8, description: 'IVF lists visited per query. Default 8.' },
      M: { type: 'integer', minimum: 2, default: 16, description: 'HNSW links per node. Default 16.' },
      efConstruction: { type: 'integer', minimum: 1, default: 40, description: 'HNSW build-time candidate list. Default 40.' },
      efSearch: { type: 'integer', minimum: 1, default: 20, description: 'HNSW search-time candidate list (raised to at least `candidates`). Default 20.' },
      pca: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description: 'ivf / hnsw: search a PCA projection to this many dimensions (fitted on a seeded 50k-row sample), then re-rank the candidates by exact distance in the full space. 0 = off. The 300k benchmark uses 32 for landmarks. Default 0.',
      },
      candidates: { type: 'integer', minimum: 2, description: 'ivf / hnsw: candidates per image before exact re-ranking. Default k + 1 (2k + 1 with pca).' },
      recallSample: { type: 'integer', minimum: 0, default: 1000, description: 'Images drawn (seeded) to measure recall@k of an approximate graph against exact search; 0 turns it off. Default 1000.' },
    },
  },
  inputs: {
    dataset: { description: 'Ingested datasets (manifests, concatenated in order); the graph holds their split=train rows.', from: ['ingest'], required: true, multiple: true },
    features: { description: 'The extract output (au.npy, landmarks.npy, status.csv) aligned with the same manifests.', from: ['extract'], required: true, multiple: false },
  },
  async run(ctx) {
    const { space, ...options } = ctx.params;
    const info = await runGraphFromExtract(ctx.inputs.dataset ?? [], (ctx.inputs.features ?? [])[0], space, { ...options, seed: ctx.seed }, ctx.outDir, {
      progress: (label, total) => ctx.progress(label, total, 'rows'),
      log: (line) => ctx.log(line),
    });
    const recall = info.recall as { value: number | null; sample: number };
    ctx.log(`graph ${space}: mode ${String(info.mode)}, recall@${String(info.k)} ${recall.value === null ? 'not measured' : recall.value.toFixed(4)}`);
    const d = info.diagnostics as GraphDiagnostics;
    ctx.record({
      graph: { space, mode: info.mode, k: info.k, sigma: info.sigma, sigmaRelative: info.sigmaRelative, landmarks: info.landmarks, rows: info.rows, recall: info.recall, backend: info.backendVersion },
      diagnostics: {
        summary: describeDiagnostics(d),
        similarityMean: d.similarity.graph.mean,
        randomPairSimilarityMean: d.similarity.random.mean,
        labelAgreement: d.labels?.graph ?? null,
        labelAgreementRandom: d.labels?.random ?? null,
        tv: d.distribution ? { graph: d.distribution.graph, graphWeighted: d.distribution.graphWeighted, sameLabelRandom: d.distribution.sameLabelRandom, random: d.distribution.random } : null,
      },
    });
  },
};
