/**
 * The local similarity between two images in an auxiliary label space (the paper, Sec. 3.2, Eq. 3):
 *
 *   a_ij = exp( -||l_i - l_j||^2 / (2 sigma^2) )
 *
 * where l_i, l_j are the images' auxiliary labels (17 AU intensities, or 136 landmark coordinates) and sigma the task's
 * bandwidth (the paper: 1 for action units, 68 for facial landmarks; `PAPER_SIGMA` in @ldl-alsg/labels). The graph stage
 * (libs/knn) stores a_ij for each of an image's k neighbours; the LDL-ALSG loss weighs the neighbours' predictions by it.
 */
import { AlsgError } from '@ldl-alsg/common';

/**
 * Eq. 3: local similarity a_ij = exp(-||l_i - l_j||^2 / (2 sigma^2)).
 *
 * Takes the squared Euclidean distance rather than the two vectors because the kNN search has it already (and computes
 * it once, in float64, from the stored float32 labels).
 *
 * @param squaredDistance ||l_i - l_j||^2, in squared label units (>= 0, finite).
 * @param sigma bandwidth in label units (> 0, finite); paper: 1 (AU), 68 (landmarks).
 * @returns a_ij in (0, 1]; 1 for identical labels.
 */
export function localSimilarity(squaredDistance: number, sigma: number): number {
  if (!(sigma > 0) || !Number.isFinite(sigma)) {
    throw new AlsgError('E_CONFIG', `localSimilarity: sigma must be a finite number > 0, but got ${sigma}`);
  }
  if (!(squaredDistance >= 0) || !Number.isFinite(squaredDistance)) {
    throw new AlsgError('E_NUMERIC', `localSimilarity: squaredDistance must be a finite number >= 0, but got ${squaredDistance}`);
  }
  return Math.exp(-squaredDistance / (2 * sigma * sigma));
}
