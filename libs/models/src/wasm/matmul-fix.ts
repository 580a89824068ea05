import * as tf from '@tensorflow/tfjs';
import { kernelOps, release, type Info } from './kernel-call';

/**
 * Works around the wasm backend's slow path for BatchMatMul / _FusedMatMul with transposeA / transposeB (tfjs 4.22:
 * ~20x slower than without the flags; dense backprop always asks for transposes). The transposed operand is first
 * materialised with the Transpose kernel and the original kernel is called without the flags (its fast path).
 * Results are identical up to float rounding (tests compare gradients with the cpu backend).
 *
 * @param backendName backend whose kernels are wrapped; default 'wasm'.
 * @returns a function that restores the original kernels.
 */
export function installMatMulTransposeFix(backendName = 'wasm'): () => void {
  const restores = ['BatchMatMul', '_FusedMatMul'].map((name) => wrap(name, backendName));
  return () => restores.forEach((r) => r());
}

function wrap(kernelName: string, backendName: string): () => void {
  const original = tf.getKernel(kernelName, backendName);
  if (!original) throw new Error(`installMatMulTransposeFix: kernel ${kernelName} not registered for ${backendName}`);
  const kernelFunc: tf.KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as tf.KernelBackend;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const temps: Info[] = [];
    const swap = (t: Info): Info => {
      const r = t.shape.length;
      const perm = [...Array(r).keys()];
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      const out = kernelOps.transpose(backend, t, perm);
      temps.push(out);
      return out;
    };
    const a = transposeA ? swap(inputs.a as Info) : (inputs.a as Info);
    const b = transposeB ? swap(inputs.b as Info) : (inputs.b as Info);
    const out = original.kernelFunc({ inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    release(backend, ...temps);
    return out;
  };
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return () => {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(original);
  };
}
