/**
 * AU intensities of a face from its latent distribution (the "expression" part) plus the person's resting baseline and
 * momentary noise, in OpenFace's 17-AU order and 0..5 scale.
 *
 * Blend rule (soft union): compound expressions use close to the union of their components' AUs (Du et al. 2014), so an
 * AU's expression intensity is the maximum over classes of r_k * I_kj, where I_kj is class k's sampled prototype intensity
 * and r_k = p_k / max_{k' != neutral} p_k' the class's weight relative to the strongest emotion; the whole expression is
 * scaled by the face's expressiveness s = 1 - p_neutral and the domain's intensity multiplier e:
 *   au_j = clip(baseline_j + e * s * max_k r_k I_kj + N(0, 0.15^2), 0, 5).
 */
import type { Rng } from '@ldl-alsg/common';
import { AU_IDS, CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { CLASS_PROTOTYPES } from './prototypes';

const AU_INDEX: Record<string, number> = Object.fromEntries(AU_IDS.map((id, j) => [id, j]));

/** Samples AU intensities [17] for latent `p`, expression multiplier `intensity`, person baseline `baseline`. */
export function sampleAus(rng: Rng, p: ArrayLike<number>, intensity: number, baseline: ArrayLike<number>): Float64Array {
  const expr = new Float64Array(AU_IDS.length);
  let maxEmotion = 0;
  for (let k = 1; k < NUM_CLASSES; k++) maxEmotion = Math.max(maxEmotion, p[k]);
  const s = 1 - p[0];
  for (let k = 1; k < NUM_CLASSES; k++) {
    const r = maxEmotion > 0 ? p[k] / maxEmotion : 0;
    if (r < 0.05) continue;
    for (const proto of CLASS_PROTOTYPES[CLASSES[k]]) {
      // Which optional AUs a face shows is its own (prevalence from Du et al.); strength varies +-20% around the prototype.
      if (proto.prevalence < 1 && rng.uniform() >= proto.prevalence) continue;
      const v = r * proto.intensity * Math.exp(rng.normal(0, 0.2));
      const j = AU_INDEX[proto.au];
      if (v > expr[j]) expr[j] = v;
    }
  }
  const out = new Float64Array(AU_IDS.length);
  const e = Math.max(0.2, intensity);
  for (let j = 0; j < out.length; j++) {
    const v = baseline[j] + e * s * expr[j] + rng.normal(0, 0.15);
    out[j] = v < 0 ? 0 : v > 5 ? 5 : v;
  }
  // Lips part whenever the jaw drops far enough (AU26 without AU25 is anatomically unusual).
  const j25 = AU_INDEX['25'];
  const j26 = AU_INDEX['26'];
  if (out[j26] > 1 && out[j25] < out[j26] * 0.6) out[j25] = out[j26] * 0.6;
  // A spontaneous blink now and then (about 3% of still frames catch the eyes closing).
  if (rng.uniform() < 0.03) out[AU_INDEX['45']] = Math.max(out[AU_INDEX['45']], rng.range(2, 5));
  return out;
}
