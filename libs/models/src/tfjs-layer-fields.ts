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

/** The fields of tfjs-layers' BatchNormalization that our layer-level speed-ups read (protected in tfjs's typings). */
export interface BatchNormFields {
  axis: number | number[];
  epsilon: number;
  momentum: number;
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
  movingMean: { read(): tf.Tensor; write(v: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(v: tf.Tensor): void };
}

/** A BatchNormalization over the last axis of a rank-`rank` input (channels last), as our CNN backbones build them. */
export function normalizesLastAxis(bn: BatchNormFields, rank: number): boolean {
  const axis = Array.isArray(bn.axis) ? (bn.axis.length === 1 ? bn.axis[0] : NaN) : bn.axis;
  return axis === -1 || axis === rank - 1;
}
