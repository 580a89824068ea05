/**
 * What the trainer needs from a network: a function from a batch of inputs to logits, and its weights. Keeping the trainer
 * generic over this (rather than over tf.LayersModel) lets tests use tiny models and lets methods add their own variables
 * (NAL's channel, LTNet's transition matrices) next to the backbone's.
 */
import * as tf from '@tensorflow/tfjs';

export interface TrainableModel {
  /**
   * Logits [n, C] for a batch of inputs.
   * @param x inputs [n, ...] (float32, already scaled).
   * @param training true inside the gradient tape (dropout / batch statistics active), false for inference.
   */
  logits(x: tf.Tensor, training: boolean): tf.Tensor2D;
  /** Trainable variables, in a fixed order. */
  trainableVariables(): tf.Variable[];
  /** All weights (trainable and not, e.g. batch-norm moving statistics) in a fixed order, for checkpoints. */
  getWeights(): tf.Tensor[];
  /** Restores weights returned by {@link getWeights} (same order and shapes). */
  setWeights(weights: tf.Tensor[]): void;
  /** Variables weight decay applies to (default: all trainable ones). */
  decayVariables?(): tf.Variable[];
  /** The underlying Keras-style model when there is one (saved in TF.js layers format at the end). */
  readonly layersModel?: tf.LayersModel;
}

/**
 * Wraps a tf.LayersModel whose output is logits (no final softmax) as a {@link TrainableModel}.
 * @param model the backbone; `model.apply(x, {training})` is called for the forward pass.
 */
export function fromLayersModel(model: tf.LayersModel): TrainableModel {
  return {
    layersModel: model,
    logits: (x, training) => model.apply(x, { training }) as tf.Tensor2D,
    trainableVariables: () => model.trainableWeights.map((w) => w.read() as tf.Variable),
    getWeights: () => model.getWeights(),
    setWeights: (weights) => model.setWeights(weights),
  };
}

/** Options of {@link createDenseModel}. */
export interface DenseModelArgs {
  /** Input feature size (flattened). */
  inputSize: number;
  /** Hidden layer widths (ReLU); [] gives softmax regression. */
  hidden: readonly number[];
  /** Number of classes. */
  numClasses: number;
  /** Seed of the Glorot-uniform initialisation. */
  seed: number;
}

/**
 * A small multilayer perceptron (tf.sequential, logits output): the trainer's test model and a fallback backbone.
 * Inputs of any shape [n, ...] are flattened first.
 */
export function createDenseModel(args: DenseModelArgs, inputShape: readonly number[] = [args.inputSize]): tf.Sequential {
  const model = tf.sequential();
  // Flatten only inputs of rank > 1 (tfjs's flatten layer rejects [n, d]).
  if (inputShape.length > 1) model.add(tf.layers.flatten({ inputShape: [...inputShape] }));
  else model.add(tf.layers.inputLayer({ inputShape: [...inputShape] }));
  let seed = args.seed;
  for (const units of args.hidden) {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  }
  model.add(tf.layers.dense({ units: args.numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  return model;
}

/** The shape of `@ldl-alsg/models`' Backbone that the trainer uses (kept structural so this lib does not depend on it). */
export interface BackboneLike {
  readonly model: tf.LayersModel;
  logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  trainableVariables(): tf.Variable[];
  decayVariables(): tf.Variable[];
}

/** Adapts a `@ldl-alsg/models` backbone (logits output, raw 0..255 pixel input) to a {@link TrainableModel}. */
export function fromBackbone(backbone: BackboneLike): TrainableModel {
  return {
    layersModel: backbone.model,
    logits: (x, training) => backbone.logits(x as tf.Tensor4D, training),
    trainableVariables: () => backbone.trainableVariables(),
    decayVariables: () => backbone.decayVariables(),
    getWeights: () => backbone.model.getWeights(),
    setWeights: (weights) => backbone.model.setWeights(weights),
  };
}
