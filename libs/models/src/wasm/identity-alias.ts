import * as tf from '@tensorflow/tfjs';

/**
 * Identity on wasm shares the input's buffer (a reference count, as the wasm Reshape kernel and the cpu backend's
 * Identity do) instead of copying it.
 *
 * Why: in gradient mode tfjs saves the inputs and outputs each gradient needs through `ENGINE.clone`, i.e. an Identity
 * kernel, and the stock wasm Identity copies the whole tensor. A small-cnn training step ran 97 of them (9 copies of
 * every conv activation), 5.7 ms of a 62 ms step (docs/models.md "Where a small-cnn step goes"). Sharing is safe
 * because no wasm kernel writes into an existing buffer: every kernel, ours included (heap-kernels.ts), writes a new
 * output, and Variable.assign swaps buffers rather than overwriting them. Strings keep the stock kernel.
 *
 * @returns a function that restores the stock kernel.
 */
export function installIdentityAlias(backendName = 'wasm'): () => void {
  const original = tf.getKernel('Identity', backendName);
  if (!original) return () => undefined;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as tf.KernelBackend & { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', backendName);
  tf.registerKernel({ kernelName: 'Identity', backendName, kernelFunc });
  return () => {
    tf.unregisterKernel('Identity', backendName);
    tf.registerKernel(original);
  };
}
