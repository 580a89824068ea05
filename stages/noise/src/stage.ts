/**
 * noise: label-noise synthesis on the training rows (the paper's Sec. 4.4 and Table 3). Outputs `labels.csv` and
 * `noise-report.json` (docs/contracts.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import type { NoiseParams } from '@ldl-alsg/noise';
import { noiseParamsSchema } from './params-schema';
import { describeReport, runNoise } from './run-noise';

/** Parameters of the noise stage. */
export interface NoiseStageParams extends NoiseParams {
  /** Seed (the pipeline's seed when absent). */
  seed?: number;
}

export const stage: StageDefinition<NoiseStageParams> = {
  name: 'noise',
  description: 'Synthesises label noise on the train rows: symmetric, asymmetric (LA-Net) or the paper\'s A/B/C set (5/10/15%).',
  paramsSchema: noiseParamsSchema,
  inputs: {
    dataset: { description: 'Ingested datasets (manifests, concatenated in order); only split=train rows change.', from: ['ingest'], required: true, multiple: true },
  },
  async run(ctx) {
    const report = runNoise(ctx.inputs.dataset ?? [], ctx.params, ctx.seed, ctx.outDir);
    for (const line of describeReport(report)) ctx.log(line);
    ctx.record({ noise: { mode: report.mode, exact: report.exact, rates: report.sets.map((s) => s.rate), flipped: report.sets.map((s) => s.flipped) } });
  },
};
