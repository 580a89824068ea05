/**
 * The annotator model: how a dataset's labelling process turns a face's latent distribution into the one-hot label it
 * publishes. Perceived q ∝ bias ⊙ p^(1/T) (T = temperature: 1 one annotator, < 1 a majority of many, 0 the posed class),
 * then systematic confusions move part of each perceived class to another, then a small slip rate picks a random class.
 */
import type { Rng } from '@ldl-alsg/common';
import { classIndex, NUM_CLASSES } from '@ldl-alsg/labels';
import type { AnnotatorSpec } from './domains';

/** The reporting distribution over classes an annotator of `spec` has for a face with latent `p` and posed `dominant`. */
export function annotatorDistribution(spec: AnnotatorSpec, p: ArrayLike<number>, dominant: number): Float64Array {
  let q = new Float64Array(NUM_CLASSES);
  if (spec.temperature <= 0) {
    q[dominant] = 1;
  } else {
    let sum = 0;
    for (let k = 0; k < NUM_CLASSES; k++) sum += q[k] = spec.bias[k] * Math.pow(Math.max(p[k], 0), 1 / spec.temperature);
    for (let k = 0; k < NUM_CLASSES; k++) q[k] /= sum;
  }
  if (spec.confusions.length > 0) {
    const moved = Float64Array.from(q);
    for (const [from, to, rate] of spec.confusions) {
      const a = classIndex(from);
      const b = classIndex(to);
      const m = q[a] * rate;
      moved[a] -= m;
      moved[b] += m;
    }
    q = moved;
  }
  const out = new Float64Array(NUM_CLASSES);
  for (let k = 0; k < NUM_CLASSES; k++) out[k] = (1 - spec.slip) * q[k] + spec.slip / NUM_CLASSES;
  return out;
}

/** Draws the published label (class index) of a face. */
export function annotate(rng: Rng, spec: AnnotatorSpec, p: ArrayLike<number>, dominant: number): number {
  return rng.categorical(annotatorDistribution(spec, p, dominant));
}
