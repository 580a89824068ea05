import * as tf from '@tensorflow/tfjs';
import { checkOptions, pixelInput, seededInit, type BackboneOptions } from '../backbone';

type S = tf.SymbolicTensor;

/**
 * A small CNN for CPU training on wasm: three 3x3 stride-2 convs (16/32/64 channels) with BatchNorm + ReLU, global
 * average pooling, a linear classifier. Stride-2 convs downsample (no StridedSlice, no MaxPool gradient caveat).
 * Trains on wasm through the forward-conv backprop kernels.
 */
export function buildSmallCnn(opts: BackboneOptions): tf.LayersModel {
  checkOptions('small-cnn', opts);
  const init = seededInit(opts.seed);
  const { input, x: x0 } = pixelInput(opts);
  let x = x0;
  [16, 32, 64].forEach((filters, i) => {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: init.he(), name: `c${i + 1}_conv` })
      .apply(x) as S;
    x = tf.layers.batchNormalization({ name: `c${i + 1}_bn` }).apply(x) as S;
    x = tf.layers.reLU({ name: `c${i + 1}_relu` }).apply(x) as S;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as S;
  const out = tf.layers.dense({ units: opts.numClasses, kernelInitializer: init.glorot(), name: 'logits' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: out, name: 'small_cnn' });
}
