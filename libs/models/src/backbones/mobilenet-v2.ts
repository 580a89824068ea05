import * as tf from '@tensorflow/tfjs';
import { checkOptions, pixelInput, seededInit, type BackboneOptions } from '../backbone';

type S = tf.SymbolicTensor;
type Init = ReturnType<typeof seededInit>;

/** Inverted-residual settings of MobileNetV2 (Sandler et al. 2018, Table 2): expansion t, channels c, repeats n, stride s. */
const SETTINGS: [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * The paper's MobileNetV2 (width 1.0): 3x3/2 stem with 32 channels, the 17 inverted-residual blocks above, 1x1 conv to
 * 1280, global average pool, linear classifier. ReLU6 activations, linear bottlenecks, residual adds where stride 1 and
 * channels match. Stock tfjs-layers only. Depthwise gradients on wasm come from `../wasm/depthwise-backprop`.
 */
export function buildMobileNetV2(opts: BackboneOptions): tf.LayersModel {
  checkOptions('mobilenetv2', opts);
  const init = seededInit(opts.seed);
  const { input, x: x0 } = pixelInput(opts);
  let x = conv(x0, 32, 3, 2, init, 'stem', true);
  let block = 0;
  for (const [t, c, n, s] of SETTINGS) {
    for (let i = 0; i < n; i++) x = invertedResidual(x, t, c, i === 0 ? s : 1, init, `b${++block}`);
  }
  x = conv(x, 1280, 1, 1, init, 'head', true);
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as S;
  const out = tf.layers.dense({ units: opts.numClasses, kernelInitializer: init.glorot(), name: 'logits' }).apply(x) as S;
  return tf.model({ inputs: input, outputs: out, name: 'mobilenetv2' });
}

function bnAct(x: S, name: string, relu6: boolean): S {
  const y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as S;
  return relu6 ? (tf.layers.reLU({ maxValue: 6, name: `${name}_relu6` }).apply(y) as S) : y;
}

function conv(x: S, filters: number, kernel: number, stride: number, init: Init, name: string, relu6: boolean): S {
  const y = tf.layers
    .conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: init.he(), name: `${name}_conv` })
    .apply(x) as S;
  return bnAct(y, name, relu6);
}

function invertedResidual(x: S, t: number, c: number, stride: number, init: Init, name: string): S {
  const inC = x.shape[x.shape.length - 1] as number;
  let y = t === 1 ? x : conv(x, inC * t, 1, 1, init, `${name}_expand`, true);
  y = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, depthwiseInitializer: init.he(), name: `${name}_dw` })
    .apply(y) as S;
  y = bnAct(y, `${name}_dw`, true);
  y = conv(y, c, 1, 1, init, `${name}_project`, false);
  return stride === 1 && inC === c ? (tf.layers.add({ name: `${name}_add` }).apply([x, y]) as S) : y;
}
