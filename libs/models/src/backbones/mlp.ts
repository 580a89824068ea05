import * as tf from '@tensorflow/tfjs';
import { checkOptions, pixelInput, seededInit, type BackboneOptions } from '../backbone';

type S = tf.SymbolicTensor;

/** Options of the MLP backbone beyond {@link BackboneOptions}. */
export interface MlpOptions extends BackboneOptions {
  /**
   * Side of the average-pooled image the MLP sees (H and W must be multiples of it). Default: the largest divisor of
   * H that is <= 32 (64 -> 32, 48 -> 24, 32 -> 32).
   */
  readonly poolTo?: number;
  /** Hidden layer widths. Default [512, 256]. */
  readonly hidden?: number[];
}

/**
 * MLP over downsampled aligned-face pixels: average pooling to `poolTo` x `poolTo` (AvgPool's gradient is correct on
 * wasm), flatten, dense+ReLU hidden layers, linear classifier. Pure matmuls: fast on wasm once the transposed-matmul
 * fix is installed.
 */
export function buildMlp(opts: MlpOptions): tf.LayersModel {
  checkOptions('mlp', opts);
  const [h, w] = opts.inputShape;
  const side = opts.poolTo ?? largestDivisorUpTo(h, 32);
  if (h % side !== 0 || w % side !== 0) {
    throw new Error(`mlp: input ${h}x${w} must be a multiple of poolTo=${side}`);
  }
  const init = seededInit(opts.seed);
  const { input, x: x0 } = pixelInput(opts);
  let x = x0;
  if (h !== side) {
    x = tf.layers.averagePooling2d({ poolSize: [h / side, w / side], strides: [h / side, w / side], name: 'downsample' }).apply(x) as S;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as S;
  (opts.hidden ?? [512, 256]).forEach((units, i) => {
    x = tf.layers.dense({ units, activation: 'relu', kernelInitializer: init.he(), name: `fc${i + 1}` }).apply(x) as S;
  });
  const out = tf.layers.dense({ units: opts.numClasses, kernelInitializer: init.glorot(), name: 'logits' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: out, name: 'mlp' });
}

function largestDivisorUpTo(n: number, max: number): number {
  for (let d = Math.min(n, max); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
