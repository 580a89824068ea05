/**
 * graph: one kNN graph per auxiliary label space (the paper's Sec. 3.2 "index-similarity list"): for every training
 * image with auxiliary labels, its k nearest neighbours in that space and their Eq. 3 similarities. Outputs
 * neighbors.npy, similarity.npy, graph.json, diagnostics.json (docs/contracts.md, docs/graph.md). The work lives in libs/knn.
 */
import { describeDiagnostics, type GraphDiagnostics } from '@ldl-alsg/knn';
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { graphParamsSchema } from './params-schema';
import { runGraphFromExtract, type GraphSpace } from './run-graph';

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
  paramsSchema: graphParamsSchema,
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
