import type * as tf from '@tensorflow/tfjs';
import { kernelOps, type Info } from './kernel-call';

/**
 * Insert stride-1 zeros after every row/column: [n,Ho,Wo,c] -> [n,Ho*sh,Wo*sw,c], so rows/columns at multiples of the
 * stride hold dy. Both input-gradient workarounds (dense and depthwise conv) need it: a strided convolution's input
 * gradient is a stride-1 convolution of the output gradient spread back onto the input grid.
 * Built from reshape + pad at rank 4 only, so every backend's PadV2 handles it.
 *
 * @param keep registers each temporary for the calling kernel to release (the result included, unless it is `dy`).
 */
export function upsampleByStride(b: tf.KernelBackend, dy: Info, sh: number, sw: number, keep: (t: Info) => Info): Info {
  const [n, ho, wo, c] = dy.shape;
  let g = dy;
  if (sh > 1) {
    g = keep(kernelOps.reshape(b, g, [n, ho, 1, wo * c]));
    g = keep(kernelOps.pad(b, g, [[0, 0], [0, 0], [0, sh - 1], [0, 0]]));
    g = keep(kernelOps.reshape(b, g, [n, ho * sh, wo, c]));
  }
  if (sw > 1) {
    g = keep(kernelOps.reshape(b, g, [n * ho * sh, wo, 1, c]));
    g = keep(kernelOps.pad(b, g, [[0, 0], [0, 0], [0, sw - 1], [0, 0]]));
    g = keep(kernelOps.reshape(b, g, [n, ho * sh, wo * sw, c]));
  }
  return g;
}
