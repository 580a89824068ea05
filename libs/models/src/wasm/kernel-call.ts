import * as tf from '@tensorflow/tfjs';

/** Tensor metadata as kernels see it (data lives in the backend). */
export type Info = tf.TensorInfo;

/**
 * Run another kernel of the same backend from inside a kernel, the way backends compose kernels internally. Ops
 * (tf.conv2d ...) cannot be used there: kernels receive and return raw TensorInfo, and the engine is mid-call.
 *
 * @param name kernel name, e.g. 'Conv2D'.
 * @param backend the backend instance the calling kernel received.
 * @param inputs named inputs of the kernel.
 * @param attrs the kernel's attributes.
 */
export function callKernel(name: string, backend: tf.KernelBackend, inputs: Record<string, Info>, attrs: object = {}): Info {
  const cfg = tf.getKernel(name, backendName(backend));
  if (!cfg) throw new Error(`kernel ${name} is not registered for backend ${backendName(backend)}`);
  const out = cfg.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap });
  return (Array.isArray(out) ? out[0] : out) as Info;
}

/**
 * Put a kernel in front of the stock `kernelName` on `backendName`: `first` runs, and where it returns undefined (its
 * route does not apply) the stock kernel does. Returns a function that restores the stock kernel, or undefined when
 * there is none to wrap (then nothing is registered).
 */
export function wrapStockKernel(kernelName: string, backendName: string, first: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | undefined): (() => void) | undefined {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) return undefined;
  const kernelFunc: tf.KernelFunc = (args) => first(args) ?? original.kernelFunc(args);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return () => {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(original);
  };
}

/** The attributes of tfjs's convolution kernels (Conv2D, FusedConv2D and their gradients) that the workarounds read. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  activation?: string;
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

/** tfjs's convolution geometry (output size, padding, strides) for an NHWC input and a filter, dilation 1. */
export function convInfo(xShape: number[], wShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/** Free kernel temporaries (decrements the backend's ref count; shared buffers survive). */
export function release(backend: tf.KernelBackend, ...infos: Info[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/**
 * A new backend tensor holding `values` (for kernel temporaries such as gather indices, or a result computed in JS).
 * The wasm backend takes them through makeOutput(shape, dtype, offset, values), the cpu backend through makeTensorInfo;
 * the cpu backend also has a makeOutput, with another signature (values first) that returns an engine tensor, so the
 * choice goes by backend, not by which method exists.
 */
export function tensorInfoFrom(b: tf.KernelBackend, shape: number[], values: Float32Array | Int32Array): Info {
  const dtype = values instanceof Int32Array ? 'int32' : 'float32';
  const anyB = b as unknown as {
    wasm?: object;
    makeOutput?: (s: number[], d: 'float32' | 'int32', o?: number, v?: Float32Array | Int32Array) => Info;
    makeTensorInfo?: (s: number[], d: 'float32' | 'int32', v: Float32Array | Int32Array) => Info;
  };
  if (anyB.wasm && anyB.makeOutput) return anyB.makeOutput(shape, dtype, undefined, values);
  if (!anyB.makeTensorInfo) throw new Error(`tensorInfoFrom: backend ${backendName(b)} has neither wasm's makeOutput nor makeTensorInfo`);
  return anyB.makeTensorInfo(shape, dtype, values);
}

/** Name under which `backend` is registered in the engine ('wasm', 'cpu', ...). */
export function backendName(backend: tf.KernelBackend): string {
  for (const name of ['wasm', 'cpu', 'tensorflow', 'webgl']) {
    if (tf.engine().registry[name] === backend) return name;
  }
  return tf.getBackend();
}

/**
 * Kernel-level versions of the few ops our workaround kernels compose, each a call of one primitive kernel of the same
 * backend (no raw data access, so they run on any backend). Named `kernelOps`, not `tf`-like names, because they take and
 * return raw TensorInfo and must be released by the caller ({@link release}).
 */
export const kernelOps = {
  transpose: (b: tf.KernelBackend, x: Info, perm: number[]) => callKernel('Transpose', b, { x }, { perm }),
  reshape: (b: tf.KernelBackend, x: Info, shape: number[]) => callKernel('Reshape', b, { x }, { shape }),
  pad: (b: tf.KernelBackend, x: Info, paddings: [number, number][]) =>
    callKernel('PadV2', b, { x }, { paddings, constantValue: 0 }),
  slice: (b: tf.KernelBackend, x: Info, begin: number[], size: number[]) => callKernel('Slice', b, { x }, { begin, size }),
  reverse: (b: tf.KernelBackend, x: Info, dims: number[]) => callKernel('Reverse', b, { x }, { dims }),
  conv2d: (b: tf.KernelBackend, x: Info, filter: Info, dilations: [number, number], pad: 'valid' | tf.backend_util.ExplicitPadding = 'valid') =>
    callKernel('Conv2D', b, { x, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations }),
  depthwise: (b: tf.KernelBackend, x: Info, filter: Info) =>
    callKernel('DepthwiseConv2dNative', b, { x, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] }),
};
