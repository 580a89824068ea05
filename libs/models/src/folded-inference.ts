import * as tf from '@tensorflow/tfjs';
import { type BatchNormFields, isPlainConv, normalizesLastAxis, type Conv2DFields } from './tfjs-layer-fields';

/** The field of tfjs-layers' ReLU this module reads (protected in tfjs's typings). */
interface ReluFields {
  maxValue?: number | null;
}

/** One step of the inference chain: a layer as tfjs runs it, or a convolution with its batch norm (and ReLU) folded in. */
type Step = (x: tf.Tensor) => tf.Tensor;

/**
 * An inference-only forward pass of `model` in which each Conv2D -> BatchNormalization (-> ReLU) run is ONE fused
 * convolution: the batch norm's moving statistics are folded into the kernel and a bias
 * (w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps)), the ReLU into the fused activation.
 *
 * Why: LDL-ALSG's exact loss runs the network forward, in inference mode, on every centre's neighbours (~254 images per
 * step of 32); for small-cnn on wasm the separate batch-norm and ReLU kernels took a third of that forward
 * (docs/training.md "Exact loss cost with small-cnn"). Folding is the standard inference transformation: the same
 * function, computed in a different order, so results agree with `model.apply(x, { training: false })` to float
 * rounding (not bit for bit). Weights are read at every call, so the fold follows training.
 *
 * Returns null when nothing can be folded or the model is not a simple chain (each layer fed by the one before it,
 * e.g. ResNets with their skip connections): then callers use `model.apply`.
 */
export function foldedInference(model: tf.LayersModel): ((x: tf.Tensor) => tf.Tensor) | null {
  const layers = model.layers;
  if (layers.length < 2 || layers[0].getClassName() !== 'InputLayer') return null;
  for (let i = 1; i < layers.length; i++) {
    const nodes = layers[i].inboundNodes;
    if (nodes.length !== 1 || nodes[0].inboundLayers.length !== 1 || nodes[0].inboundLayers[0] !== layers[i - 1]) return null;
  }
  if (model.outputs.length !== 1 || model.outputs[0].sourceLayer !== layers[layers.length - 1]) return null;

  const steps: Step[] = [];
  let folded = 0;
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i];
    const next = layers[i + 1];
    if (layer.getClassName() === 'Conv2D' && next?.getClassName() === 'BatchNormalization' && foldable(layer, next)) {
      const after = layers[i + 2];
      const relu = after?.getClassName() === 'ReLU' && (after as unknown as ReluFields).maxValue == null;
      steps.push(foldedConvStep(layer as unknown as Conv2DFields, next as unknown as BatchNormFields, relu));
      folded++;
      i += relu ? 2 : 1;
      continue;
    }
    steps.push((x) => layer.apply(x, { training: false }) as tf.Tensor);
  }
  if (folded === 0) return null;
  return (x) => tf.tidy(() => steps.reduce((y, step) => step(y), x));
}

function foldable(convLayer: tf.layers.Layer, bnLayer: tf.layers.Layer): boolean {
  const bn = bnLayer as unknown as BatchNormFields;
  return isPlainConv(convLayer as unknown as Conv2DFields) && normalizesLastAxis(bn, 4);
}

function foldedConvStep(conv: Conv2DFields, bn: BatchNormFields, relu: boolean): Step {
  return (x) => {
    const mean = bn.movingMean.read();
    const scale = tf.mul(tf.rsqrt(tf.add(bn.movingVariance.read(), bn.epsilon)), bn.gamma ? bn.gamma.read() : 1) as tf.Tensor1D;
    const filter = tf.mul(conv.kernel!.read(), scale) as tf.Tensor4D; // [kh, kw, in, out] * [out]
    const bias = tf.sub(bn.beta ? bn.beta.read() : tf.zerosLike(mean), tf.mul(mean, scale)) as tf.Tensor1D;
    return tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter,
      strides: conv.strides,
      pad: conv.padding as 'same' | 'valid',
      dilations: conv.dilationRate,
      bias,
      activation: relu ? 'relu' : 'linear',
    });
  };
}
