import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOMAINS, SYNTHFER_DATASETS } from './domains';
import { faceRng, sampleFace } from './face-sample';
import { renderFace } from './render';

/** sha256 over the rendered pixels of 40 faces per dataset and split (seed 7). */
function pixelHash(size: number): string {
  const h = createHash('sha256');
  for (const ds of SYNTHFER_DATASETS) {
    const spec = DOMAINS[ds];
    for (const split of spec.splits) {
      for (let i = 0; i < 40; i++) h.update(renderFace(sampleFace(7, spec, split, i, size), size, faceRng(7, ds, split, i, 'render')));
    }
  }
  return h.digest('hex');
}

describe('renderFace', () => {
  // Pinned so that a refactor of the drawing code cannot move a single pixel (the results downstream would change).
  // Update these only with a deliberate change of the renderer (and a new SYNTHFER_VERSION).
  it('draws exactly the pixels it drew when the hash was pinned', () => {
    expect(pixelHash(32)).toBe('ec92f4dc13416850d175806bb28917625b684c1141dd90c2f68b251f066f9210');
    expect(pixelHash(64)).toBe('7a3336c5971181fd46d800273c1f10c2960a30df918ebdf67ac35d19753a247a');
  });
});
