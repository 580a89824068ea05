import * as tf from '@tensorflow/tfjs';
import { type BatchNormFields, normalizesLastAxis } from './tfjs-layer-fields';
import { hasHeapBatchNorm, heapBatchNorm } from './wasm/heap-kernels';

type PatchableBatchNorm = BatchNormFields & { call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] };

const PATCHED = Symbol('leanBatchNormTraining');

/**
 * Make the BatchNormalization layers of `model` train through one op with a closed-form gradient.
 *
 * Why: in training, tfjs-layers normalises with the batch's moments (tf.moments, then tf.batchNorm), and the tape then
 * differentiates that chain op by op: the FusedBatchNorm gradient, then back through the variance (Mean, Square, Sub)
 * and the mean (Mean), with a broadcast and a full-size reduction at each step - about twenty passes over the
 * activation per layer, ~20 ms of a ~70 ms small-cnn step on wasm (docs/training.md). The textbook batch-norm
 * backward needs seven: with xhat = (x - mean) / sqrt(var + eps) and sums over all but the channel axis (N values),
 *   dx = gamma / sqrt(var + eps) * (dy - sum(dy) / N - xhat * sum(dy * xhat) / N),
 *   dgamma = sum(dy * xhat),  dbeta = sum(dy),
 * which is the chain rule through the batch mean and variance written out (the gradients equal tfjs's to float
 * rounding: lean-batchnorm-training.spec.ts compares them, and the moving statistics, with the stock layer).
 *
 * The forward is tfjs's own (the same moments and FusedBatchNorm kernels, so outputs are bit for bit the stock ones),
 * and the moving mean and variance are updated as tfjs-layers updates them. Inference calls, and layers that are not
 * channels-last with both gamma and beta, keep tfjs's call. Replaced on the instance: the saved model is unchanged.
 * Idempotent. Returns the number of layers switched.
 */
export function useLeanBatchNormTraining(model: tf.LayersModel): number {
  let switched = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const bn = layer as unknown as PatchableBatchNorm & { [PATCHED]?: true };
    if (bn[PATCHED]) {
      switched++;
      continue;
    }
    if (!bn.gamma || !bn.beta) continue;
    const stockCall = bn.call.bind(bn);
    bn.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!kwargs?.training || (Array.isArray(inputs) && inputs.length !== 1) || !normalizesLastAxis(bn, x.rank)) return stockCall(inputs, kwargs);
      const { normed, mean, variance } = batchNormTraining(x, bn.gamma!.read(), bn.beta!.read(), bn.epsilon);
      try {
        movingAverage(bn.movingMean, mean, bn.momentum);
        movingAverage(bn.movingVariance, variance, bn.momentum);
      } finally {
        tf.dispose([mean, variance]);
      }
      return normed;
    };
    bn[PATCHED] = true;
    switched++;
  }
  return switched;
}

/** tfjs-layers' update of a moving statistic, op for op: v - (v - value) * (1 - momentum). */
function movingAverage(variable: BatchNormFields['movingMean'], value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

/**
 * Batch-normalised `x` (channels last) with the batch's mean and variance, as one op whose gradient is closed-form.
 * `mean` and `variance` are kept tensors: the caller disposes them.
 */
function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { normed: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const axes = [...Array(x.rank - 1).keys()];
  const count = x.size / x.shape[x.rank - 1];
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  // On wasm the passes over the activation run as the heap module's fused loops (the same float32 operations in the
  // same order, so the same bits, in 4 passes instead of ~12 kernel calls); elsewhere as the ops below.
  const heap = hasHeapBatchNorm(x);
  const op = tf.customGrad(((xIn: tf.Tensor, gammaIn: tf.Tensor, betaIn: tf.Tensor, save: tf.GradSaveFunc) => {
    // As tf.moments computes them (the stock layer's forward), so outputs and moving statistics are the stock ones.
    // The engine runs this function in a tidy of its own: the statistics the moving averages need are kept past it.
    mean = tf.keep(tf.mean(xIn, axes));
    let centred: tf.Tensor;
    if (heap) {
      const [c, v] = heapBatchNorm.centre(xIn, mean);
      centred = c;
      variance = tf.keep(v);
    } else {
      centred = tf.sub(xIn, mean);
      variance = tf.keep(tf.mean(tf.square(centred), axes));
    }
    const varianceEps = tf.add(variance, epsilon);
    const invStd = tf.rsqrt(varianceEps);
    save([centred, invStd, gammaIn]);
    return {
      value: heap
        ? heapBatchNorm.normalize(centred, betaIn, gammaIn, tf.sqrt(varianceEps)) // FusedBatchNorm's expression
        : tf.batchNorm(xIn, mean, variance, betaIn, gammaIn, epsilon),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor;
        const [c, r, gm] = saved;
        if (heap) {
          const [dBeta, dGamma] = heapBatchNorm.gradSums(g, c, r);
          return [heapBatchNorm.gradInput(g, c, r, tf.div(dBeta, count), tf.div(dGamma, count), tf.mul(gm, r)), dGamma, dBeta];
        }
        const xhat = tf.mul(c, r);
        const dBeta = tf.sum(g, axes);
        const dGamma = tf.sum(tf.mul(g, xhat), axes);
        const centredDy = tf.sub(tf.sub(g, tf.div(dBeta, count)), tf.mul(xhat, tf.div(dGamma, count)));
        return [tf.mul(centredDy, tf.mul(gm, r)), dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const normed = op(x, gamma, beta);
  return { normed, mean: mean!, variance: variance! };
}
