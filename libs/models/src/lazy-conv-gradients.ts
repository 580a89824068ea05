import * as tf from '@tensorflow/tfjs';
import { isPlainConv, type Conv2DFields } from './tfjs-layer-fields';

type PatchableConv = Conv2DFields & { call(inputs: tf.Tensor | tf.Tensor[], kwargs: object): tf.Tensor };

const PATCHED = Symbol('lazyConvInputGradient');

/**
 * Make the bias-free, linear Conv2D layers of `model` compute their input gradient only when something needs it.
 *
 * Why: tfjs-layers runs every Conv2D through `tf.fused.conv2d`, whose custom gradient computes the input gradient
 * eagerly. For the first convolution that is the gradient with respect to the IMAGE, which nothing uses: 7.65 ms of a
 * 61.5 ms small-cnn step on wasm (docs/models.md "Where a small-cnn step goes"). The plain `tf.conv2d` op has the same
 * forward kernel and the same two gradient ops, but each is a lazy function the tape prunes when its input does not lead
 * back to a trained variable. So those layers' `call` is replaced, on the instance, by the plain op. Weights, config and
 * the saved model.json are unchanged (the class is still Conv2D; Keras and `tf.loadLayersModel` load it as before).
 *
 * Only layers whose fused call would be a plain convolution are touched: no bias, linear activation, NHWC, no causal
 * padding. Others keep tfjs's call. Idempotent. Returns the number of layers switched.
 */
export function useLazyConvInputGradients(model: tf.LayersModel): number {
  let switched = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const conv = layer as unknown as PatchableConv & { [PATCHED]?: true };
    if (conv[PATCHED]) {
      switched++;
      continue;
    }
    if (!isPlainConv(conv)) continue;
    conv.call = (inputs) =>
      tf.tidy(() => {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
        return tf.conv2d(x, conv.kernel!.read() as tf.Tensor4D, conv.strides, conv.padding as 'same' | 'valid', 'NHWC', conv.dilationRate);
      });
    conv[PATCHED] = true;
    switched++;
  }
  return switched;
}
