import * as tf from '@tensorflow/tfjs';

/**
 * Name of the one-pass SGD-momentum update kernel: inputs {w, v, g}, attrs {lr, momentum, weightDecay}, outputs
 * [w', v'] with PyTorch's semantics  v' = momentum·v + (g + weightDecay·w),  w' = w − lr·v'. Callers use it when
 * `tf.getKernel(MOMENTUM_SGD_UPDATE, tf.getBackend())` is registered and compose stock ops otherwise.
 */
export const MOMENTUM_SGD_UPDATE = 'AlsgMomentumSgdUpdate';

/** What the kernel needs of the wasm backend (tfjs-backend-wasm's BackendWasm has both, public). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * Works around the cost of the update as stock ops on wasm: six elementwise kernels per variable (mul, add, mul, add,
 * mul, sub), each a pass over the weights with its own output allocation, ~4 ms per step for the mlp's 658k
 * parameters. This kernel makes one pass over the wasm heap in JS.
 *
 * Every product and sum is rounded to float32 (Math.fround) in the order the ops path takes, with the scalars
 * rounded to float32 as tfjs does for a number operand; IEEE float32 +, −, × are exactly rounded in both, so the
 * result equals the stock ops' bit for bit (a spec checks this against the cpu backend). New output buffers are
 * written, never the inputs: the matmul's packed-weight cache is keyed by tensor id, so updating a weight in place
 * would leave stale packed copies behind.
 *
 * @param backendName backend to register the kernel for; default 'wasm'.
 * @returns a function that unregisters it.
 */
export function installMomentumSgdUpdate(backendName = 'wasm'): () => void {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const heap = backend as unknown as WasmHeapBackend;
    const { w, v, g } = inputs as { w: tf.TensorInfo; v: tf.TensorInfo; g: tf.TensorInfo };
    const { lr, momentum, weightDecay } = attrs as unknown as { lr: number; momentum: number; weightDecay: number };
    const outW = heap.makeOutput(w.shape, 'float32');
    const outV = heap.makeOutput(w.shape, 'float32');
    // Views only after every allocation: growing the heap detaches earlier views.
    momentumUpdate(heap.typedArrayFromHeap(w), heap.typedArrayFromHeap(v), heap.typedArrayFromHeap(g), heap.typedArrayFromHeap(outW), heap.typedArrayFromHeap(outV), lr, momentum, weightDecay);
    return [outW, outV];
  };
  tf.registerKernel({ kernelName: MOMENTUM_SGD_UPDATE, backendName, kernelFunc });
  return () => tf.unregisterKernel(MOMENTUM_SGD_UPDATE, backendName);
}

/** The update on plain arrays, float32 rounding after every operation (see {@link installMomentumSgdUpdate}). */
function momentumUpdate(
  w: Float32Array, v: Float32Array, g: Float32Array, outW: Float32Array, outV: Float32Array,
  lr: number, momentum: number, weightDecay: number,
): void {
  const f = Math.fround;
  const lr32 = f(lr);
  const m32 = f(momentum);
  const wd32 = f(weightDecay);
  const decay = weightDecay !== 0;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i];
    const gi = decay ? f(g[i] + f(wd32 * wi)) : g[i];
    const vi = f(f(m32 * v[i]) + gi);
    outV[i] = vi;
    outW[i] = f(wi - f(lr32 * vi));
  }
}
