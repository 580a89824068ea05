import * as tf from '@tensorflow/tfjs';
import { callKernel, kernelOps, release, type Info } from './kernel-call';

/**
 * Works around three costs of the wasm backend's BatchMatMul / _FusedMatMul (tfjs 4.22) in dense training:
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
 * Results equal the stock kernels up to float summation order (tests compare gradients with the cpu backend).
 *
 * @param backendName backend whose kernels are wrapped; default 'wasm'.
 * @returns a function that restores the original kernels.
 */
export function installMatMulTransposeFix(backendName = 'wasm'): () => void {
  const matMul = tf.getKernel('BatchMatMul', backendName);
  if (!matMul) throw new Error(`installMatMulTransposeFix: kernel BatchMatMul not registered for ${backendName}`);
  const plain = (backend: tf.KernelBackend, a: Info, b: Info): Info =>
    matMul.kernelFunc({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } }) as Info;
  const restores = [
    wrap('BatchMatMul', backendName, (backend, inputs, attrs, original) => {
      const { a, b } = inputs as { a: Info; b: Info };
      if (attrs.transposeB && !attrs.transposeA && smallTimesLargeTransposed(a, b)) return transposedProduct(backend, a, b, plain);
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
        const out = kernelOps.transpose(backend, t, swapLastTwo(t.shape.length));
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

/** a·b^T computed as (b·a^T)^T, in the output shape the stock kernel would give. */
function transposedProduct(backend: tf.KernelBackend, a: Info, b: Info, plain: (backend: tf.KernelBackend, a: Info, b: Info) => Info): Info {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.shape.length - 2];
  const a2 = kernelOps.reshape(backend, a, [M, K]);
  const b2 = kernelOps.reshape(backend, b, [N, K]);
  const aT = kernelOps.transpose(backend, a2, [1, 0]);
  const outT = plain(backend, b2, aT);
  const out = kernelOps.transpose(backend, outT, [1, 0]);
  const ones = Array(Math.max(a.shape.length, b.shape.length) - 2).fill(1);
  const shaped = kernelOps.reshape(backend, out, [...ones, M, N]);
  release(backend, a2, b2, aT, outT, out);
  return shaped;
}

/** matmul result + bias, then the activation, by the same kernels tfjs's unfused path calls. */
function unfused(backend: tf.KernelBackend, product: Info, bias: Info | undefined, activation: string): Info {
  const biased = bias ? callKernel('Add', backend, { a: product, b: bias }) : product;
  const out = callKernel(UNFUSED_ACTIVATIONS[activation], backend, { x: biased });
  release(backend, ...(bias ? [product, biased] : [product]));
  return out;
}
