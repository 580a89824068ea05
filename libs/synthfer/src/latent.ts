/**
 * The latent label distribution of a face: a dominant class drawn from the domain's prior, an optional compound partner
 * (Du et al. 2014), and an ambiguous remainder spread over the classes that blend with the dominant one.
 *
 *   p = (1 - a) * [w e_c + (1 - w) e_k  (compound)  |  e_c] + a * Dirichlet(2 * (affinity_c + 0.05)),
 *   a ~ Beta(domain.ambiguity) (the share of ambiguity), w ~ U(0.55, 0.8).
 */
import type { Rng } from '@ldl-alsg/common';
import { NUM_CLASSES } from '@ldl-alsg/labels';
import type { DomainSpec } from './domains';
import { CLASS_AFFINITY } from './prototypes';

export interface LatentDraw {
  /** Latent distribution over the 7 canonical classes (sums to 1). */
  p: Float64Array;
  /** The dominant (posed / intended) class index. */
  dominant: number;
  /** Compound partner class index, or -1. */
  partner: number;
  /** Ambiguity share a in [0, 1). */
  ambiguity: number;
}

/** Beta(a, b) from two gamma draws. */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = rng.gamma(a);
  const y = rng.gamma(b);
  return x / (x + y);
}

/** Draws the latent distribution of one face of `spec` whose dominant class comes from `prior` (unnormalised). */
export function sampleLatent(rng: Rng, spec: DomainSpec, prior: ArrayLike<number>): LatentDraw {
  const dominant = rng.categorical(prior);
  const affinity = CLASS_AFFINITY[dominant];
  const p = new Float64Array(NUM_CLASSES);
  let partner = -1;
  const ambiguity = sampleBeta(rng, spec.ambiguity[0], spec.ambiguity[1]);
  // Neutral is the absence of expression, so it has no compound form; the partner of a compound is an emotion.
  if (dominant !== 0 && rng.uniform() < spec.compound) {
    const weights = affinity.map((v, k) => (k === 0 ? 0 : v));
    partner = rng.categorical(weights);
    const w = rng.range(0.55, 0.8);
    p[dominant] += (1 - ambiguity) * w;
    p[partner] += (1 - ambiguity) * (1 - w);
  } else {
    p[dominant] += 1 - ambiguity;
  }
  const alpha = affinity.map((v) => 2 * (v + 0.05));
  const spread = rng.dirichlet(alpha);
  for (let k = 0; k < NUM_CLASSES; k++) p[k] += ambiguity * spread[k];
  return { p, dominant, partner, ambiguity };
}
