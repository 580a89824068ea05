import * as tf from '@tensorflow/tfjs';
import { kernelOps, release, type Info } from './kernel-call';
import { upsampleByStride } from './stride-upsample';

/**
 * Conv2D gradients expressed with FORWARD convolutions, registered as the backend's Conv2DBackpropFilter and
 * Conv2DBackpropInput kernels.
 *
 * Works around two wasm-backend gaps (tfjs 4.22): Conv2DBackpropFilter is not registered at all (training any conv net
 * throws "Kernel 'Conv2DBackpropFilter' not registered"), and Conv2DBackpropInput is a naive loop ~15x slower than the
 * XNNPACK forward conv. Because the fix is at kernel level, every path that needs conv gradients uses it: the stock
 * Conv2D gradient and the fused conv (tf.layers.conv2d) custom gradient alike, so models stay plain tfjs-layers models
 * and save/load without custom classes.
 *
 * - dW[kh,kw,ci,co] = sum_{n,i,j} xpad[n, i*s+kh, j*s+kw, ci] * dy[n,i,j,co]: a 'valid' convolution of the padded input
 *   viewed as [ci, H', W', n] (batch and channel axes swapped) with the output gradient viewed as an [Ho, Wo, n, co]
 *   filter, dilated by the stride.
 * - dX = 'valid' convolution of the output gradient (zero-upsampled by the stride, padded by K-1-pad) with the spatially
 *   flipped kernel whose in/out channel axes are swapped.
 * Each kernel frees its temporaries itself (the kernel-level equivalent of wrapping a custom gradient in tf.tidy).
 * Cases outside NHWC with dilation 1 fall back to the original kernel when one exists.
 *
 * @param backendName backend to patch; default 'wasm'.
 * @returns a function that restores the previous kernels.
 */
export function installForwardConvBackprop(backendName = 'wasm'): () => void {
  const restores = [
    replace('Conv2DBackpropFilter', backendName, backpropFilter),
    replace('Conv2DBackpropInput', backendName, backpropInput),
  ];
  return () => restores.forEach((r) => r());
}

type Impl = (inputs: tf.NamedTensorInfoMap, backend: tf.KernelBackend, attrs: ConvAttrs) => Info | null;
interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

function replace(kernelName: string, backendName: string, impl: Impl): () => void {
  const original = tf.getKernel(kernelName, backendName);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as tf.KernelBackend;
    const out = impl(inputs, backend, attrs as unknown as ConvAttrs);
    if (out) return out;
    if (!original) throw new Error(`${kernelName} (forward-conv backprop on ${backendName}): unsupported attributes ${JSON.stringify(attrs)} and no original kernel`);
    return original.kernelFunc({ inputs, backend, attrs });
  };
  if (original) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc });
  return () => {
    tf.unregisterKernel(kernelName, backendName);
    if (original) tf.registerKernel(original);
  };
}

function convInfo(xShape: number[], wShape: number[], attrs: ConvAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

/** dW by a forward convolution (see the module comment). */
function backpropFilter(inputs: tf.NamedTensorInfoMap, b: tf.KernelBackend, attrs: ConvAttrs): Info | null {
  const x = inputs.x as Info;
  const dy = inputs.dy as Info;
  if (attrs.dataFormat !== 'NHWC' || !attrs.filterShape) return null;
  const c = convInfo(x.shape, attrs.filterShape, attrs);
  const { top, left } = c.padInfo;
  const [n, h, w, ci] = x.shape;
  const needH = (c.outHeight - 1) * c.strideHeight + c.filterHeight;
  const needW = (c.outWidth - 1) * c.strideWidth + c.filterWidth;
  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  let xp = x;
  const bottom = needH - top - h;
  const right = needW - left - w;
  if (top || left || bottom > 0 || right > 0) {
    xp = keep(kernelOps.pad(b, xp, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]]));
  }
  if (bottom < 0 || right < 0) xp = keep(kernelOps.slice(b, xp, [0, 0, 0, 0], [n, needH, needW, ci]));
  const xt = keep(kernelOps.transpose(b, xp, [3, 1, 2, 0])); // [ci, needH, needW, n]
  const dyt = keep(kernelOps.transpose(b, dy, [1, 2, 0, 3])); // [Ho, Wo, n, co] used as a filter
  const out = keep(kernelOps.conv2d(b, xt, dyt, [c.strideHeight, c.strideWidth])); // [ci, KH, KW, co]
  const dw = kernelOps.transpose(b, out, [1, 2, 0, 3]);
  release(b, ...temps);
  return dw;
}

/** dX by a forward convolution of the upsampled, padded output gradient with the flipped kernel. */
function backpropInput(inputs: tf.NamedTensorInfoMap, b: tf.KernelBackend, attrs: ConvAttrs): Info | null {
  const dy = inputs.dy as Info;
  const filter = inputs.filter as Info;
  if (attrs.dataFormat !== 'NHWC' || !attrs.inputShape) return null;
  const c = convInfo(attrs.inputShape, filter.shape, attrs);
  const [, h, w] = attrs.inputShape;
  const padTop = c.filterHeight - 1 - c.padInfo.top;
  const padLeft = c.filterWidth - 1 - c.padInfo.left;
  if (padTop < 0 || padLeft < 0) return null;
  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  const up = upsampleByStride(b, dy, c.strideHeight, c.strideWidth, keep);
  const [n, hu, wu, co] = up.shape;
  const padBottom = h + c.filterHeight - 1 - padTop - hu;
  const padRight = w + c.filterWidth - 1 - padLeft - wu;
  let g = up;
  // Negative bottom/right padding can only cut trailing zero rows/columns created by the upsampling.
  if (padBottom < 0 || padRight < 0) {
    g = keep(kernelOps.slice(b, g, [0, 0, 0, 0], [n, hu + Math.min(0, padBottom), wu + Math.min(0, padRight), co]));
  }
  g = keep(kernelOps.pad(b, g, [[0, 0], [padTop, Math.max(0, padBottom)], [padLeft, Math.max(0, padRight)], [0, 0]]));
  const flipped = keep(kernelOps.reverse(b, filter, [0, 1]));
  const wT = keep(kernelOps.transpose(b, flipped, [0, 1, 3, 2])); // [KH, KW, co, ci]
  const dx = kernelOps.conv2d(b, g, wT, [1, 1]);
  release(b, ...temps);
  return dx;
}
