/**
 * Two training-step kernels for the wasm backend, run directly on its heap by a small WebAssembly SIMD module of our own:
 *
 * - `sgd`: one momentum-SGD update of a weight tensor (PyTorch semantics, libs/training/src/sgd.ts) in ONE pass,
 *   writing the new weights and velocity to new buffers. Stock, the update is six tfjs ops per variable (mul, add, mul,
 *   add, mul, sub), each a kernel call with its own output allocation and pass over memory: 4.2 ms of a ~21 ms
 *   baseline step of the default mlp (docs/training.md). Every lane computes exactly what those ops compute, in the
 *   same order, with IEEE float32 arithmetic (WebAssembly has no implicit fused multiply-add), so results are bit for
 *   bit those of the ops (wasm-fixes.spec.ts checks it).
 * - `sumOfSquares`: sum of x^2 over a tensor (the global gradient norm the training loop logs and checks for
 *   finiteness before every update), read in place instead of square + sum + addN kernels. Float32 lanes as the stock
 *   sum, added in another order: the logged norm may differ in its last digits; a NaN or Inf still propagates.
 *
 * - `transpose2d`: a float32 matrix transposed in cache-sized tiles (for the matmul route of matmul-fix.ts that avoids
 *   packing fresh weights), ~5x faster than the backend's generic Transpose kernel.
 * - `colsum`: sums (or means) over the middle axis of [groups, rows, cols], read in place, for Sum / Mean over
 *   non-innermost axes (outer-axis-reductions.ts); bit for bit the stock kernels, which transpose first.
 *
 * The module imports the backend's own `WebAssembly.Memory` (exported by tfjs-backend-wasm's emscripten build as
 * `asm.memory`), so it reads and writes tensors where they live; outputs are allocated by the backend
 * (`makeOutput`), so tfjs owns and frees them as usual. New buffers, never in-place writes: the matmul kernel caches
 * packed weights per tensor (matmul-fix.ts), which must see new weights as new tensors.
 *
 * The module is written out byte by byte below (no compiler is available offline); `WebAssembly.validate` runs before
 * use and anything unexpected (no memory export, a shared memory from the threaded build) leaves the stock ops in place.
 */
import * as tf from '@tensorflow/tfjs';

/** Name of the fused update kernel (registered for the wasm backend by installHeapKernels). */
export const SGD_MOMENTUM_KERNEL = 'AlsgSgdMomentum';

/** Attributes of {@link SGD_MOMENTUM_KERNEL}: the step's learning rate, momentum and weight decay (0 = none). */
export interface SgdMomentumAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** The parts of the WebAssembly JS API used here (the project's TypeScript lib has no DOM/WebAssembly typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface WasmBackendLike extends tf.KernelBackend {
  wasm: { asm?: { memory?: WasmMemory } };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface HeapExports {
  sgdDecay(w: number, g: number, v: number, wOut: number, vOut: number, n: number, lr: number, momentum: number, wd: number): void;
  sgdPlain(w: number, g: number, v: number, wOut: number, vOut: number, n: number, lr: number, momentum: number, wd: number): void;
  sumsq(p: number, n: number): number;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  colsum(src: number, dst: number, groups: number, rows: number, cols: number, mean: number): void;
}

// ---- a few WebAssembly binary-format helpers -----------------------------------------------------------------------

const unsignedLeb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
};
const signedLeb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
const name = (s: string): number[] => [...unsignedLeb(s.length), ...Buffer.from(s, 'utf8')];
const vector = (items: number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...unsignedLeb(body.length), ...body];

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

// Instructions (opcode bytes; SIMD ones are 0xfd + LEB opcode).
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (v: number) => [0x41, ...signedLeb(v)];
const I32_ADD = [0x6a];
const I32_AND = [0x71];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_GE_U = [0x4f];
const I32_LT_U = [0x49];
const SELECT = [0x1b];
const F32_ADD = [0x92];
const F32_SUB = [0x93];
const F32_MUL = [0x94];
const F32_DIV = [0x95];
const F32_CONVERT_I32_U = [0xb3];
const f32Const0 = [0x43, 0, 0, 0, 0];
const F64_ADD = [0xa0];
const F64_PROMOTE = [0xbb];
const f32Load = [0x2a, 0x02, 0x00]; // align 4 bytes, offset 0
const f32Store = [0x38, 0x02, 0x00];
const v128Load = [0xfd, 0x00, 0x04, 0x00]; // align 16 bytes, offset 0
const v128Store = [0xfd, 0x0b, 0x04, 0x00];
const v128Zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
const F32X4_SPLAT = [0xfd, 0x13];
const f32x4Lane = (lane: number) => [0xfd, 0x1f, lane];
const F32X4_ADD = [0xfd, ...unsignedLeb(228)];
const F32X4_SUB = [0xfd, ...unsignedLeb(229)];
const F32X4_MUL = [0xfd, ...unsignedLeb(230)];
const BLOCK = [0x02, 0x40];
const IF = [0x04, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];

/** A function body: local declarations (one entry per local, in order) and code. */
const body = (locals: number[], code: number[]): number[] => {
  const decl = vector(locals.map((t) => [1, t]));
  const bytes = [...decl, ...code, ...END];
  return [...unsignedLeb(bytes.length), ...bytes];
};

/** `while (local i < local end) { inner; step }` as a block + loop. */
const loopWhileBelow = (i: number, end: number, inner: number[], step: number[]): number[] => [
  ...BLOCK, ...LOOP, ...get(i), ...get(end), ...I32_GE_U, ...brIf(1), ...inner, ...step, ...br(0), ...END, ...END,
];
/** local i += (the i32 the instructions `by` leave on the stack). */
const addTo = (i: number, by: number[]): number[] => [...get(i), ...by, ...I32_ADD, ...set(i)];

/**
 * sgd(w, g, v, wOut, vOut, n, lr, momentum, wd): for every element, in float32,
 *   g' = g + wd * w   (only when `decay`)
 *   v' = momentum * v + g'
 *   w' = w - lr * v'
 * four lanes at a time, then the n % 4 tail one by one. Pointers are byte offsets into the heap.
 */
function sgdBody(decay: boolean): number[] {
  // params 0 w, 1 g, 2 v, 3 wOut, 4 vOut, 5 n, 6 lr, 7 momentum, 8 wd; locals 9 i, 10 end4, 11 end (i32),
  // 12 lr4, 13 m4, 14 wd4, 15 w4, 16 g4 (v128), 17 ws, 18 gs (f32)
  const at = (base: number) => [...get(base), ...get(9), ...I32_ADD];
  const gradient4 = decay ? [...at(1), ...v128Load, ...get(14), ...get(15), ...F32X4_MUL, ...F32X4_ADD] : [...at(1), ...v128Load];
  const gradient1 = decay ? [...at(1), ...f32Load, ...get(8), ...get(17), ...F32_MUL, ...F32_ADD] : [...at(1), ...f32Load];
  const code = [
    ...get(6), ...F32X4_SPLAT, ...set(12),
    ...get(7), ...F32X4_SPLAT, ...set(13),
    ...get(8), ...F32X4_SPLAT, ...set(14),
    ...get(5), ...i32(-4), ...I32_AND, ...i32(2), ...I32_SHL, ...set(10), // end4 = (n & ~3) * 4
    ...get(5), ...i32(2), ...I32_SHL, ...set(11), // end = n * 4
    ...i32(0), ...set(9),
    ...BLOCK, ...LOOP,
    ...get(9), ...get(10), ...I32_GE_U, ...brIf(1),
    ...at(0), ...v128Load, ...set(15), // w4
    ...gradient4, ...set(16), // g4 = g (+ wd * w)
    ...at(4), // address of vOut
    ...get(13), ...at(2), ...v128Load, ...F32X4_MUL, ...get(16), ...F32X4_ADD, // v' = m * v + g
    ...set(16), ...get(16), ...v128Store, // vOut = v' (g4 now holds v')
    ...at(3), ...get(15), ...get(12), ...get(16), ...F32X4_MUL, ...F32X4_SUB, ...v128Store, // wOut = w - lr * v'
    ...get(9), ...i32(16), ...I32_ADD, ...set(9),
    ...br(0), ...END, ...END,
    ...BLOCK, ...LOOP,
    ...get(9), ...get(11), ...I32_GE_U, ...brIf(1),
    ...at(0), ...f32Load, ...set(17),
    ...gradient1, ...set(18),
    ...at(4), ...get(7), ...at(2), ...f32Load, ...F32_MUL, ...get(18), ...F32_ADD, ...set(18), ...get(18), ...f32Store,
    ...at(3), ...get(17), ...get(6), ...get(18), ...F32_MUL, ...F32_SUB, ...f32Store,
    ...get(9), ...i32(4), ...I32_ADD, ...set(9),
    ...br(0), ...END, ...END,
  ];
  return body([I32, I32, I32, V128, V128, V128, V128, V128, F32, F32], code);
}

/** sumsq(p, n) -> f64: four float32 lane sums of x*x, then the tail, added up in float64. */
function sumsqBody(): number[] {
  // params 0 p, 1 n; locals 2 i, 3 end4, 4 end (i32), 5 acc4, 6 x4 (v128), 7 total (f64), 8 x (f32)
  const at = [...get(0), ...get(2), ...I32_ADD];
  const lane = (k: number) => [...get(5), ...f32x4Lane(k), ...F64_PROMOTE];
  const code = [
    ...v128Zero, ...set(5),
    ...get(1), ...i32(-4), ...I32_AND, ...i32(2), ...I32_SHL, ...set(3),
    ...get(1), ...i32(2), ...I32_SHL, ...set(4),
    ...i32(0), ...set(2),
    ...BLOCK, ...LOOP,
    ...get(2), ...get(3), ...I32_GE_U, ...brIf(1),
    ...at, ...v128Load, ...set(6),
    ...get(5), ...get(6), ...get(6), ...F32X4_MUL, ...F32X4_ADD, ...set(5),
    ...get(2), ...i32(16), ...I32_ADD, ...set(2),
    ...br(0), ...END, ...END,
    ...lane(0), ...lane(1), ...F64_ADD, ...lane(2), ...F64_ADD, ...lane(3), ...F64_ADD, ...set(7),
    ...BLOCK, ...LOOP,
    ...get(2), ...get(4), ...I32_GE_U, ...brIf(1),
    ...at, ...f32Load, ...set(8),
    ...get(7), ...get(8), ...get(8), ...F32_MUL, ...F64_PROMOTE, ...F64_ADD, ...set(7),
    ...get(2), ...i32(4), ...I32_ADD, ...set(2),
    ...br(0), ...END, ...END,
    ...get(7),
  ];
  return body([I32, I32, I32, V128, V128, F64, F32], code);
}

/**
 * transpose(src, dst, rows, cols): dst [cols, rows] = src [rows, cols]^T, float32, in TILE x TILE blocks so that both the
 * rows read and the rows written stay in cache. 1024 x 512 (one mlp weight matrix): plain row-by-row loop 2.2 ms,
 * tiles of 16 1.8 ms (16 destination rows 4 KB apart fall into one L1 set), tiles of 8 0.75 ms; tfjs's Transpose
 * kernel 3.6 ms.
 */
const TILE = 8;
function transposeBody(): number[] {
  // params 0 src, 1 dst, 2 rows, 3 cols; locals 4 rb, 5 cb, 6 r, 7 c, 8 rEnd, 9 cEnd, 10 srcPtr, 11 dstPtr, 12 rowBytes
  const min = (x: number[], limit: number) => [...x, ...get(limit), ...x, ...get(limit), ...I32_LT_U, ...SELECT]; // min(x, limit)
  const inc = (i: number, by: number) => addTo(i, i32(by));
  const innermost = loopWhileBelow(7, 9, [...get(11), ...get(10), ...f32Load, ...f32Store, ...inc(10, 4), ...get(11), ...get(12), ...I32_ADD, ...set(11)], inc(7, 1));
  const rowLoop = loopWhileBelow(6, 8, [
    // srcPtr = src + (r * cols + cb) * 4; dstPtr = dst + (cb * rows + r) * 4; c = cb
    ...get(0), ...get(6), ...get(3), ...I32_MUL, ...get(5), ...I32_ADD, ...i32(2), ...I32_SHL, ...I32_ADD, ...set(10),
    ...get(1), ...get(5), ...get(2), ...I32_MUL, ...get(6), ...I32_ADD, ...i32(2), ...I32_SHL, ...I32_ADD, ...set(11),
    ...get(5), ...set(7),
    ...innermost,
  ], inc(6, 1));
  const colBlocks = loopWhileBelow(5, 3, [...min([...get(5), ...i32(TILE), ...I32_ADD], 3), ...set(9), ...get(4), ...set(6), ...rowLoop], inc(5, TILE));
  const rowBlocks = loopWhileBelow(4, 2, [...min([...get(4), ...i32(TILE), ...I32_ADD], 2), ...set(8), ...i32(0), ...set(5), ...colBlocks], inc(4, TILE));
  const code = [...get(2), ...i32(2), ...I32_SHL, ...set(12), ...i32(0), ...set(4), ...rowBlocks];
  return body([I32, I32, I32, I32, I32, I32, I32, I32, I32], code);
}

/**
 * colsum(src, dst, groups, rows, cols, mean): for src seen as [groups, rows, cols] (float32),
 *   dst[g, c] = sum over r = 0, 1, ..., rows - 1 of src[g, r, c]   (divided by rows when `mean` is not 0),
 * i.e. a Sum or Mean over the middle axes of a tensor whose innermost axes are kept (batch norm's moments over N, H, W
 * of an NHWC activation; global average pooling over H, W). Each output is one float32 running sum started at +0 and
 * added row by row, in the order of r, then divided by (float) rows: the exact arithmetic of tfjs-backend-wasm's Sum
 * and Mean kernels (a plain sequential loop per output, which the compiler may not reorder without fast-math), which
 * reach that order only after a Transpose that brings the reduced axes innermost. Here the rows are read in place:
 * dst's row of sums stays in cache and is updated four lanes at a time (then the cols % 4 tail), src is read once.
 */
function colsumBody(): number[] {
  // params 0 src, 1 dst, 2 groups, 3 rows, 4 cols, 5 mean; locals 6 g, 7 r, 8 p, 9 rowBytes, 10 vecBytes, 11 srcRow,
  // 12 dstRow (i32), 13 divisor (f32)
  const dstAt = [...get(12), ...get(8), ...I32_ADD];
  const srcAt = [...get(11), ...get(8), ...I32_ADD];
  const zeroRow = [...i32(0), ...set(8), ...loopWhileBelow(8, 9, [...dstAt, ...f32Const0, ...f32Store], addTo(8, i32(4)))];
  const addRow = [
    ...i32(0), ...set(8),
    ...loopWhileBelow(8, 10, [...dstAt, ...dstAt, ...v128Load, ...srcAt, ...v128Load, ...F32X4_ADD, ...v128Store], addTo(8, i32(16))),
    ...loopWhileBelow(8, 9, [...dstAt, ...dstAt, ...f32Load, ...srcAt, ...f32Load, ...F32_ADD, ...f32Store], addTo(8, i32(4))),
  ];
  const divideRow = [
    ...get(5), ...IF, // any non-zero `mean`
    ...i32(0), ...set(8),
    ...loopWhileBelow(8, 9, [...dstAt, ...dstAt, ...f32Load, ...get(13), ...F32_DIV, ...f32Store], addTo(8, i32(4))),
    ...END,
  ];
  const group = [
    ...zeroRow,
    ...i32(0), ...set(7),
    ...loopWhileBelow(7, 3, [...addRow, ...addTo(11, get(9))], addTo(7, i32(1))),
    ...divideRow,
  ];
  const code = [
    ...get(4), ...i32(2), ...I32_SHL, ...set(9), // rowBytes = cols * 4
    ...get(4), ...i32(-4), ...I32_AND, ...i32(2), ...I32_SHL, ...set(10), // vecBytes = (cols & ~3) * 4
    ...get(3), ...F32_CONVERT_I32_U, ...set(13),
    ...get(0), ...set(11),
    ...get(1), ...set(12),
    ...i32(0), ...set(6),
    ...loopWhileBelow(6, 2, group, [...addTo(12, get(9)), ...addTo(6, i32(1))]),
  ];
  return body([I32, I32, I32, I32, I32, I32, I32, F32], code);
}

/** The module's bytes: imports env.memory, exports sgdDecay, sgdPlain, sumsq, transpose and colsum. */
export function heapKernelModuleBytes(): Uint8Array {
  const sgdType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32], [F32], [F32], [F32]]), 0x00];
  const sumsqType = [0x60, ...vector([[I32], [I32]]), 1, F64];
  const transposeType = [0x60, ...vector([[I32], [I32], [I32], [I32]]), 0x00];
  const colsumType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([sgdType, sumsqType, transposeType, colsumType])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, min 0 pages, no max
    ...section(3, vector([[0], [0], [1], [2], [3]])),
    ...section(7, vector([[...name('sgdDecay'), 0x00, 0], [...name('sgdPlain'), 0x00, 1], [...name('sumsq'), 0x00, 2], [...name('transpose'), 0x00, 3], [...name('colsum'), 0x00, 4]])),
    ...section(10, vector([sgdBody(true), sgdBody(false), sumsqBody(), transposeBody(), colsumBody()])),
  ];
  return Uint8Array.from(bytes);
}

const instances = new WeakMap<object, HeapExports | null>();

/** The module instantiated on `backend`'s heap, or null when that heap cannot be shared (then callers use the ops). */
function heapExports(backend: WasmBackendLike): HeapExports | null {
  const key = backend.wasm as object;
  if (instances.has(key)) return instances.get(key) ?? null;
  let result: HeapExports | null = null;
  const memory = backend.wasm?.asm?.memory;
  const bytes = heapKernelModuleBytes();
  if (memory instanceof wasmApi.Memory && !(typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) && wasmApi.validate(bytes)) {
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
    result = instance.exports as unknown as HeapExports;
  }
  instances.set(key, result);
  return result;
}

const offsetOf = (backend: WasmBackendLike, t: tf.TensorInfo): number => {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('heap-kernels: tensor data is not on the wasm heap');
  return data.memoryOffset;
};

/**
 * Registers {@link SGD_MOMENTUM_KERNEL} for the wasm backend when its heap can be shared.
 * @returns a function that unregisters it (nothing to undo when it was not registered).
 */
export function installHeapKernels(): () => void {
  const backend = tf.findBackend('wasm') as WasmBackendLike | null;
  if (!backend || !heapExports(backend) || tf.getKernel(SGD_MOMENTUM_KERNEL, 'wasm')) return () => undefined;
  tf.registerKernel({
    kernelName: SGD_MOMENTUM_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const wb = b as unknown as WasmBackendLike;
      const { w, g, v } = inputs as { w: tf.TensorInfo; g: tf.TensorInfo; v: tf.TensorInfo };
      const { lr, momentum, weightDecay } = attrs as unknown as SgdMomentumAttrs;
      for (const t of [w, g, v]) {
        if (t.dtype !== 'float32' || t.shape.join() !== w.shape.join()) throw new Error(`${SGD_MOMENTUM_KERNEL}: w, g and v must be float32 of one shape, but got ${[w, g, v].map((x) => `${x.dtype}[${x.shape}]`).join(', ')}`);
      }
      const wOut = wb.makeOutput([...w.shape], 'float32');
      const vOut = wb.makeOutput([...w.shape], 'float32');
      const k = heapExports(wb) as HeapExports;
      const n = w.shape.reduce((a, d) => a * d, 1);
      const args = [offsetOf(wb, w), offsetOf(wb, g), offsetOf(wb, v), offsetOf(wb, wOut), offsetOf(wb, vOut), n, lr, momentum, weightDecay] as const;
      if (weightDecay !== 0) k.sgdDecay(...args);
      else k.sgdPlain(...args);
      return [wOut, vOut];
    },
  });
  return () => tf.unregisterKernel(SGD_MOMENTUM_KERNEL, 'wasm');
}

/** True when the current backend has the fused update ({@link SGD_MOMENTUM_KERNEL}). */
export function hasFusedSgd(): boolean {
  return tf.getKernel(SGD_MOMENTUM_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * One momentum-SGD update through the fused kernel: returns new [weights, velocity] tensors (the caller assigns and
 * disposes them). Call only when {@link hasFusedSgd}.
 */
export function fusedSgdMomentum(w: tf.Tensor, g: tf.Tensor, v: tf.Tensor, attrs: SgdMomentumAttrs): [tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(SGD_MOMENTUM_KERNEL, { w, g, v }, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor];
}

/**
 * Sum of x^2 over all elements of `tensors` (float64 result). On the wasm backend with the heap module, one read pass
 * per tensor; elsewhere the plain ops (square, sum, addN).
 */
export function sumOfSquares(tensors: readonly tf.Tensor[]): number {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendLike) : undefined;
  const k = backend && hasFusedSgd() ? heapExports(backend) : null;
  if (backend && k && tensors.every((t) => t.dtype === 'float32')) {
    let total = 0;
    for (const t of tensors) total += k.sumsq(offsetOf(backend, t), t.size);
    return total;
  }
  return tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(tf.square(t)))).dataSync()[0]);
}

/**
 * Direct float32 access to the wasm backend's heap, for kernels whose inner loop is plain JS over tensors in place
 * (conv-backprop.ts's col2im); null on other backends. `output` allocates an uninitialised float32 tensor on the heap.
 * `view()` must be called after the kernel's last allocation:
 * growing the heap replaces its buffer, and with it every view.
 */
export function heapFloat32(backend: tf.KernelBackend): { output: (shape: number[]) => tf.TensorInfo; view: () => Float32Array; index: (t: tf.TensorInfo) => number } | null {
  const wb = backend as unknown as WasmBackendLike & { wasm?: { HEAPF32?: Float32Array } };
  if (!(wb.wasm?.HEAPF32 instanceof Float32Array) || typeof wb.dataIdMap?.get !== 'function' || typeof wb.makeOutput !== 'function') return null;
  return { output: (shape) => wb.makeOutput(shape, 'float32'), view: () => wb.wasm.HEAPF32 as Float32Array, index: (t) => offsetOf(wb, t) / 4 };
}

/** True when `backend` is a wasm backend whose heap the module runs on (the streamed-weights matmul needs it). */
export function hasHeapKernels(backend: tf.KernelBackend): boolean {
  const wb = backend as unknown as WasmBackendLike;
  return Boolean(wb.wasm) && heapExports(wb) !== null;
}

/**
 * `x` [..., R, C] with leading dimensions 1, transposed to [..., C, R] by the heap module; undefined when the backend
 * has no heap module (callers then use the Transpose kernel). For use inside kernels (raw TensorInfo in and out).
 */
export function heapTranspose2d(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo | undefined {
  const wb = backend as unknown as WasmBackendLike;
  const k = x.dtype === 'float32' && hasHeapKernels(backend) ? heapExports(wb) : null;
  if (!k || x.shape.length < 2 || x.shape.slice(0, -2).some((d) => d !== 1)) return undefined;
  const [rows, cols] = x.shape.slice(-2);
  const out = wb.makeOutput([...x.shape.slice(0, -2), cols, rows], 'float32');
  k.transpose(offsetOf(wb, x), offsetOf(wb, out), rows, cols);
  return out;
}

/**
 * Sum (or mean) of float32 `x` seen as [groups, rows, cols] over its rows, by the heap module ({@link colsumBody}): a new
 * float32 tensor of `outShape` (groups * cols values); undefined when the backend has no heap module (callers then use
 * the stock kernel). For use inside kernels (raw TensorInfo in and out).
 */
export function heapColumnSums(backend: tf.KernelBackend, x: tf.TensorInfo, groups: number, rows: number, cols: number, mean: boolean, outShape: number[]): tf.TensorInfo | undefined {
  const wb = backend as unknown as WasmBackendLike;
  const k = x.dtype === 'float32' && hasHeapKernels(backend) ? heapExports(wb) : null;
  if (!k) return undefined;
  const out = wb.makeOutput(outShape, 'float32');
  k.colsum(offsetOf(wb, x), offsetOf(wb, out), groups, rows, cols, mean ? 1 : 0);
  return out;
}
