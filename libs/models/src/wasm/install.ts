import * as tf from '@tensorflow/tfjs';
import { installMatMulTransposeFix } from './matmul-fix';
import { installForwardConvBackprop } from './conv-backprop';
import { installDepthwiseBackprop } from './depthwise-backprop';
import { installLeanBatchNormGrad } from './batchnorm-grad';
import { installHeapKernels } from './heap-kernels';
import { installIdentityAlias } from './identity-alias';
import { installOuterAxisReductions } from './outer-axis-reductions';
import { installHeapConv2d } from './heap-conv2d';

const installed = new Map<string, () => void>();

/**
 * Install the kernel workarounds for the current backend once (idempotent), and say which are active.
 * - wasm: the matmul fix (transposes, packed-weight reuse), forward-convolution conv backprop, depthwise backprop,
 *   the lean BatchNorm gradient (see their modules for the problems they work around), the heap module's kernels
 *   (heap-kernels.ts: the one-pass SGD update and the training batch norm's passes), an Identity that shares buffers instead of copying them (identity-alias.ts) and Sum / Mean over
 *   non-innermost axes without a transpose (outer-axis-reductions.ts), and Conv2D / FusedConv2D by the heap module where
 *   its layout conditions hold (heap-conv2d.ts).
 * - cpu: forward-convolution conv backprop only if `cpuConvBackprop` is true (the stock cpu backprop kernels are naive
 *   loops; opt-in so the cpu backend stays usable as an unmodified reference in tests).
 * - other backends: nothing.
 *
 * @returns names of the workarounds active on the current backend.
 */
export function installWasmFixes(opts: { cpuConvBackprop?: boolean } = {}): string[] {
  const backend = tf.getBackend();
  const wanted: [string, () => () => void][] = [];
  if (backend === 'wasm') {
    wanted.push(['wasm:matmul-transpose', () => installMatMulTransposeFix('wasm')]);
    wanted.push(['wasm:forward-conv-backprop', () => installForwardConvBackprop('wasm')]);
    wanted.push(['wasm:depthwise-backprop', () => installDepthwiseBackprop('wasm')]);
    wanted.push(['wasm:lean-batchnorm-grad', () => installLeanBatchNormGrad(['wasm'])]);
    wanted.push(['wasm:heap-kernels', () => installHeapKernels()]);
    wanted.push(['wasm:identity-alias', () => installIdentityAlias('wasm')]);
    wanted.push(['wasm:outer-axis-reductions', () => installOuterAxisReductions('wasm')]);
    wanted.push(['wasm:heap-conv2d', () => installHeapConv2d('wasm')]);
  } else if (backend === 'cpu' && opts.cpuConvBackprop) {
    wanted.push(['cpu:forward-conv-backprop', () => installForwardConvBackprop('cpu')]);
  }
  for (const [name, install] of wanted) if (!installed.has(name)) installed.set(name, install());
  return [...installed.keys()].filter((n) => n.startsWith(backend + ':'));
}

/** Remove every installed workaround (tests use it to get the stock kernels back). */
export function uninstallWasmFixes(): void {
  for (const restore of installed.values()) restore();
  installed.clear();
}
