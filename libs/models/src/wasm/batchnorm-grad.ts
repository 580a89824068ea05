import * as tf from '@tensorflow/tfjs';

/**
 * A leaner FusedBatchNorm gradient, used on the listed backends (others keep the stock one).
 *
 * Works around the stock tfjs-core gradient (4.22) tiling 1/sqrt(var + eps) to the full activation size and building
 * several full-size temporaries per input; on wasm that took about a third of a small ResNet's step and exhausted the
 * 4 GB wasm heap at batch 288 (environment.md). This version broadcasts the per-channel factors instead and wraps each
 * partial derivative in tf.tidy so its temporaries die at once. The formulas are the stock ones (same results up to
 * float rounding; the test compares with the cpu backend's stock gradient):
 *   dx = dy * scale * r,  dmean = -r * scale * sum(dy),  dvar = -r^3/2 * scale * sum(dy * (x - mean)),
 *   dscale = r * sum(dy * (x - mean)),  doffset = sum(dy),  with r = 1/sqrt(var + eps), sums over all but the channel axis.
 *
 * @param backends backends on which the lean gradient applies; default ['wasm'].
 * @returns a function that restores the stock gradient.
 */
export function installLeanBatchNormGrad(backends: string[] = ['wasm']): () => void {
  const stock = tf.getGradient('FusedBatchNorm');
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      if (!backends.includes(tf.getBackend()) || mean.rank !== 1 || Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
      const axes = [...Array(x.rank - 1).keys()];
      const r = () => tf.rsqrt(tf.add(variance, eps));
      const s = () => (scale == null ? tf.onesLike(mean) : scale);
      const dyXc = () => tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
      return {
        x: () => tf.tidy(() => tf.mul(dy, tf.mul(s(), r()))),
        mean: () => tf.tidy(() => tf.mul(tf.neg(tf.mul(r(), s())), tf.sum(dy, axes))),
        variance: () => tf.tidy(() => tf.mul(tf.mul(tf.pow(r(), 3), tf.mul(s(), -0.5)), dyXc())),
        scale: () => tf.tidy(() => tf.mul(r(), dyXc())),
        offset: () => tf.tidy(() => tf.sum(dy, axes)),
      };
    },
  });
  return () => tf.registerGradient(stock);
}
