/**
 * extract: the auxiliary label spaces of the paper (Sec. 3.1): 17 AU intensities and 68 facial points per image, with a
 * status per image. Outputs au.npy, landmarks.npy, status.csv, extract-report.json (docs/contracts.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { runExtraction, type ExtractParams } from '@ldl-alsg/openface';
import { extractParamsSchema } from './params-schema';

export const stage: StageDefinition<ExtractParams> = {
  name: 'extract',
  description: 'Auxiliary labels per image (17 AU intensities, 68 landmarks) with OpenFace, OpenFace CSVs made elsewhere, or the embedded face-api.',
  paramsSchema: extractParamsSchema,
  inputs: {
    dataset: { description: 'Ingested datasets (manifests concatenated in order).', from: ['ingest'], required: true, multiple: true },
  },
  async run(ctx) {
    const p = ctx.params;
    const report = await runExtraction(
      ctx.inputs.dataset ?? [],
      { ...p, openfaceBin: p.openfaceBin || undefined, csvDir: p.csvDir || undefined },
      ctx.outDir,
      { log: (m) => ctx.log(m), progress: (label, total, unit) => ctx.progress(label, total, unit) },
    );
    ctx.record({ extractor: report.extractor, version: report.version, extractCounts: report.counts });
  },
};
