/**
 * JSON Schema of the graph stage's parameters: the only home of each one's meaning, range and default. The executor
 * and `alsg graph` apply it (applyParamsSchema); pipelines/schema.json is composed from it.
 */
import { HNSW_DEFAULTS } from '@ldl-alsg/knn';
import { GRAPH_SPACES } from './run-graph';

export const graphParamsSchema: Record<string, unknown> = {
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
    // No schema defaults for the HNSW settings: they differ per space (HNSW_DEFAULTS in libs/knn, filled in by run-graph).
    M: { type: 'integer', minimum: 2, description: `HNSW links per node. Default ${HNSW_DEFAULTS.au.M} for au, ${HNSW_DEFAULTS.landmarks.M} for landmarks (benchmarked, docs/graph.md).` },
    efConstruction: {
      type: 'integer',
      minimum: 1,
      description: `HNSW build-time candidate list. Default ${HNSW_DEFAULTS.au.efConstruction} for au, ${HNSW_DEFAULTS.landmarks.efConstruction} for landmarks.`,
    },
    efSearch: {
      type: 'integer',
      minimum: 1,
      description: `HNSW search-time candidate list (raised to at least \`candidates\`). Default ${HNSW_DEFAULTS.au.efSearch} for au, ${HNSW_DEFAULTS.landmarks.efSearch} for landmarks.`,
    },
    hnswBuildThreads: {
      type: 'integer',
      minimum: 1,
      default: 1,
      description:
        'hnsw: OpenMP threads inserting images into the graph. 1 (default): the same graph on every run; more builds faster, but FAISS 1.7.3 then inserts in an order that depends on thread timing, so a few neighbours differ between runs. Searches use every core either way. Default 1.',
    },
    pca: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'ivf / hnsw: search a PCA projection to this many dimensions (fitted on a seeded 50k-row sample), then re-rank the candidates by exact distance in the full space. 0 = off (the benchmarked settings use none). Default 0.',
    },
    candidates: { type: 'integer', minimum: 2, description: 'ivf / hnsw: candidates per image before exact re-ranking. Default k + 1 (2k + 1 with pca).' },
    recallSample: { type: 'integer', minimum: 0, default: 1000, description: 'Images drawn (seeded) to measure recall@k of an approximate graph against exact search; 0 turns it off. Default 1000.' },
  },
};
