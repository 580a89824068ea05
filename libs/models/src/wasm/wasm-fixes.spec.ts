import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { installWasmFixes, uninstallWasmFixes } from './install';
import { outerAxisPlan } from './outer-axis-reductions';
import { heapConvDims } from './heap-conv2d';
import { tensorInfoFrom } from './kernel-call';
import { col2imLoop, installForwardConvBackprop } from './conv-backprop';
import { streamedWeightProducts } from './matmul-fix';
import { fusedSgdMomentum, hasFusedSgd, hasHeapBatchNorm, heapBatchNorm, heapCol2im, heapConvFilterGrad, heapFloat32, heapKernelModuleBytes, heapTranspose2d, sumOfSquares, type Col2imDims } from './heap-kernels';

/** Run `fn` on `backend` and return its outputs as plain arrays (so results of two backends can be compared). */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend(backend);
  const outs = tf.tidy(fn);
  const data = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return data;
}

/** How many buffers the current backend allocates while `f` runs (its result disposed after). */
function countAllocations(f: () => tf.Tensor): number {
  const backend = tf.backend() as unknown as { makeOutput: (...a: unknown[]) => unknown };
  const original = backend.makeOutput;
  let n = 0;
  backend.makeOutput = (...a: unknown[]) => (n++, original.apply(backend, a));
  try {
    f().dispose();
  } finally {
    backend.makeOutput = original;
  }
  return n;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('wasm kernel workarounds: gradients equal the stock cpu backend', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('dense net (matmul with transposes) gradients match cpu within 1e-5', async () => {
    const net = () => {
      const x = tf.randomNormal([33, 20], 0, 1, 'float32', 1);
      const w1 = tf.randomNormal([20, 16], 0, 0.3, 'float32', 2);
      const b1 = tf.randomNormal([16], 0, 0.1, 'float32', 3);
      const w2 = tf.randomNormal([16, 7], 0, 0.3, 'float32', 4);
      const f = (xx: tf.Tensor, a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(Array.from({ length: 33 }, (_, i) => i % 7), 'int32'), 7),
          tf.matMul(tf.fused.matMul({ a: xx as tf.Tensor2D, b: a as tf.Tensor2D, bias: bb, activation: 'relu' }), c as tf.Tensor2D));
      // also exercise transposeA/transposeB directly in the forward pass
      const g = tf.grads(f)([x, w1, b1, w2]);
      const direct = tf.matMul(w1, x, true, true);
      return [...g, direct];
    };
    const ref = await on('cpu', net);
    const got = await on('wasm', net);
    for (let i = 0; i < ref.length; i++) {
      expect(maxAbs(ref[i])).toBeGreaterThan(1e-4); // the comparison is not vacuous
      expect(maxAbsDiff(ref[i], got[i])).toBeLessThan(1e-5);
    }
  });

  it('a·b^T with a small a and a large b (computed as (b·a^T)^T) matches cpu within 1e-5, in every output shape', async () => {
    const fn = () => {
      const a = tf.randomNormal([5, 40], 0, 1, 'float32', 41);
      const b = tf.randomNormal([64, 40], 0, 1, 'float32', 42);
      const out2d = tf.matMul(a, b, false, true);
      const out3d = tf.matMul(a.reshape([1, 5, 40]), b, false, true);
      const w = tf.randomNormal([40, 64], 0, 0.3, 'float32', 43);
      // dense backprop's dy·W^T: the gradient of x through a wide layer
      const dx = tf.grad((x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D).square().sum())(a);
      return [out2d, out3d, dx];
    };
    const ref = await on('cpu', fn);
    const got = await on('wasm', fn);
    const shapes = await on('wasm', () => [tf.tensor1d(tf.matMul(tf.ones([1, 2, 3]), tf.ones([9, 3]), false, true).shape)]);
    expect(Array.from(shapes[0])).toEqual([1, 2, 9]);
    for (let i = 0; i < ref.length; i++) {
      expect(maxAbs(ref[i])).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(ref[i], got[i]) / maxAbs(ref[i])).toBeLessThan(1e-5);
    }
  });

  it('fused matmul + bias + relu in inference runs unfused: equals the training-mode forward bit for bit, and cpu within 1e-5', async () => {
    const fn = () => {
      const x = tf.randomNormal([9, 30], 0, 1, 'float32', 51) as tf.Tensor2D;
      const w = tf.randomNormal([30, 20], 0, 0.3, 'float32', 52) as tf.Tensor2D;
      const bias = tf.randomNormal([20], 0, 0.5, 'float32', 53);
      const fused = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
      const manual = tf.relu(tf.add(tf.matMul(x, w), bias));
      return [fused, manual];
    };
    const ref = await on('cpu', fn);
    const got = await on('wasm', fn);
    expect(maxAbs(ref[0])).toBeGreaterThan(1e-3);
    expect(Array.from(got[0])).toEqual(Array.from(got[1]));
    expect(maxAbsDiff(ref[0], got[0]) / maxAbs(ref[0])).toBeLessThan(1e-5);
  });

  const cases: [string, number, 'same' | 'valid', number][] = [
    ['3x3 stride 1 same', 1, 'same', 3],
    ['3x3 stride 2 same', 2, 'same', 3],
    ['3x3 stride 2 valid', 2, 'valid', 3],
    ['1x1 stride 2 valid', 2, 'valid', 1],
    ['7x7 stride 2 same', 2, 'same', 7],
  ];
  // On wasm a strided dX takes the matrix-product + col2im route (conv-backprop.ts backpropInputByGemm) for every shape;
  // odd (11 x 10) and even (12 x 10) inputs check its bounds. The other two routes are checked on the cpu backend below.
  for (const [label, stride, pad, ks] of cases) for (const [hh, ww] of [[11, 10], [12, 10]]) {
    it(`conv2d ${label}, ${hh}x${ww} input: dX and dW match cpu within 1e-5`, async () => {
      const fn = () => {
        const x = tf.randomNormal([3, hh, ww, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
        const w = tf.randomNormal([ks, ks, 4, 5], 0, 0.3, 'float32', 8) as tf.Tensor4D;
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).square().sum();
        const fused = (a: tf.Tensor, b: tf.Tensor) =>
          tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: stride, pad }).mul(0.5).sum();
        return [...tf.grads(f)([x, w]), ...tf.grads(fused)([x, w])];
      };
      const ref = await on('cpu', fn);
      const got = await on('wasm', fn);
      for (let i = 0; i < ref.length; i++) {
        expect(maxAbs(ref[i])).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(ref[i], got[i]) / maxAbs(ref[i])).toBeLessThan(1e-5);
      }
    });
  }

  for (const [label, stride, pad] of [['stride 1 same', 1, 'same'], ['stride 2 same', 2, 'same'], ['stride 2 valid', 2, 'valid']] as const) {
    it(`depthwise conv2d 3x3 ${label}: dX and dW match cpu within 1e-5`, async () => {
      const fn = () => {
        const x = tf.randomNormal([2, 9, 10, 6], 0, 1, 'float32', 9) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 6, 1], 0, 0.3, 'float32', 10) as tf.Tensor4D;
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).square().sum();
        return tf.grads(f)([x, w]);
      };
      const ref = await on('cpu', fn);
      const got = await on('wasm', fn);
      for (let i = 0; i < ref.length; i++) {
        expect(maxAbs(ref[i])).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(ref[i], got[i]) / maxAbs(ref[i])).toBeLessThan(1e-5);
      }
    });
  }

  it('BatchNorm in training mode (lean gradient on wasm): gradients of x, gamma, beta match the stock cpu gradient', async () => {
    const fn = () => {
      const x = tf.randomNormal([4, 5, 6, 3], 1, 2, 'float32', 21) as tf.Tensor4D;
      const gamma = tf.randomNormal([3], 1, 0.2, 'float32', 22);
      const beta = tf.randomNormal([3], 0, 0.2, 'float32', 23);
      const w = tf.randomNormal([4, 5, 6, 3], 0, 1, 'float32', 24);
      const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm(a, mean, variance, b, g, 1e-3).mul(w).sum();
      };
      return tf.grads(f)([x, gamma, beta]);
    };
    const ref = await on('cpu', fn);
    const got = await on('wasm', fn);
    for (let i = 0; i < ref.length; i++) {
      expect(maxAbs(ref[i])).toBeGreaterThan(1e-3);
      expect(maxAbsDiff(ref[i], got[i]) / maxAbs(ref[i])).toBeLessThan(1e-5);
    }
  });

  // 9 x 9: odd, so a strided dX takes the upsampling route; 12 x 10: every stride phase tiles the input, so it takes the
  // per-phase route (backpropInputByPhases). The matrix-product route needs the wasm heap and is not installed here.
  for (const [hh, ww] of [[9, 9], [12, 10]]) it(`forward-conv backprop installed on the cpu backend (opt-in) equals the stock cpu kernels, ${hh}x${ww} input`, async () => {
    const fn = () => {
      const x = tf.randomNormal([2, hh, ww, 3], 0, 1, 'float32', 31) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 0.3, 'float32', 32) as tf.Tensor4D;
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum())([x, w]);
    };
    const stock = await on('cpu', fn);
    const restore = installForwardConvBackprop('cpu');
    try {
      const got = await on('cpu', fn);
      for (let i = 0; i < stock.length; i++) expect(maxAbsDiff(stock[i], got[i]) / maxAbs(stock[i])).toBeLessThan(1e-5);
    } finally {
      restore();
    }
  });

  it('does not leak tensors in conv backprop', async () => {
    await initBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    // Kernel temporaries are backend buffers, not engine tensors: count those too (stride 2: the matrix-product route).
    const buffersBefore = tf.engine().backend.numDataIds();
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum())([x, w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(tf.engine().backend.numDataIds()).toBe(buffersBefore + 2);
    tf.dispose([...g, x, w]);
  });
});

  it('Identity shares the buffer (no copy), keeps it alive after the source is freed, and saved-for-gradient clones stay correct', async () => {
    await initBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const buffers = tf.engine().backend.numDataIds();
    const y = tf.clone(x); // runs the Identity kernel
    expect(tf.engine().backend.numDataIds()).toBe(buffers); // the stock kernel allocated a copy here
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
    // Gradient mode saves inputs through Identity; a variable updated after the step must not change what was saved.
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(v, v)) as tf.Scalar, [v]);
    v.assign(tf.tensor1d([10, 20, 30]));
    expect(Array.from(grads[v.name].dataSync())).toEqual([2, 4, 6]);
    expect(value.dataSync()[0]).toBe(14);
    tf.dispose([value, grads[v.name], v]);
  });

describe('kernel-call helpers', () => {
  it('tensorInfoFrom makes a backend tensor on wasm and cpu, and names the backend when it can make neither kind', async () => {
    for (const name of ['wasm', 'cpu'] as const) {
      await initBackend(name);
      const info = tensorInfoFrom(tf.backend(), [2, 2], Float32Array.from([1, 2, 3, 4]));
      const t = tf.engine().makeTensorFromTensorInfo(info);
      expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4]);
      expect(t.dtype).toBe('float32');
      t.dispose();
    }
    const bare = {} as unknown as tf.KernelBackend; // neither wasm's makeOutput nor makeTensorInfo
    expect(() => tensorInfoFrom(bare, [1], Int32Array.from([1]))).toThrow(/tensorInfoFrom: backend \w+ has neither wasm's makeOutput nor makeTensorInfo/);
  });
});

describe('wasm heap kernels (one-pass SGD update, sum of squares)', () => {
  /** The stock op sequence of MomentumSgd (libs/training/src/sgd.ts), which the fused kernel must equal bit for bit. */
  const opsUpdate = (w: tf.Tensor, g: tf.Tensor, v: tf.Tensor, lr: number, m: number, wd: number): tf.Tensor[] =>
    tf.tidy(() => {
      const grad = wd > 0 ? tf.add(g, tf.mul(wd, w)) : g;
      const vNew = tf.add(tf.mul(m, v), grad);
      return [tf.sub(w, tf.mul(lr, vNew)), vNew];
    });
  const bits = (t: tf.Tensor): Uint32Array => new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer);

  it('the hand-written module is valid WebAssembly and is registered on the wasm backend', async () => {
    expect((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(heapKernelModuleBytes())).toBe(true);
    await initBackend('wasm');
    expect(hasFusedSgd()).toBe(true);
    await initBackend('cpu');
    expect(hasFusedSgd()).toBe(false); // other backends keep the ops
  });

  for (const shape of [[1027], [64, 33], [3]] as number[][]) {
    for (const wd of [0, 4e-4]) {
      it(`the fused update equals the ops bit for bit (shape [${shape}], weight decay ${wd}), SIMD body and tail alike`, async () => {
        await initBackend('wasm');
        const w = tf.randomNormal(shape, 0, 0.5, 'float32', 41);
        const g = tf.randomNormal(shape, 0, 0.1, 'float32', 42);
        const v = tf.randomNormal(shape, 0, 0.05, 'float32', 43);
        const [wRef, vRef] = opsUpdate(w, g, v, 0.003, 0.9, wd);
        const [wGot, vGot] = fusedSgdMomentum(w, g, v, { lr: 0.003, momentum: 0.9, weightDecay: wd });
        expect(maxAbsDiff(wRef.dataSync() as Float32Array, w.dataSync() as Float32Array)).toBeGreaterThan(1e-5); // the update moved w
        expect(bits(wGot)).toEqual(bits(wRef));
        expect(bits(vGot)).toEqual(bits(vRef));
        expect(wGot.dataId).not.toBe(w.dataId); // new buffers: the packed-weight cache must see new weights as new tensors
        tf.dispose([w, g, v, wRef, vRef, wGot, vGot]);
      });
    }
  }

  it('sumOfSquares matches the ops within float32 rounding and propagates NaN and Inf (the loop\'s finiteness check)', async () => {
    await initBackend('wasm');
    const ts = [tf.randomNormal([513, 7], 0, 1, 'float32', 44), tf.randomNormal([5], 0, 3, 'float32', 45)];
    const ref = tf.tidy(() => tf.addN(ts.map((t) => tf.sum(tf.square(t)))).dataSync()[0]);
    expect(Math.abs(sumOfSquares(ts) - ref) / ref).toBeLessThan(1e-5);
    const bad = tf.tensor1d([1, 2, 3, 4, 5, NaN]); // NaN in the tail
    expect(sumOfSquares([ts[0], bad])).toBeNaN();
    const inf = tf.tensor1d([Infinity, 1, 2, 3]); // Inf in the SIMD body
    expect(sumOfSquares([inf])).toBe(Infinity);
    tf.dispose([...ts, bad, inf]);
  });

  it('the tiled heap transpose equals tf.transpose exactly, tails and leading 1-dimensions included', async () => {
    await initBackend('wasm');
    for (const shape of [[37, 53], [8, 16], [1, 19, 8], [1, 1]]) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 46);
      const ref = tf.transpose(x, [...Array(shape.length - 2).keys(), shape.length - 1, shape.length - 2]);
      const info = heapTranspose2d(tf.backend(), x) as tf.TensorInfo;
      const got = tf.engine().makeTensorFromTensorInfo(info);
      expect(got.shape).toEqual(ref.shape);
      expect(bits(got)).toEqual(bits(ref));
      tf.dispose([x, ref, got]);
    }
  });

  for (const shape of [[8, 6, 5, 16], [37, 12], [2, 3, 3, 64]] as number[][]) {
    it(`the training batch norm's heap passes equal the ops they replace bit for bit ([${shape}])`, async () => {
      await initBackend('wasm');
      const C = shape[shape.length - 1];
      const axes = [...Array(shape.length - 1).keys()];
      const count = shape.reduce((a, d) => a * d, 1) / C;
      const signedZeros = (t: tf.Tensor) => {
        const v = Float32Array.from(t.dataSync() as Float32Array);
        v[1] = -0;
        v[2] = 0;
        return tf.tensor(v, t.shape);
      };
      const x = signedZeros(tf.randomNormal(shape, 0.3, 2, 'float32', 81));
      const g = signedZeros(tf.randomNormal(shape, 0, 1e-3, 'float32', 82));
      const gamma = tf.randomNormal([C], 1, 0.3, 'float32', 83);
      const beta = tf.randomNormal([C], 0, 0.3, 'float32', 84);
      const eps = 1e-3;
      expect(hasHeapBatchNorm(x)).toBe(true);
      const mean = tf.mean(x, axes);
      // The ops of lean-batchnorm-training.ts's op path (tf.moments, tf.batchNorm, the closed-form gradient).
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axes);
      const normed = tf.batchNorm(x, mean, variance, beta, gamma, eps);
      const r = tf.rsqrt(tf.add(variance, eps));
      const xhat = tf.mul(centred, r);
      const dBeta = tf.sum(g, axes);
      const dGamma = tf.sum(tf.mul(g, xhat), axes);
      const dx = tf.mul(tf.sub(tf.sub(g, tf.div(dBeta, count)), tf.mul(xhat, tf.div(dGamma, count))), tf.mul(gamma, r));
      // The heap passes.
      const [hc, hv] = heapBatchNorm.centre(x, mean);
      const hn = heapBatchNorm.normalize(hc, beta, gamma, tf.sqrt(tf.add(hv, eps)));
      const [hdb, hdg] = heapBatchNorm.gradSums(g, hc, r);
      const hdx = heapBatchNorm.gradInput(g, hc, r, tf.div(hdb, count), tf.div(hdg, count), tf.mul(gamma, r));
      for (const [got, want] of [[hc, centred], [hv, variance], [hn, normed], [hdb, dBeta], [hdg, dGamma], [hdx, dx]]) {
        expect(got.shape).toEqual(want.shape);
        expect(bits(got)).toEqual(bits(want));
      }
      tf.dispose([x, g, gamma, beta, mean, centred, variance, normed, r, xhat, dBeta, dGamma, dx, hc, hv, hn, hdb, hdg, hdx]);
    });
  }

  it("the heap module's col2im equals the JS scatter-add bit for bit (strides, padding, image edges, 4 to 32 channels)", async () => {
    await initBackend('wasm');
    const backend = tf.backend() as unknown as tf.KernelBackend & { disposeData(id: object): void };
    // [n, h, w, ci, kh, kw, stride, top, left]: small-cnn's two strided layers, odd sizes, a 5x5 kernel, stride 1, no padding.
    const cases = [[4, 16, 16, 16, 3, 3, 2, 0, 0], [3, 8, 8, 32, 3, 3, 2, 0, 0], [2, 11, 9, 8, 3, 3, 2, 1, 1], [2, 7, 7, 4, 5, 5, 2, 2, 2], [2, 6, 5, 8, 3, 3, 1, 1, 1], [1, 9, 9, 4, 3, 3, 2, 0, 0]];
    for (const [n, h, w, ci, kh, kw, s, top, left] of cases) {
      const ho = Math.floor((h + 2 * top - kh) / s) + 1;
      const wo = Math.floor((w + 2 * left - kw) / s) + 1;
      const d: Col2imDims = { n, h, w, ci, ho, wo, kh, kw, sh: s, sw: s, top, left };
      const values = tf.randomNormal([n * ho * wo * kh * kw * ci], 0, 1, 'float32', 90 + h).dataSync() as Float32Array;
      values[0] = -0;
      const cols = tf.tensor(values);
      const viaHeap = heapCol2im(backend, cols, d)!;
      expect(viaHeap.shape).toEqual([n, h, w, ci]);
      const heap = heapFloat32(backend)!;
      const viaLoop = heap.output([n, h, w, ci]);
      const H = heap.view();
      col2imLoop(H, heap.index(cols), heap.index(viaLoop), d);
      const size = n * h * w * ci;
      const a = H.slice(heap.index(viaHeap), heap.index(viaHeap) + size);
      const b = H.slice(heap.index(viaLoop), heap.index(viaLoop) + size);
      expect(Math.max(...Array.from(b, Math.abs))).toBeGreaterThan(0.1);
      expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
      backend.disposeData(viaHeap.dataId);
      backend.disposeData(viaLoop.dataId);
      cols.dispose();
    }
    expect(heapCol2im(backend, tf.zeros([54]), { n: 1, h: 3, w: 3, ci: 6, ho: 1, wo: 1, kh: 3, kw: 3, sh: 2, sw: 2, top: 0, left: 0 })).toBeUndefined(); // JS loop then
  });

  it('the strided dX (heap product dy·w^T, then col2im) equals the matrix-product route it replaced and the JS scatter-add bit for bit', async () => {
    await initBackend('wasm');
    // [x shape, filter shape]: stride 2, 'same'; small-cnn's two strided layers with input gradients, odd sizes, 5x5.
    type Shape4 = [number, number, number, number];
    const cases: [Shape4, Shape4][] = [[[8, 16, 16, 16], [3, 3, 16, 32]], [[8, 8, 8, 32], [3, 3, 32, 64]], [[4, 11, 9, 8], [3, 3, 8, 16]], [[4, 13, 13, 4], [5, 5, 4, 8]]];
    const inputs = cases.map(([xs, fs], k) => {
      const info = tf.backend_util.computeConv2DInfo(xs, fs, 2, 1, 'same');
      const dyV = Float32Array.from(tf.randomNormal([xs[0], info.outHeight, info.outWidth, fs[3]], 0, 1, 'float32', 140 + k).dataSync() as Float32Array);
      dyV[0] = -0;
      return { xs, fs, info, dy: tf.tensor4d(dyV, [xs[0], info.outHeight, info.outWidth, fs[3]]), f: tf.randomNormal(fs, 0, 0.3, 'float32', 150 + k) as tf.Tensor4D };
    });
    const viaKernel = inputs.map(({ xs, dy, f }) => tf.conv2dTranspose(dy, f, xs, 2, 'same')); // Conv2DBackpropInput
    const heap = heapFloat32(tf.backend())!;
    const reference = inputs.map(({ xs, fs, info, dy, f }) => {
      const [n, h, w, ci] = xs;
      // The product as the kernel computed it before (BatchMatMul through matmul-fix.ts, whose streamed route equals
      // XNNPACK's direct product bit for bit: see 'a batch times fresh weights' below).
      const cols = tf.matMul(dy.reshape([-1, fs[3]]), f.reshape([-1, fs[3]]), false, true);
      const dx = heap.output([n, h, w, ci]);
      const d: Col2imDims = { n, h, w, ci, ho: info.outHeight, wo: info.outWidth, kh: fs[0], kw: fs[1], sh: 2, sw: 2, top: info.padInfo.top, left: info.padInfo.left };
      col2imLoop(heap.view(), heap.index(cols), heap.index(dx), d);
      cols.dispose();
      return tf.engine().makeTensorFromTensorInfo(dx);
    });
    viaKernel.forEach((t, i) => {
      expect(t.shape).toEqual(inputs[i].xs);
      expect(bits(t)).toEqual(bits(reference[i]));
    });
    tf.dispose([...inputs.flatMap((i) => [i.dy, i.f]), ...viaKernel, ...reference]);
  });

  it("the heap module's filter gradient equals the forward-convolution route bit for bit (small-cnn's layers, stride 1 and 2, 3x3 and 5x5)", async () => {
    await initBackend('wasm');
    const backend = tf.backend();
    // [x shape, filter shape, stride]: 'same' padding. ci 1 and 3 take the one-channel loop (16 and 48 output channels:
    // both accumulator widths), ci 4-64 the 4x8 tiles (24 output channels: co a multiple of 8 only).
    const cases: [number[], number[], number][] = [
      [[8, 32, 32, 1], [3, 3, 1, 16], 2], [[8, 16, 16, 16], [3, 3, 16, 32], 2], [[8, 8, 8, 32], [3, 3, 32, 64], 2],
      [[3, 11, 9, 3], [3, 3, 3, 48], 1], [[3, 13, 13, 4], [5, 5, 4, 32], 2], [[5, 7, 6, 8], [3, 3, 8, 24], 1], [[4, 6, 6, 64], [3, 3, 64, 16], 1],
    ];
    cases.forEach(([xs, fs, s], k) => {
      const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], s, 1, 'same');
      const { top, left, bottom, right } = info.padInfo;
      const signedZeros = (t: tf.Tensor) => {
        const v = Float32Array.from(t.dataSync() as Float32Array);
        v[0] = -0;
        v[3] = 0;
        return tf.tensor(v, t.shape);
      };
      const x = signedZeros(tf.randomNormal(xs, 0, 1, 'float32', 100 + k)) as tf.Tensor4D;
      const dy = signedZeros(tf.randomNormal([xs[0], info.outHeight, info.outWidth, fs[3]], 0, 1, 'float32', 110 + k)) as tf.Tensor4D;
      const xt = tf.transpose(x, [3, 1, 2, 0]);
      // The forward-convolution route (conv-backprop.ts): x as [ci, h, w, n], dy as an [ho, wo, n, co] filter dilated by the stride.
      const viaConv = tf.transpose(tf.conv2d(xt as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', [s, s]), [1, 2, 0, 3]);
      const dims = { n: xs[0], h: xs[1], w: xs[2], ci: xs[3], ho: info.outHeight, wo: info.outWidth, co: fs[3], kh: fs[0], kw: fs[1], sh: s, sw: s, top, left };
      const viaHeap = tf.engine().makeTensorFromTensorInfo(heapConvFilterGrad(backend, x, dy, dims)!);
      expect(viaHeap.shape).toEqual(fs);
      expect(bits(viaHeap)).toEqual(bits(viaConv));
      tf.dispose([x, dy, xt, viaConv, viaHeap]);
    });
    expect(heapConvFilterGrad(backend, tf.zeros([2, 4, 4, 1]), tf.zeros([2, 2, 2, 8]), { n: 2, h: 4, w: 4, ci: 1, ho: 2, wo: 2, co: 8, kh: 3, kw: 3, sh: 2, sw: 2, top: 0, left: 0 })).toBeUndefined(); // co not a multiple of 16, ci not of 4
    expect(heapConvFilterGrad(backend, tf.zeros([2, 4, 4, 4]), tf.zeros([2, 2, 2, 12]), { n: 2, h: 4, w: 4, ci: 4, ho: 2, wo: 2, co: 12, kh: 3, kw: 3, sh: 2, sw: 2, top: 0, left: 0 })).toBeUndefined(); // co not a multiple of 8
  });

  it('the batch-norm heap passes apply only to float32 activations with a multiple of 4 channels on wasm', async () => {
    await initBackend('wasm');
    expect(hasHeapBatchNorm(tf.zeros([2, 3, 3, 8]))).toBe(true);
    expect(hasHeapBatchNorm(tf.zeros([2, 3, 3, 6]))).toBe(false); // the ops then
    expect(hasHeapBatchNorm(tf.zeros([2, 8], 'int32'))).toBe(false);
    expect(() => heapBatchNorm.centre(tf.zeros([2, 6]), tf.zeros([6]))).toThrow(/multiple of 4/);
    expect(() => heapBatchNorm.centre(tf.zeros([2, 8]), tf.zeros([4]))).toThrow(/per-channel operands of 8/);
    await initBackend('cpu');
    expect(hasHeapBatchNorm(tf.zeros([2, 3, 3, 8]))).toBe(false);
    await initBackend('wasm');
  });

  it("Conv2D and FusedConv2D by the heap module equal XNNPACK's bit for bit (strides, padding, bias, ReLU, signed zeros, NaN)", async () => {
    await initBackend('wasm');
    // [x shape, filter shape, stride, pad]: small-cnn's second and third layers, stride 1 on an odd image, 5x5 'valid',
    // 1x1, explicit padding, 24 output channels (co a multiple of 8 only).
    const cases: [number[], number[], number, 'same' | 'valid' | tf.backend_util.ExplicitPadding][] = [
      [[8, 16, 16, 16], [3, 3, 16, 32], 2, 'same'], [[8, 8, 8, 32], [3, 3, 32, 64], 2, 'same'], [[4, 9, 7, 4], [3, 3, 4, 8], 1, 'same'],
      [[4, 9, 9, 8], [5, 5, 8, 24], 2, 'valid'], [[2, 6, 6, 64], [1, 1, 64, 16], 1, 'same'], [[4, 7, 6, 8], [3, 3, 8, 8], 1, [[0, 0], [2, 0], [1, 3], [0, 0]]],
    ];
    const withZerosAndNaN = (t: tf.Tensor, nan: boolean) => {
      const v = Float32Array.from(t.dataSync() as Float32Array);
      for (let i = 0; i < v.length; i += 7) v[i] = i % 2 ? -0 : 0;
      if (nan) v[v.length - 1] = NaN;
      return tf.tensor(v, t.shape);
    };
    const inputs = cases.map(([xs, fs], k) => {
      const bias = Float32Array.from(tf.randomNormal([fs[3]], 0, 0.1, 'float32', 130 + k).dataSync() as Float32Array);
      bias[0] = -0;
      bias[1] = 0;
      return { x: withZerosAndNaN(tf.randomNormal(xs, 0, 1, 'float32', 110 + k), k === 2) as tf.Tensor4D, f: withZerosAndNaN(tf.randomNormal(fs, 0, 0.3, 'float32', 120 + k), false) as tf.Tensor4D, bias: tf.tensor1d(bias) };
    });
    // And sums that are exactly -0 (every product -0, bias -0), where ReLU's max(y, 0) must give what XNNPACK's does.
    const negZero = { x: tf.fill([4, 3, 3, 4], -0) as tf.Tensor4D, f: tf.ones([3, 3, 4, 8]) as tf.Tensor4D, bias: tf.fill([8], -0) as tf.Tensor1D };
    const run = () => [
      ...cases.flatMap(([, , s, pad], k) => {
        const { x, f, bias } = inputs[k];
        return [tf.conv2d(x, f, s, pad), tf.fused.conv2d({ x, filter: f, strides: s, pad, bias, activation: 'relu' }), tf.fused.conv2d({ x, filter: f, strides: s, pad, bias })];
      }),
      tf.fused.conv2d({ x: negZero.x, filter: negZero.f, strides: 1, pad: 'valid', bias: negZero.bias, activation: 'relu' }),
      tf.fused.conv2d({ x: negZero.x, filter: negZero.f, strides: 1, pad: 'valid', bias: negZero.bias }),
    ];
    const first = () => tf.conv2d(inputs[0].x, inputs[0].f, 2, 'same');
    uninstallWasmFixes();
    const stock = run();
    expect(countAllocations(first)).toBe(1);
    installWasmFixes();
    const got = run();
    expect(countAllocations(first)).toBe(2); // the zeros / pointer table and the output: the heap route ran
    got.forEach((t, i) => {
      expect(t.shape).toEqual(stock[i].shape);
      expect(bits(t)).toEqual(bits(stock[i]));
    });
    expect(Number.isNaN((got[6].dataSync() as Float32Array)[got[6].size - 1])).toBe(true); // NaN in x reaches the output, ReLU or not
    expect(Number.isNaN((got[7].dataSync() as Float32Array)[got[7].size - 1])).toBe(true);
    // Where the heap route does not apply, the stock kernel runs: one input channel, three, a dilation, pixels not a multiple of 4.
    const attrs = { strides: 1, pad: 'same' as const, dataFormat: 'NHWC' as const, dilations: 1 };
    expect(heapConvDims([8, 32, 32, 1], [3, 3, 1, 16], attrs)).toBeUndefined();
    expect(heapConvDims([8, 32, 32, 3], [3, 3, 3, 16], attrs)).toBeUndefined();
    expect(heapConvDims([8, 8, 8, 16], [3, 3, 16, 16], { ...attrs, dilations: 2 })).toBeUndefined();
    expect(heapConvDims([1, 3, 3, 16], [3, 3, 16, 16], attrs)).toBeUndefined();
    expect(heapConvDims([8, 32, 32, 16], [3, 3, 16, 16], { ...attrs, strides: 2 })).toMatchObject({ ho: 16, wo: 16, top: 0, left: 0 });
    expect(Object.is((got[got.length - 1].dataSync() as Float32Array)[0], -0)).toBe(true); // the -0 sums are there
    tf.dispose([...inputs.flatMap((i) => [i.x, i.f, i.bias]), negZero.x, negZero.f, negZero.bias, ...stock, ...got]);
  });

  it('Sum and Mean over non-innermost axes are read in place (no Transpose), bit for bit the stock kernels', async () => {
    await initBackend('wasm');
    // [shape, axes, keepDims]: batch-norm moments (N, H, W), global average pooling (H, W), a dense bias gradient (batch
    // axis, 7 columns: SIMD body and tail), a middle axis, a single group; then cases that keep the stock route.
    const cases: [number[], number[], boolean][] = [
      [[8, 6, 5, 16], [0, 1, 2], false], [[5, 4, 3, 12], [1, 2], true], [[32, 7], [0], false], [[3, 5, 7], [1], false],
      [[1, 9], [0], true], [[4, 6], [1], false], [[2, 3, 4], [0, 2], false],
    ];
    const xs = cases.map(([shape], i) => {
      const v = tf.randomNormal(shape, 0, 1, 'float32', 60 + i).mul(tf.randomUniform(shape, 1, 1e4, 'float32', 70 + i)).dataSync() as Float32Array;
      v[1] = -0; // a signed zero and (below) a NaN must come out as the stock kernels' do
      if (i === 0) v[v.length - 1] = NaN;
      return tf.tensor(v, shape);
    });
    const run = () => cases.flatMap(([, axes, keepDims], i) => [tf.sum(xs[i], axes, keepDims), tf.mean(xs[i], axes, keepDims)]);
    uninstallWasmFixes();
    const stock = run();
    expect(countAllocations(() => tf.mean(xs[0], [0, 1, 2]))).toBe(2); // the transposed copy and the output
    installWasmFixes();
    const got = run();
    expect(countAllocations(() => tf.mean(xs[0], [0, 1, 2]))).toBe(1); // the output only: rows read in place
    got.forEach((t, i) => {
      expect(t.shape).toEqual(stock[i].shape);
      expect(bits(t)).toEqual(bits(stock[i]));
    });
    expect(outerAxisPlan([8, 6, 5, 16], [0, 1, 2], false)).toEqual({ groups: 1, rows: 240, cols: 16, outShape: [16] });
    expect(outerAxisPlan([5, 4, 3, 12], [-3, 2], true)).toEqual({ groups: 5, rows: 12, cols: 12, outShape: [5, 1, 1, 12] });
    expect(outerAxisPlan([4, 6], [1], false)).toBeUndefined(); // innermost: stock reads it in place
    expect(outerAxisPlan([2, 3, 4], [0, 2], false)).toBeUndefined(); // split axes
    tf.dispose([...xs, ...stock, ...got]);
  });

  it('a batch times fresh weights takes the streamed route (b^T·a^T)^T, bit for bit the direct product; packed weights keep the direct route', async () => {
    await initBackend('wasm');
    for (const [M, K, N] of [[32, 1024, 512], [32, 512, 256], [13, 200, 97]]) {
      const x = tf.randomNormal([M, K], 0, 1, 'float32', 47);
      const w = tf.randomNormal([K, N], 0, 0.1, 'float32', 48);
      const before = streamedWeightProducts();
      const streamed = tf.matMul(x, w); // w has never been packed
      expect(streamedWeightProducts()).toBe(before + 1);
      const many = tf.randomNormal([100, K], 0, 1, 'float32', 49);
      tf.matMul(many, w).dispose(); // 100 rows: the direct route, which packs w
      const direct = tf.matMul(x, w); // w packed: the direct route
      expect(streamedWeightProducts()).toBe(before + 1);
      expect(bits(streamed)).toEqual(bits(direct));
      const cpu = await on('cpu', () => [tf.matMul(tf.tensor(x.dataSync(), x.shape), tf.tensor(w.dataSync(), w.shape))]);
      await initBackend('wasm');
      expect(maxAbsDiff(cpu[0], streamed.dataSync() as Float32Array) / maxAbs(cpu[0])).toBeLessThan(1e-5);
      tf.dispose([x, w, streamed, many, direct]);
    }
  });
});
