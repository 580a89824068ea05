import * as tf from '@tensorflow/tfjs';
import { heapConv2d, type ConvForwardDims } from './heap-kernels';
import { convInfo, wrapStockKernel, type ConvAttrs } from './kernel-call';

/**
 * Conv2D and FusedConv2D on wasm by the heap module's convolution (heap-kernels.ts `convForward`) where it applies:
 * float32 NHWC, dilation 1, ci a multiple of 4, co of 8, n * ho * wo of 4, and (fused) a [co] bias with no activation
 * or ReLU. Everything else calls the stock kernel (XNNPACK).
 *
 * Why: LDL-ALSG's exact loss forwards ~8 neighbour images per centre image in inference mode at every step (~248
 * images per batch of 32 for small-cnn); those forwards are most of the exact step, and XNNPACK's convolution ran
 * small-cnn's second and third layers at ~20 GMAC/s on one wasm SIMD core. The heap loop computes the same sums in the
 * same order (bias first, then the taps in order and the channels within each tap, one float32 running sum per
 * output, padded taps adding products of zero like XNNPACK's zero buffer, then max(y, 0) for ReLU), so the outputs are
 * bit for bit XNNPACK's (wasm-fixes.spec.ts compares them, signed zeros and NaN included), at ~26-28 GMAC/s: it reads
 * the filter where tfjs keeps it instead of packing it (training changes the weights at every step, so XNNPACK repacks
 * them at every call) and gathers each tile's input pointers once per tap for all output-channel blocks. Measured per
 * shape in docs/models.md; with one input channel (small-cnn's first layer) XNNPACK stays faster, hence ci % 4.
 *
 * @returns a function that restores the stock kernels.
 */
export function installHeapConv2d(backendName = 'wasm'): () => void {
  const restore = [wrapStockKernel('Conv2D', backendName, conv2d), wrapStockKernel('FusedConv2D', backendName, fusedConv2d)];
  return () => restore.forEach((r) => r?.());
}

/** The heap convolution's shape arguments, or undefined when its layout conditions do not hold. */
export function heapConvDims(xShape: number[], filterShape: number[], attrs: ConvAttrs): ConvForwardDims | undefined {
  if (attrs.dataFormat !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return undefined;
  const dil = attrs.dilations ?? 1;
  if (typeof dil === 'number' ? dil !== 1 : dil.some((d) => d !== 1)) return undefined;
  const info = convInfo(xShape, filterShape, attrs);
  const [n, h, w, ci] = xShape;
  const co = filterShape[3];
  if (ci % 4 !== 0 || co % 8 !== 0 || (n * info.outHeight * info.outWidth) % 4 !== 0 || n * info.outHeight * info.outWidth === 0) return undefined;
  return { n, h, w, ci, ho: info.outHeight, wo: info.outWidth, co, kh: info.filterHeight, kw: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left };
}

function conv2d({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | undefined {
  const x = inputs.x as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const d = heapConvDims(x.shape, filter.shape, attrs as unknown as ConvAttrs);
  return d && heapConv2d(backend as tf.KernelBackend, x, filter, null, false, d);
}

function fusedConv2d({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
  const a = attrs as unknown as ConvAttrs;
  const activation = a.activation ?? 'linear';
  if (!x || !filter || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) return undefined;
  const d = heapConvDims(x.shape, filter.shape, a);
  return d && heapConv2d(backend as tf.KernelBackend, x, filter, bias ?? null, activation === 'relu', d);
}
