import type * as tf from '@tensorflow/tfjs';

/**
 * The fields of tfjs-layers' Conv2D that our layer-level speed-ups read (protected in tfjs's typings; tfjs 4.22). Their
 * specs (lazy-conv-gradients.spec.ts, folded-inference.spec.ts) are the check after a tfjs upgrade.
 */
export interface Conv2DFields {
  kernel: { read(): tf.Tensor } | null;
  bias: unknown;
  activation: { getClassName(): string };
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
}

/** A Conv2D whose bias is absent, activation linear, layout NHWC and padding same/valid: a plain convolution. */
export function isPlainConv(conv: Conv2DFields): boolean {
  return conv.bias == null && conv.activation.getClassName() === 'linear' && conv.dataFormat === 'channelsLast' && (conv.padding === 'same' || conv.padding === 'valid');
}
