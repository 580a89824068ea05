import * as tf from '@tensorflow/tfjs';
import { heapColumnSums } from './heap-kernels';
import { wrapStockKernel } from './kernel-call';

/**
 * Sum and Mean on wasm over axes that are not the innermost ones, read in place by the heap module (heap-kernels.ts
 * `colsum`) instead of transposed first.
 *
 * Why: the stock wasm kernels reduce only innermost axes; for any other axes they first run the generic Transpose
 * kernel over the whole input to bring them innermost. Channels-last networks reduce exactly those: batch norm's
 * moments and its gradient's sums over N, H, W (every training step, two of each per layer), global average pooling over
 * H, W (every forward, LDL-ALSG's neighbour forwards included), a dense bias gradient over the batch axis.
 *
 * Results are bit for bit the stock kernels' (each output is the same float32 sequential sum in the same order, then
 * the same division; wasm-fixes.spec.ts compares them). Only float32 inputs whose reduced axes are one contiguous run
 * followed by at least one kept axis take this route; everything else (innermost reductions, which the stock kernel
 * reads in place already, split axes, int32) calls the stock kernel.
 *
 * @returns a function that restores the stock kernels.
 */
export function installOuterAxisReductions(backendName = 'wasm'): () => void {
  const restore = (['Sum', 'Mean'] as const).map((kernelName) =>
    wrapStockKernel(kernelName, backendName, (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const plan = x.dtype === 'float32' ? outerAxisPlan(x.shape, axis, keepDims) : undefined;
      return plan && heapColumnSums(args.backend as tf.KernelBackend, x, plan.groups, plan.rows, plan.cols, kernelName === 'Mean', plan.outShape);
    }),
  );
  return () => restore.forEach((r) => r?.());
}

/**
 * How a reduction of `shape` over `axis` maps onto [groups, rows, cols] (groups: the kept axes before the reduced run,
 * rows: the reduced run, cols: the kept axes after it), or undefined when the heap route does not apply.
 */
export function outerAxisPlan(shape: number[], axis: number | number[], keepDims: boolean): { groups: number; rows: number; cols: number; outShape: number[] } | undefined {
  const rank = shape.length;
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0] + i)) return undefined; // nothing reduced, or split axes
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (last === rank - 1) return undefined; // innermost run: the stock kernel reads it in place
  const size = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1);
  const groups = size(0, first);
  const rows = size(first, last + 1);
  const cols = size(last + 1, rank);
  if (groups * rows * cols === 0) return undefined;
  const outShape = keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : shape.filter((_, i) => i < first || i > last);
  return { groups, rows, cols, outShape };
}
