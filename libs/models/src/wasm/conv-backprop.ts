import * as tf from '@tensorflow/tfjs';
import { heapCol2im, heapConv2d, heapConv2dApplies, heapConvFilterGrad, heapFloat32, heapTranspose2d, type Col2imDims } from './heap-kernels';
import { callKernel, convInfo, kernelOps, release, tensorInfoFrom, type ConvAttrs, type Info } from './kernel-call';
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
 * - dW[kh,kw,ci,co] = sum_{n,i,j} xpad[n, i*s+kh, j*s+kw, ci] * dy[n,i,j,co]: a convolution of the input viewed as
 *   [ci, H, W, n] (batch and channel axes swapped), padded by the convolution itself, with the output gradient viewed as
 *   an [Ho, Wo, n, co] filter, dilated by the stride; on wasm, wherever its tiles fit, the same sums in the same order
 *   by a loop of the heap module, which spares XNNPACK packing the fresh dy as weights at every call.
 * - dX = 'valid' convolution of the output gradient (zero-upsampled by the stride, padded by K-1-pad) with the spatially
 *   flipped kernel whose in/out channel axes are swapped; for strided convolutions, per stride phase without the zeros,
 *   and on wasm as one matrix product and a col2im on the heap instead (backpropInput).
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
  const bottom = needH - top - h;
  const right = needW - left - w;
  const co = attrs.filterShape[3];
  // The heap module's loop where it applies: the same sums as the convolution below, without packing dy as its weights
  // at every call and without the generic transposes. Faster at every shape measured (tmp/dw-tile.ts, 2026-12-01: 3x3
  // kernels over 1-256 channels, stride 1 and 2, heap / convolution route 0.19-0.91); small-cnn's three layers at batch
  // 32 take 0.20 / 0.64 / 0.56 ms in a training step (0.85 / 1.50 / 0.98 by the convolution, 0.32 / 1.06 / 0.86 by the
  // one-channel loop with a [ci, h, w, n] transpose before the 4x8 tiles).
  const heapDw = heapConvFilterGrad(b, x, dy, { n, h, w, ci, ho: c.outHeight, wo: c.outWidth, co, kh: c.filterHeight, kw: c.filterWidth, sh: c.strideHeight, sw: c.strideWidth, top, left });
  if (heapDw) return heapDw;
  let xt: Info;
  let padding: 'valid' | tf.backend_util.ExplicitPadding = 'valid';
  if (bottom < 0 || right < 0) {
    // Rows / columns no output reaches are cut off first (and the rest padded) so the 'valid' convolution fits.
    let xp = x;
    if (top || left || bottom > 0 || right > 0) {
      xp = keep(kernelOps.pad(b, xp, [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]]));
    }
    xp = keep(kernelOps.slice(b, xp, [0, 0, 0, 0], [n, needH, needW, ci]));
    xt = keep(kernelOps.transpose(b, xp, [3, 1, 2, 0])); // [ci, needH, needW, n]
  } else {
    // The zero border is the convolution's own padding, not a padded copy of x: wasm's PadV2 copied element by element
    // (0.48 ms of small-cnn's 1.1 ms first-layer dW); the zeros enter the same sums at the same places, so dW is the same.
    xt = keep(kernelOps.transpose(b, x, [3, 1, 2, 0])); // [ci, h, w, n]
    padding = [[0, 0], [top, bottom], [left, right], [0, 0]];
  }
  const dyt = keep(kernelOps.transpose(b, dy, [1, 2, 0, 3])); // [Ho, Wo, n, co] used as a filter
  const out = keep(kernelOps.conv2d(b, xt, dyt, [c.strideHeight, c.strideWidth], padding)); // [ci, KH, KW, co]
  const dw = kernelOps.transpose(b, out, [1, 2, 0, 3]);
  release(b, ...temps);
  return dw;
}

/**
 * dX of a strided convolution: on wasm one matrix product and a scatter-add on the heap (backpropInputByGemm); elsewhere
 * by forward convolutions, one per stride phase where the phases tile the input evenly (backpropInputByPhases), else one
 * convolution of the zero-upsampled, padded output gradient with the flipped kernel. A stride-1 dX is that one
 * convolution everywhere (XNNPACK's forward conv, nothing to gain).
 */
function backpropInput(inputs: tf.NamedTensorInfoMap, b: tf.KernelBackend, attrs: ConvAttrs): Info | null {
  const dy = inputs.dy as Info;
  const filter = inputs.filter as Info;
  if (attrs.dataFormat !== 'NHWC' || !attrs.inputShape) return null;
  const c = convInfo(attrs.inputShape, filter.shape, attrs);
  if (c.strideHeight > 1 || c.strideWidth > 1) {
    const byGemm = backpropInputByGemm(dy, filter, c, attrs.inputShape, b);
    if (byGemm) return byGemm;
    const byPhases = backpropInputByPhases(dy, filter, c, attrs.inputShape, b);
    if (byPhases) return byPhases;
  }
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

/**
 * One dimension of a strided convolution's input gradient split by phase. Input position t receives dy[i] through the
 * kernel taps k = r + m*s only, where r = (t + pad) mod s, and then i = q - m with q = floor((t + pad) / s). So the
 * positions of one residue r are a stride-1 'valid' correlation of dy (shifted by `before`, zero-padded) with that
 * residue's taps in reverse order; they sit at t = offset + u*s, u = 0..size/s-1.
 */
interface Phase {
  /** Kernel taps of this phase, last first (the correlation runs over them flipped). */
  taps: number[];
  /** dy rows to add in front (negative: rows to drop) and behind, before the 'valid' correlation. */
  before: number;
  after: number;
  /** First input position of the phase (0 <= offset < s). */
  offset: number;
}

/** The s phases of one dimension, or null when they do not each cover exactly size / s positions. */
function phasesOf(size: number, kernel: number, stride: number, pad: number, outSize: number): Phase[] | null {
  if (size % stride !== 0) return null;
  const count = size / stride;
  const phases: Phase[] = [];
  for (let r = 0; r < stride; r++) {
    const taps: number[] = [];
    for (let k = r; k < kernel; k += stride) taps.push(k);
    if (taps.length === 0) return null; // this phase gets no gradient at all: leave it to the upsampling route
    const q0 = Math.ceil((pad - r) / stride);
    const offset = q0 * stride + r - pad;
    const before = taps.length - 1 - q0;
    const after = count + taps.length - 1 - (before + outSize);
    phases.push({ taps: taps.reverse(), before, after, offset });
  }
  return phases;
}

/**
 * dX of a strided convolution without multiplying inserted zeros: for each pair of row and column phases, a stride-1
 * convolution of the (shifted, padded) output gradient with that phase's taps of the flipped kernel, channel axes
 * swapped; the s_h x s_w results are interleaved into the input grid. The upsampling route does s_h * s_w times the
 * multiply-adds (all but one in s_h * s_w of them by zero). Returns null where the phases do not tile the input evenly.
 */
function backpropInputByPhases(dy: Info, filter: Info, c: tf.backend_util.Conv2DInfo, inputShape: number[], b: tf.KernelBackend): Info | null {
  const [n, h, w, ci] = inputShape;
  const [, ho, wo, co] = dy.shape;
  const rows = phasesOf(h, c.filterHeight, c.strideHeight, c.padInfo.top, ho);
  const cols = phasesOf(w, c.filterWidth, c.strideWidth, c.padInfo.left, wo);
  if (!rows || !cols) return null;
  const sh = c.strideHeight;
  const sw = c.strideWidth;
  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  const indices = (values: number[]) => keep(tensorInfoFrom(b, [values.length], Int32Array.from(values)));
  let result: Info | undefined;
  for (const rp of rows) {
    let band: Info | undefined; // this row phase's positions in every column: [n, h / sh, w, ci]
    const kRows = keep(callKernel('GatherV2', b, { x: filter, indices: indices(rp.taps) }, { axis: 0, batchDims: 0 }));
    for (const cp of cols) {
      const kTaps = keep(callKernel('GatherV2', b, { x: kRows, indices: indices(cp.taps) }, { axis: 1, batchDims: 0 }));
      const kernel = keep(kernelOps.transpose(b, kTaps, [0, 1, 3, 2])); // [taps h, taps w, co, ci]
      let g = dy;
      const cut = [Math.max(0, -rp.before), Math.max(0, -cp.before)];
      const cutEnd = [Math.max(0, -rp.after), Math.max(0, -cp.after)];
      if (cut[0] || cut[1] || cutEnd[0] || cutEnd[1]) {
        g = keep(kernelOps.slice(b, g, [0, cut[0], cut[1], 0], [n, ho - cut[0] - cutEnd[0], wo - cut[1] - cutEnd[1], co]));
      }
      const pads: [number, number][] = [[0, 0], [Math.max(0, rp.before), Math.max(0, rp.after)], [Math.max(0, cp.before), Math.max(0, cp.after)], [0, 0]];
      if (pads[1][0] || pads[1][1] || pads[2][0] || pads[2][1]) g = keep(kernelOps.pad(b, g, pads));
      const part = keep(kernelOps.conv2d(b, g, kernel, [1, 1])); // [n, h / sh, w / sw, ci]
      // Spread onto the columns of this phase: [n*h/sh, w/sw, 1, ci] -> pad the phase axis -> [n, h/sh, w, ci].
      const spread = keep(kernelOps.reshape(b, part, [n * (h / sh), w / sw, 1, ci]));
      const placed = keep(kernelOps.pad(b, spread, [[0, 0], [0, 0], [cp.offset, sw - 1 - cp.offset], [0, 0]]));
      const cols4 = keep(kernelOps.reshape(b, placed, [n, h / sh, w, ci]));
      band = band ? keep(callKernel('Add', b, { a: band, b: cols4 })) : cols4;
    }
    // Spread the band onto this phase's rows: [n, h/sh, 1, w*ci] -> pad the phase axis -> [n, h, w, ci].
    const spread = keep(kernelOps.reshape(b, band!, [n, h / sh, 1, w * ci]));
    const placed = keep(kernelOps.pad(b, spread, [[0, 0], [0, 0], [rp.offset, sh - 1 - rp.offset], [0, 0]]));
    const rows4 = keep(kernelOps.reshape(b, placed, [n, h, w, ci]));
    result = result ? keep(callKernel('Add', b, { a: result, b: rows4 })) : rows4;
  }
  release(b, ...temps.filter((t) => t !== result)); // the result is one of the temporaries: it stays
  return result!;
}

/**
 * dX of a strided convolution as one matrix product and a scatter-add (col2im) on the wasm heap:
 * cols[(n,i,j), (kh,kw,c)] = sum_co dy[n,i,j,co] * w[kh,kw,c,co], then dx[n, i*sh+kh-top, j*sw+kw-left, c] += cols.
 * The product runs on XNNPACK with the small kernel as its packed operand and dy streamed (matmul-fix.ts materialises
 * w^T); the scatter-add is a plain loop over the heap, each dX element summing its taps in (i, j, kh, kw) order. On
 * small-cnn's stride-2 layers this is 2.5-3x faster than the phase route's four small convolutions with their gathers,
 * pads and adds (docs/models.md). Null where the heap cannot be read in place (not wasm): the caller falls back.
 */
function backpropInputByGemm(dy: Info, filter: Info, c: tf.backend_util.Conv2DInfo, inputShape: number[], b: tf.KernelBackend): Info | null {
  const heap = heapFloat32(b);
  if (!heap || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const [n, h, w, ci] = inputShape;
  const [, ho, wo, co] = dy.shape;
  const [kh, kw] = [c.filterHeight, c.filterWidth];
  const rows = n * ho * wo;
  const taps = kh * kw * ci;
  const dy2 = kernelOps.reshape(b, dy, [1, rows, co]);
  const w2 = kernelOps.reshape(b, filter, [1, taps, co]);
  const cols = heapProduct(b, dy2, w2, rows, co, taps) ?? callKernel('BatchMatMul', b, { a: dy2, b: w2 }, { transposeA: false, transposeB: true }); // [1, rows, taps]
  const dims: Col2imDims = { n, h, w, ci, ho, wo, kh, kw, sh: c.strideHeight, sw: c.strideWidth, top: c.padInfo.top, left: c.padInfo.left };
  // The heap module's loop (four channels at a time) where ci allows it, else the same additions in JS.
  let dx = heapCol2im(b, cols, dims);
  if (!dx) {
    dx = heap.output([n, h, w, ci]);
    col2imLoop(heap.view(), heap.index(cols), heap.index(dx), dims); // the view after the last allocation
  }
  release(b, dy2, w2, cols);
  return dx;
}

/**
 * cols [1, rows, taps] = dy2 [1, rows, co] times w2 [1, taps, co] transposed, by the heap module's convolution as a 1x1
 * convolution of dy (rows pixels of co channels) with w^T [co, taps] as its filter: each element the sum over co in
 * order from +0, as XNNPACK's product computes it (so the same bits), without XNNPACK packing the fresh weights at every
 * call. Undefined where the convolution's tiling does not apply (rows % 4, taps % 8, co % 4) or not on wasm.
 */
function heapProduct(b: tf.KernelBackend, dy2: Info, w2: Info, rows: number, co: number, taps: number): Info | undefined {
  const dims = { n: 1, h: rows, w: 1, ci: co, ho: rows, wo: 1, co: taps, kh: 1, kw: 1, sh: 1, sw: 1, top: 0, left: 0 };
  if (co % 4 !== 0 || !heapConv2dApplies(b, dy2, w2, dims)) return undefined;
  const w2d = kernelOps.reshape(b, w2, [taps, co]);
  const wT = heapTranspose2d(b, w2d); // [co, taps]: the 1x1 filter
  release(b, w2d);
  if (!wT) return undefined;
  const product = heapConv2d(b, dy2, wT, null, false, dims);
  release(b, wT);
  if (!product) return undefined;
  const cols = kernelOps.reshape(b, product, [1, rows, taps]);
  release(b, product);
  return cols;
}

/**
 * dx (at float index dxAt of H) = the scatter-add of the per-tap columns at colsAt: zero, then for every output
 * position and tap in order whose input pixel lies inside the image, dx[img, y, x, :] += cols[img, i, j, a, b, :].
 * Exported for the spec that holds the heap module's col2im to it bit for bit.
 */
export function col2imLoop(H: Float32Array, colsAt: number, dxAt: number, d: Col2imDims): void {
  const { n, h, w, ci, ho, wo, kh, kw, sh, sw, top, left } = d;
  const taps = kh * kw * ci;
  H.fill(0, dxAt, dxAt + n * h * w * ci);
  for (let img = 0; img < n; img++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const row = colsAt + ((img * ho + i) * wo + j) * taps;
        for (let a = 0; a < kh; a++) {
          const y = i * sh + a - top;
          if (y < 0 || y >= h) continue;
          for (let bb = 0; bb < kw; bb++) {
            const x = j * sw + bb - left;
            if (x < 0 || x >= w) continue;
            const dst = dxAt + ((img * h + y) * w + x) * ci;
            const src = row + (a * kw + bb) * ci;
            for (let ch = 0; ch < ci; ch++) H[dst + ch] += H[src + ch];
          }
        }
      }
    }
  }
}
