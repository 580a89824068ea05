import * as tf from '@tensorflow/tfjs';
import { kernelOps, release, tensorInfoFrom, type Info } from './kernel-call';
import { upsampleByStride } from './stride-upsample';

/**
 * DepthwiseConv2dNative gradients for a backend that lacks them.
 *
 * Works around the wasm backend (tfjs 4.22) having no DepthwiseConv2dNativeBackpropInput / ...BackpropFilter kernels,
 * which makes MobileNetV2 (depthwise 3x3 convs) untrainable there ("Kernel 'DepthwiseConv2dNativeBackpropInput' not
 * registered").
 * - dX (channel multiplier 1, the MobileNetV2 case): a forward depthwise convolution of the zero-upsampled, padded
 *   output gradient with the spatially flipped filter (same construction as the dense conv in ./conv-backprop, same
 *   upsampling: ./stride-upsample).
 * - dW: a direct loop over the data, dW[kh,kw,c] = sum_{n,i,j} xpad[n, i*s+kh*d, j*s+kw*d, c] * dy[n,i,j,c]; its cost
 *   equals one forward depthwise conv, which is small next to the 1x1 convs around it.
 * Channel multipliers > 1 are rejected with a clear error (none of our backbones uses them).
 *
 * @param backendName backend to patch; default 'wasm'.
 * @returns a function that restores the previous kernels.
 */
export function installDepthwiseBackprop(backendName = 'wasm'): () => void {
  const names = ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];
  const impls = [backpropInput, backpropFilter];
  const originals = names.map((n) => tf.getKernel(n, backendName));
  names.forEach((kernelName, i) => {
    if (originals[i]) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({
      kernelName,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => impls[i](inputs, backend as tf.KernelBackend, attrs as unknown as DwAttrs),
    });
  });
  return () =>
    names.forEach((kernelName, i) => {
      tf.unregisterKernel(kernelName, backendName);
      const o = originals[i];
      if (o) tf.registerKernel(o);
    });
}

interface DwAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

function info(xShape: number[], wShape: number[], a: DwAttrs) {
  const c = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  if (wShape[3] !== 1) {
    throw new Error(`depthwise backprop (workaround kernel): channel multiplier must be 1, but got ${wShape[3]}`);
  }
  return c;
}

function backpropFilter(inputs: tf.NamedTensorInfoMap, b: tf.KernelBackend, a: DwAttrs): Info {
  const x = inputs.x as Info;
  const dy = inputs.dy as Info;
  const c = info(x.shape, a.filterShape!, a);
  const [n, h, w, ch] = x.shape;
  const xs = b.readSync(x.dataId) as Float32Array;
  const gs = b.readSync(dy.dataId) as Float32Array;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = c;
  const { top, left } = c.padInfo;
  const ho = c.outHeight;
  const wo = c.outWidth;
  const out = new Float32Array(kh * kw * ch);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const o = (p * kw + q) * ch;
      for (let bn = 0; bn < n; bn++) {
        for (let i = 0; i < ho; i++) {
          const r = i * sh + p * dh - top;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < wo; j++) {
            const col = j * sw + q * dw - left;
            if (col < 0 || col >= w) continue;
            const xo = ((bn * h + r) * w + col) * ch;
            const go = ((bn * ho + i) * wo + j) * ch;
            for (let cc = 0; cc < ch; cc++) out[o + cc] += xs[xo + cc] * gs[go + cc];
          }
        }
      }
    }
  }
  return tensorInfoFrom(b, [kh, kw, ch, 1], out);
}

function backpropInput(inputs: tf.NamedTensorInfoMap, b: tf.KernelBackend, a: DwAttrs): Info {
  const dy = inputs.dy as Info;
  const filter = inputs.filter as Info;
  const c = info(a.inputShape!, filter.shape, a);
  if (c.dilationHeight !== 1 || c.dilationWidth !== 1) {
    throw new Error('depthwise backprop (workaround kernel): dilations must be 1 for the input gradient');
  }
  const [, h, w] = a.inputShape!;
  const padTop = c.filterHeight - 1 - c.padInfo.top;
  const padLeft = c.filterWidth - 1 - c.padInfo.left;
  if (padTop < 0 || padLeft < 0) throw new Error('depthwise backprop (workaround kernel): padding larger than the filter');
  const temps: Info[] = [];
  const keep = (t: Info) => (temps.push(t), t);
  const { strideHeight: sh, strideWidth: sw } = c;
  let g = upsampleByStride(b, dy, sh, sw, keep);
  const [n, hu, wu, ch] = g.shape;
  const padBottom = h + c.filterHeight - 1 - padTop - hu;
  const padRight = w + c.filterWidth - 1 - padLeft - wu;
  if (padBottom < 0 || padRight < 0) {
    g = keep(kernelOps.slice(b, g, [0, 0, 0, 0], [n, hu + Math.min(0, padBottom), wu + Math.min(0, padRight), ch]));
  }
  g = keep(kernelOps.pad(b, g, [[0, 0], [padTop, Math.max(0, padBottom)], [padLeft, Math.max(0, padRight)], [0, 0]]));
  const flipped = keep(kernelOps.reverse(b, filter, [0, 1]));
  const dx = kernelOps.depthwise(b, g, flipped);
  release(b, ...temps);
  return dx;
}
