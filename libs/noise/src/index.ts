/**
 * @ldl-alsg/noise: label-noise synthesis: symmetric, asymmetric and the A/B/C sets (docs/noise.md). These named
 * exports are the public API; everything else is internal.
 */
export {
  symmetricNoise,
  asymmetricNoise,
  abcNoise,
  type Flip,
  type NoiseResult,
  type NoiseOptions,
  ABC_RATES,
  type AbcOptions,
} from './flip';
export {
  makeNoisyLabels,
  writeNoisyLabels,
  NOISE_MODES,
  type NoiseMode,
  type NoiseParams,
  type NoiseSetReport,
  type NoiseReport,
  type NoisyLabels,
} from './noisy-labels';
