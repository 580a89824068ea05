import * as tf from '@tensorflow/tfjs';
import { AlsgError } from '@ldl-alsg/common';
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
  /**
   * Layer normalisation (the `mlp-norm` backbone): the flattened image is standardised per image (LayerNormalization:
   * mean 0, sd 1 over its pixels, then a learned per-pixel scale and offset), and every hidden layer is normalised before
   * its ReLU. It removes each face's brightness and contrast before the first matmul and keeps the hidden activations
   * well scaled at high learning rates. Unlike BatchNorm it behaves the same in training and inference mode, so the
   * forward-only neighbour passes of LDL-ALSG see exactly what a training-mode pass would. Default false.
   */
  readonly layerNorm?: boolean;
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
    throw new AlsgError('E_CONFIG', `mlp: inputSize ${h}x${w} must be a multiple of poolTo=${side} in both sides (choose an inputSize divisible by ${side}, or another poolTo)`, {
      path: 'inputSize',
    });
  }
  const init = seededInit(opts.seed);
  const { input, x: x0 } = pixelInput(opts);
  let x = x0;
  if (h !== side) {
    x = tf.layers.averagePooling2d({ poolSize: [h / side, w / side], strides: [h / side, w / side], name: 'downsample' }).apply(x) as S;
  }
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as S;
  if (opts.layerNorm) x = tf.layers.layerNormalization({ epsilon: 1e-3, name: 'input_norm' }).apply(x) as S;
  (opts.hidden ?? [512, 256]).forEach((units, i) => {
    if (opts.layerNorm) {
      x = tf.layers.dense({ units, kernelInitializer: init.he(), name: `fc${i + 1}` }).apply(x) as S;
      x = tf.layers.layerNormalization({ epsilon: 1e-3, name: `fc${i + 1}_norm` }).apply(x) as S;
      x = tf.layers.reLU({ name: `fc${i + 1}_relu` }).apply(x) as S;
    } else {
      x = tf.layers.dense({ units, activation: 'relu', kernelInitializer: init.he(), name: `fc${i + 1}` }).apply(x) as S;
    }
  });
  const out = tf.layers.dense({ units: opts.numClasses, kernelInitializer: init.glorot(), name: 'logits' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: out, name: opts.layerNorm ? 'mlp_norm' : 'mlp' });
}

function largestDivisorUpTo(n: number, max: number): number {
  for (let d = Math.min(n, max); d > 1; d--) if (n % d === 0) return d;
  return 1;
}
