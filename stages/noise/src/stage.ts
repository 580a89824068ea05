/**
 * noise: label-noise synthesis on the training rows (the paper's Sec. 4.4 and Table 3). Outputs `labels.csv` and
 * `noise-report.json` (docs/contracts.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { ABC_RATES, NOISE_MODES, type NoiseParams } from '@ldl-alsg/noise';
import { describeReport, runNoise } from './run-noise';

/** Parameters of the noise stage. */
export interface NoiseStageParams extends NoiseParams {
  /** Seed (the pipeline's seed when absent). */
  seed?: number;
}

export const stage: StageDefinition<NoiseStageParams> = {
  name: 'noise',
  description: 'Synthesises label noise on the train rows: symmetric, asymmetric (LA-Net) or the paper\'s A/B/C set (5/10/15%).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      mode: {
        enum: [...NOISE_MODES],
        default: 'none',
        description:
          'none: labels copied unchanged; symmetric: a changed label becomes one of the other six classes uniformly; asymmetric: LA-Net mapping (anger->disgust, disgust->anger, fear->surprise, happy->neutral, sad->neutral, surprise->anger, neutral->sad); abc: the paper\'s Table 3, one symmetric copy per entry of `rates`; truth: every train label set to the argmax of its true label distribution (distribution.npy; the clean labels of the synthetic benchmark, for ceilings).',
      },
      rate: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Noise rate for symmetric/asymmetric, fraction of train labels in [0, 1). Default 0.' },
      rates: {
        type: 'array',
        items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
        minItems: 1,
        maxItems: 26,
        default: [...ABC_RATES],
        description: 'abc: one rate per copy (columns label_a, label_b, ...). Default [0.05, 0.10, 0.15] (the paper\'s A, B, C).',
      },
      exact: {
        type: 'boolean',
        default: true,
        description: 'true: exactly round(rate * train rows) labels change (the paper\'s protocol); false: each train label changes with probability rate (SCN\'s).',
      },
      seed: { type: 'integer', description: 'Seed of the noise draws; default the pipeline\'s seed.' },
    },
  },
  inputs: {
    dataset: { description: 'Ingested datasets (manifests, concatenated in order); only split=train rows change.', from: ['ingest'], required: true, multiple: true },
  },
  async run(ctx) {
    const report = runNoise(ctx.inputs.dataset ?? [], ctx.params, ctx.seed, ctx.outDir);
    for (const line of describeReport(report)) ctx.log(line);
    ctx.record({ noise: { mode: report.mode, exact: report.exact, rates: report.sets.map((s) => s.rate), flipped: report.sets.map((s) => s.flipped) } });
  },
};
