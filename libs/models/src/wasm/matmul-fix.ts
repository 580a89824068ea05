import * as tf from '@tensorflow/tfjs';
import { hasHeapKernels, heapTranspose2d } from './heap-kernels';
import { callKernel, kernelOps, release, type Info } from './kernel-call';

/**
 * Works around four costs of the wasm backend's BatchMatMul / _FusedMatMul (tfjs 4.22) in dense training:
 *
 * 1. With transposeA / transposeB it takes a naive loop ~20x slower than its XNNPACK path, and dense backprop always
 *    asks for transposes. The transposed operand is materialised with the Transpose kernel and the kernel is called
 *    without the flags (its fast path).
 * 2. The XNNPACK path packs its `b` operand (the "weights") into a cached operator keyed by b's tensor id, so a freshly
 *    made `b` (after every SGD step) is packed again, and materialising a large b^T costs a transpose on top. For
 *    a·b^T with a small `a` (dense backprop's dy·W^T at batch 32) we compute (b·a^T)^T instead: the big operand is read
 *    in place as the streamed input and only the small ones are transposed and packed.
 * 3. The packed operator is cached per (b, bias, activation). Inference calls fuse bias and ReLU into the matmul, while
 *    a training forward (under the gradient tape tfjs never fuses a non-linear activation) calls it without: the same
 *    fresh weights were packed twice per step when LDL-ALSG's neighbour forwards (inference) and the training forward
 *    share a step. A _FusedMatMul with a non-linear activation therefore runs unfused here (matmul, Add bias,
 *    activation), exactly as the training forward does; both reuse one packed operator, and inference results equal the
 *    training forward's bit for bit.
 *
 * 4. Packing fresh weights is itself costly (~3.6 ms of a 5.7 ms forward of a 32 x 1024 batch through 1024 x 512
 *    weights). A flag-free a·b with a small `a` (a training batch) and a `b` that XNNPACK has not packed yet (the
 *    weights right after an SGD step) is computed as (b^T·a^T)^T: b^T by the heap module's tiled transpose
 *    (heap-kernels.ts, 0.75 ms), streamed, and only the small a^T packed. Each output is the same sequential sum over k
 *    in both orientations, so the result is bit for bit the direct product (checked in wasm-fixes.spec.ts). Weights
 *    already packed (LDL-ALSG's neighbour forward runs first, with ~237 rows, and packs them) keep the direct route.
 *
 * Results equal the stock kernels up to float summation order (tests compare gradients with the cpu backend).
 *
 * @param backendName backend whose kernels are wrapped; default 'wasm'.
 * @returns a function that restores the original kernels.
 */
export function installMatMulTransposeFix(backendName = 'wasm'): () => void {
  const matMul = tf.getKernel('BatchMatMul', backendName);
  if (!matMul) throw new Error(`installMatMulTransposeFix: kernel BatchMatMul not registered for ${backendName}`);
  const plain = (backend: tf.KernelBackend, a: Info, b: Info): Info => {
    packed.add(b.dataId);
    return matMul.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as Info;
  };
  const restores = [
    wrap('BatchMatMul', backendName, (backend, inputs, attrs, original) => {
      const { a, b } = inputs as { a: Info; b: Info };
      if (attrs.transposeB && !attrs.transposeA && smallTimesLargeTransposed(a, b)) return transposedProduct(backend, a, b, plain);
      if (!attrs.transposeA && !attrs.transposeB) {
        if (hasHeapKernels(backend) && smallTimesFreshWeights(a, b)) return weightsStreamedProduct(backend, a, b, plain);
        packed.add(b.dataId);
      }
      return original();
    }),
    wrap('_FusedMatMul', backendName, (backend, inputs, attrs, original) => {
      const { a, b, bias } = inputs as { a: Info; b: Info; bias?: Info };
      const activation = attrs.activation as string;
      if (attrs.transposeA || attrs.transposeB || !UNFUSED_ACTIVATIONS[activation]) return original();
      return unfused(backend, plain(backend, a, b), bias, activation);
    }),
  ];
  return () => restores.forEach((r) => r());
}

/** Activation kernels a _FusedMatMul is split into (others keep the fused call). */
const UNFUSED_ACTIVATIONS: Record<string, string> = { relu: 'Relu', relu6: 'Relu6', elu: 'Elu', sigmoid: 'Sigmoid' };

type Body = (backend: tf.KernelBackend, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, original: () => Info) => Info;

/**
 * Re-registers `kernelName` so that transposed operands are materialised first (cost 1 above), then `body` decides how
 * the flag-free product is computed (`original()` is the stock kernel on the flag-free operands).
 */
function wrap(kernelName: string, backendName: string, body: Body): () => void {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) throw new Error(`installMatMulTransposeFix: kernel ${kernelName} not registered for ${backendName}`);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as tf.KernelBackend;
    const flags = attrs as { transposeA: boolean; transposeB: boolean };
    const callOriginal = (): Info => {
      if (!flags.transposeA && !flags.transposeB) return original.kernelFunc({ inputs, backend, attrs }) as Info;
      const temps: Info[] = [];
      const swap = (t: Info): Info => {
        const out = transposeOf(backend, t);
        temps.push(out);
        return out;
      };
      const a = flags.transposeA ? swap(inputs.a as Info) : (inputs.a as Info);
      const b = flags.transposeB ? swap(inputs.b as Info) : (inputs.b as Info);
      const out = original.kernelFunc({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as Info;
      release(backend, ...temps);
      return out;
    };
    return body(backend, inputs, attrs as tf.NamedAttrMap, callOriginal);
  };
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return () => {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(original);
  };
}

/** `t` with its last two dimensions swapped: the heap module's tiled transpose for a single matrix, else the kernel. */
function transposeOf(backend: tf.KernelBackend, t: Info): Info {
  return heapTranspose2d(backend, t) ?? kernelOps.transpose(backend, t, swapLastTwo(t.shape.length));
}

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Leading (batch) dimensions all 1, i.e. a single matrix: the only case XNNPACK's path handles. */
function singleMatrix(t: Info): boolean {
  return t.shape.slice(0, -2).every((d) => d === 1);
}

/**
 * a [M, K] · b^T with b [N, K]: is (b·a^T)^T cheaper? The direct way transposes and packs b (N·K values each); the
 * swapped one transposes a (M·K) and the result (M·N) and packs a^T.
 */
function smallTimesLargeTransposed(a: Info, b: Info): boolean {
  if (!singleMatrix(a) || !singleMatrix(b)) return false;
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.shape.length - 2];
  return M * K + M * N < N * K;
}

/**
 * `b` operands XNNPACK has packed (by data id): a product with one of them reuses its cached operator, so the direct
 * route is cheapest. Entries vanish with the tensors.
 */
const packed = new WeakSet<object>();

let streamedCount = 0;
/** How many products took the streamed-weights route so far (tests check which route a product took). */
export function streamedWeightProducts(): number {
  return streamedCount;
}

/** Rows of `a` up to which streaming fresh weights beats packing them (a training batch; not ~237 neighbour rows). */
const STREAMED_WEIGHTS_MAX_ROWS = 64;

/** a [M, K] · b [K, N] with a small M and a large b not packed yet: worth computing as (b^T·a^T)^T? */
function smallTimesFreshWeights(a: Info, b: Info): boolean {
  if (!singleMatrix(a) || !singleMatrix(b) || a.dtype !== 'float32' || packed.has(b.dataId)) return false;
  const [M] = a.shape.slice(-2);
  const [K, N] = b.shape.slice(-2);
  return M <= STREAMED_WEIGHTS_MAX_ROWS && K * N >= 16_384 && M < N;
}

/** a·b as (b^T·a^T)^T: b^T by the heap module's tiled transpose, streamed; only the small a^T is packed. */
function weightsStreamedProduct(backend: tf.KernelBackend, a: Info, b: Info, plain: PlainProduct): Info {
  const [K, N] = b.shape.slice(-2);
  const b2 = kernelOps.reshape(backend, b, [K, N]);
  const bT = transposeOf(backend, b2);
  streamedCount++;
  const out = swappedProduct(backend, a, bT, N, Math.max(a.shape.length, b.shape.length), plain);
  release(backend, b2, bT);
  return out;
}

/** a·b^T computed as (b·a^T)^T, in the output shape the stock kernel would give. */
function transposedProduct(backend: tf.KernelBackend, a: Info, b: Info, plain: PlainProduct): Info {
  const [N, K] = b.shape.slice(-2);
  const b2 = kernelOps.reshape(backend, b, [N, K]);
  const out = swappedProduct(backend, a, b2, N, Math.max(a.shape.length, b.shape.length), plain);
  release(backend, b2);
  return out;
}

type PlainProduct = (backend: tf.KernelBackend, a: Info, b: Info) => Info;

/**
 * (left·a^T)^T for a [.., M, K] and left [N, K]: the product both routes above share, with `left` streamed and the small
 * a^T packed, returned as [1.., M, N] (`rank` dimensions, as the stock kernel shapes it).
 */
function swappedProduct(backend: tf.KernelBackend, a: Info, left: Info, N: number, rank: number, plain: PlainProduct): Info {
  const [M, K] = a.shape.slice(-2);
  const a2 = kernelOps.reshape(backend, a, [M, K]);
  const aT = transposeOf(backend, a2);
  const outT = plain(backend, left, aT);
  const out = transposeOf(backend, outT);
  const shaped = kernelOps.reshape(backend, out, [...Array(rank - 2).fill(1), M, N]);
  release(backend, a2, aT, outT, out);
  return shaped;
}

/** matmul result + bias, then the activation, by the same kernels tfjs's unfused path calls. */
function unfused(backend: tf.KernelBackend, product: Info, bias: Info | undefined, activation: string): Info {
  const biased = bias ? callKernel('Add', backend, { a: product, b: bias }) : product;
  const out = callKernel(UNFUSED_ACTIVATIONS[activation], backend, { x: biased });
  release(backend, ...(bias ? [product, biased] : [product]));
  return out;
}
