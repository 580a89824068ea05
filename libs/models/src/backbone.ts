import * as tf from '@tensorflow/tfjs';
import { AlsgError } from '@ldl-alsg/common';
import { useLazyConvInputGradients } from './lazy-conv-gradients';
import { useLeanBatchNormTraining } from './lean-batchnorm-training';
import { foldedInference } from './folded-inference';

/** Names accepted by {@link createBackbone}. */
export type BackboneName = 'resnet50' | 'resnet18' | 'mobilenetv2' | 'small-cnn' | 'mlp' | 'mlp-norm';

/** Options of every backbone builder. */
export interface BackboneOptions {
  /** Input image shape [H, W, C] (C = 1 grayscale, 3 colour). Pixels enter as float32 values in 0..255. */
  readonly inputShape: [number, number, number];
  /** Number of output logits (7 for the canonical classes). */
  readonly numClasses: number;
  /** Seed of the weight initialisers; the same seed gives the same initial weights. Default 0. */
  readonly seed?: number;
}

/**
 * A classification network the trainer drives directly (custom training loop, no model.fit).
 *
 * - `model`: a plain tfjs-layers `LayersModel`: input float32 [n, H, W, C] with raw pixel values 0..255 (the model
 *   rescales them itself, so evaluation only has to load model.json and feed pixels); output: LOGITS [n, numClasses]
 *   (no softmax). Saved with {@link saveLayersModel}, it loads with `tf.loadLayersModel` and no custom classes.
 * - `logits(x, training)`: the forward pass. `training = true` uses batch statistics in BatchNorm (and updates its
 *   moving averages) and enables dropout; use `false` for evaluation and for forward-only passes whose statistics must
 *   not move (e.g. LDL-ALSG neighbours). With `false`, a chain of conv -> batch norm -> ReLU layers runs as fused
 *   convolutions with the statistics folded in (folded-inference.ts): equal to `model.apply` to float rounding.
 * - `trainableVariables()`: the variables an optimizer updates (`optimizer.minimize(f, true, vars)`).
 * - `decayVariables()`: the subset weight decay applies to (conv/dense kernels; not biases, BN scale/offset).
 * - `model.getWeights()` / `model.setWeights()`: every weight incl. BatchNorm moving statistics, for checkpoints.
 */
export interface Backbone {
  readonly name: BackboneName;
  readonly model: tf.LayersModel;
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  trainableVariables(): tf.Variable[];
  decayVariables(): tf.Variable[];
  /** Number of trainable parameters. */
  countParams(): number;
  dispose(): void;
}

/** Wrap a built LayersModel into the {@link Backbone} interface. */
export function wrapModel(name: BackboneName, model: tf.LayersModel, opts: BackboneOptions): Backbone {
  // The first convolution's image gradient is never needed; see lazy-conv-gradients.ts.
  useLazyConvInputGradients(model);
  // Batch norm in training differentiates in closed form instead of op by op; see lean-batchnorm-training.ts.
  useLeanBatchNormTraining(model);
  // Inference passes (LDL-ALSG's neighbours, per-epoch accuracy) run conv + batch norm + ReLU as one fused conv.
  const inference = foldedInference(model);
  const vars = () => model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    name,
    model,
    inputShape: opts.inputShape,
    numClasses: opts.numClasses,
    logits: (x, training) => (!training && inference ? inference(x) : model.apply(x, { training })) as tf.Tensor2D,
    trainableVariables: vars,
    decayVariables: () => model.trainableWeights.filter((w) => /kernel/.test(w.originalName)).map((w) => w.read() as tf.Variable),
    countParams: () => model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0),
    dispose: () => model.dispose(),
  };
}

/**
 * Deterministic initialisers: each call gives the next layer its own seed derived from the backbone seed, so two
 * backbones built with the same seed start from identical weights.
 */
export function seededInit(seed = 0) {
  let i = 0;
  const next = () => (seed * 7919 + ++i) >>> 0;
  return {
    /** He-normal (fan-in) initialiser, as used for ReLU conv nets. */
    he: () => tf.initializers.heNormal({ seed: next() }),
    /** Glorot-uniform initialiser, for the classifier. */
    glorot: () => tf.initializers.glorotUniform({ seed: next() }),
  };
}

/** Validate options shared by all builders; errors name the option and the value received. */
export function checkOptions(builder: string, opts: BackboneOptions): void {
  const [h, w, c] = opts.inputShape ?? [];
  if (![h, w, c].every((v) => Number.isInteger(v) && v > 0)) {
    throw new AlsgError('E_CONFIG', `${builder}: inputShape must be [H, W, C] of positive integers, but got ${JSON.stringify(opts.inputShape)}`, { path: 'inputSize' });
  }
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 2) {
    throw new AlsgError('E_CONFIG', `${builder}: numClasses must be an integer >= 2, but got ${opts.numClasses}`, { path: 'numClasses' });
  }
}

/** Input layer plus rescaling of raw 0..255 pixels to [-1, 1]. */
export function pixelInput(opts: BackboneOptions): { input: tf.SymbolicTensor; x: tf.SymbolicTensor } {
  const input = tf.input({ shape: opts.inputShape, name: 'pixels' });
  const x = tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: 'rescale' }).apply(input) as tf.SymbolicTensor;
  return { input, x };
}
