/**
 * JSON Schema of the noise stage's parameters: the only home of each one's meaning, range and default. The executor
 * and `alsg noise` apply it (applyParamsSchema); pipelines/schema.json is composed from it.
 */
import { ABC_RATES, NOISE_MODES } from '@ldl-alsg/noise';

export const noiseParamsSchema: Record<string, unknown> = {
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
};
