import * as tf from '@tensorflow/tfjs';
import { checkOptions, pixelInput, seededInit, type BackboneOptions } from '../backbone';

type S = tf.SymbolicTensor;
type Init = ReturnType<typeof seededInit>;

/** ResNet depth: 18 uses basic blocks [2,2,2,2]; 50 uses bottleneck blocks [3,4,6,3] (He et al. 2016). */
export type ResNetDepth = 18 | 50;

/**
 * The paper's ResNet-18 / ResNet-50 (ImageNet layout: 7x7/2 stem, 3x3/2 max pool, four stages, global average pool,
 * linear classifier to `numClasses` logits). Built from stock tfjs-layers only, so it trains on any backend (on wasm
 * through the forward-conv backprop kernels) and loads with `tf.loadLayersModel`.
 * Max pooling sits right after a ReLU, where the wasm MaxPoolGrad caveat (its running max starts at the smallest
 * positive float) cannot bite: all inputs are >= 0 and a window of zeros passes no gradient through ReLU anyway.
 */
export function buildResNet(depth: ResNetDepth, opts: BackboneOptions): tf.LayersModel {
  checkOptions(`resnet${depth}`, opts);
  const init = seededInit(opts.seed);
  const { input, x: x0 } = pixelInput(opts);
  let x = convBn(x0, 64, 7, 2, init, 'stem', true);
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'stem_pool' }).apply(x) as S;
  const blocks = depth === 18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
  const widths = [64, 128, 256, 512];
  blocks.forEach((n, stage) => {
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const name = `s${stage + 1}b${b + 1}`;
      x = depth === 18 ? basicBlock(x, widths[stage], stride, init, name) : bottleneck(x, widths[stage], stride, init, name);
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as S;
  const out = tf.layers.dense({ units: opts.numClasses, kernelInitializer: init.glorot(), name: 'logits' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: out, name: `resnet${depth}` });
}

/** conv (no bias) + BatchNorm (+ ReLU). */
export function convBn(x: S, filters: number, kernel: number, stride: number, init: Init, name: string, relu: boolean): S {
  let y = tf.layers
    .conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: init.he(), name: `${name}_conv` })
    .apply(x) as S;
  y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as S;
  return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(y) as S) : y;
}

function shortcut(x: S, filters: number, stride: number, init: Init, name: string): S {
  const inC = x.shape[x.shape.length - 1];
  if (stride === 1 && inC === filters) return x;
  // Projection with a strided 1x1 conv (forward conv, fast on wasm); no StridedSlice, which has no gradient in tfjs.
  return convBn(x, filters, 1, stride, init, `${name}_proj`, false);
}

function basicBlock(x: S, filters: number, stride: number, init: Init, name: string): S {
  let y = convBn(x, filters, 3, stride, init, `${name}_a`, true);
  y = convBn(y, filters, 3, 1, init, `${name}_b`, false);
  const s = shortcut(x, filters, stride, init, name);
  return tf.layers.reLU({ name: `${name}_out` }).apply(tf.layers.add({ name: `${name}_add` }).apply([y, s]) as S) as S;
}

function bottleneck(x: S, width: number, stride: number, init: Init, name: string): S {
  let y = convBn(x, width, 1, 1, init, `${name}_a`, true);
  y = convBn(y, width, 3, stride, init, `${name}_b`, true);
  y = convBn(y, width * 4, 1, 1, init, `${name}_c`, false);
  const s = shortcut(x, width * 4, stride, init, name);
  return tf.layers.reLU({ name: `${name}_out` }).apply(tf.layers.add({ name: `${name}_add` }).apply([y, s]) as S) as S;
}
