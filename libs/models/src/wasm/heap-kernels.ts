/**
 * Training-step kernels for the wasm backend, run directly on its heap by a small WebAssembly SIMD module of our own:
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
 * - `bnCentre`, `bnNormalize`, `bnGradSums`, `bnGradInput`: the training batch norm's passes over an activation
 *   (lean-batchnorm-training.ts), each fusing the ops it replaces with their float32 arithmetic in their order, so bit
 *   for bit the ops: 4 passes per layer and step instead of ~12 kernel calls (small-cnn step 8.5 -> 7.0 ms on the EPYC).
 * - `col2im`: the scatter-add of a strided convolution's input gradient (conv-backprop.ts), the JS loop's additions in
 *   its order, four channels at a time (small-cnn's 16x16x16 dX 0.92 -> 0.54 ms).
 * - `convFilterGrad16` / `convFilterGrad32`: a small convolution's filter gradient (conv-backprop.ts), XNNPACK's sums
 *   in XNNPACK's order without its per-call packing of dy (small-cnn's three layers 3.3 -> 2.2 ms per step).
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
  bnCentre(x: number, mean: number, centred: number, variance: number, rows: number, cols: number): void;
  bnNormalize(centred: number, beta: number, gamma: number, nf: number, out: number, rows: number, cols: number): void;
  bnGradSums(g: number, centred: number, r: number, dBeta: number, dGamma: number, rows: number, cols: number): void;
  bnGradInput(g: number, centred: number, r: number, meanDBeta: number, meanDGamma: number, s: number, dx: number, rows: number, cols: number): void;
  col2im(cols: number, dx: number, n: number, h: number, w: number, ci: number, ho: number, wo: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  convFilterGrad16(xt: number, dy: number, dw: number, ci: number, h: number, w: number, n: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  convFilterGrad32(xt: number, dy: number, dw: number, ci: number, h: number, w: number, n: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  convFilterGrad4x8(xt: number, dy: number, dw: number, ci: number, h: number, w: number, n: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number): void;
  convForward(x: number, f: number, bias: number, y: number, zero: number, n: number, h: number, w: number, ci: number, ho: number, wo: number, co: number, kh: number, kw: number, sh: number, sw: number, top: number, left: number, relu: number): void;
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
const I32_SUB = [0x6b];
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
const F32X4_DIV = [0xfd, ...unsignedLeb(231)];
const F32X4_MAX = [0xfd, ...unsignedLeb(233)];
const F64X2_ADD = [0xfd, ...unsignedLeb(240)];
const F64X2_DIV = [0xfd, ...unsignedLeb(243)];
const F64X2_PROMOTE_LOW_F32X4 = [0xfd, ...unsignedLeb(95)];
const F32X4_DEMOTE_F64X2_ZERO = [0xfd, ...unsignedLeb(94)];
/** i8x16.shuffle of the two v128 on the stack, picking bytes by index (0-15 first operand, 16-31 second). */
const shuffle = (bytes: number[]) => [0xfd, 0x0d, ...bytes];
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const HIGH_LANES_LOW = shuffle([...range(8, 8), ...range(8, 8)]); // [a2, a3, a2, a3] of one f32x4 (used as x, x)
const JOIN_LOW_HALVES = shuffle([...range(0, 8), ...range(16, 8)]); // [a0, a1, b0, b1]
const BLOCK = [0x02, 0x40];
const IF = [0x04, 0x40];
const IF_V128 = [0x04, V128]; // an if ... else ... end that leaves a v128
const ELSE = [0x05];
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
const mulI32 = (x: number[], y: number[]): number[] => [...x, ...y, ...I32_MUL];
const addI32 = (x: number[], y: number[]): number[] => [...x, ...y, ...I32_ADD];
/**
 * `coord = idx * stride + tap - pad; if (coord < size) { inner }` with locals' indices: one image axis of a convolution
 * tap, the test unsigned, so that a coordinate left of or above the image (negative) wraps to a large value and fails it.
 */
const ifTapInside = (coord: number, idx: number, stride: number, tap: number, pad: number, size: number, inner: number[]): number[] => [
  ...addI32(mulI32(get(idx), get(stride)), get(tap)), ...get(pad), ...I32_SUB, ...set(coord),
  ...get(coord), ...get(size), ...I32_LT_U, ...IF, ...inner, ...END,
];

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

/**
 * The training batch norm's passes over an activation x seen as [rows, cols] (rows = N*H*W, cols = channels, a multiple
 * of 4), four channels at a time. Each computes, per element, the float32 operations of the tfjs ops it replaces in
 * lean-batchnorm-training.ts, in the same order, and each sum is one running float32 sum per channel started at +0 and
 * added row by row (as colsum and the stock Sum / Mean kernels), so the results are bit for bit the ops'
 * (wasm-fixes.spec.ts compares them):
 * - bnCentre(x, mean, centred, variance, rows, cols): centred = x - mean; variance = sum(centred * centred) / rows
 *   (tf.sub, tf.square, tf.mean);
 * - bnNormalize(centred, beta, gamma, nf, out, rows, cols): out = beta + (centred * gamma) / nf with nf = sqrt(variance
 *   + eps), the expression of tfjs-backend-wasm's FusedBatchNorm kernel (which computes x - mean itself: the same value,
 *   and divides and adds in double, as this pass does);
 * - bnGradSums(g, centred, r, dBeta, dGamma, rows, cols): dBeta = sum(g), dGamma = sum(g * (centred * r));
 * - bnGradInput(g, centred, r, mB, mG, s, dx, rows, cols): dx = ((g - mB) - (centred * r) * mG) * s.
 * Per-channel operands (mean, beta, gamma, nf, r, mB, mG, s) are [cols] vectors.
 */
// Shared locals of the four bodies, after their params: r (row), p (byte in the row), rowBytes, off (row's byte offset).
function rowwise(params: number, rows: number, cols: number, inner: (at: (base: number) => number[], ch: (base: number) => number[]) => number[], extraLocals: number[] = []): { code: number[]; locals: number[] } {
  const [r, p, rowBytes, off] = [params, params + 1, params + 2, params + 3];
  const at = (base: number) => [...get(base), ...get(off), ...I32_ADD, ...get(p), ...I32_ADD];
  const ch = (base: number) => [...get(base), ...get(p), ...I32_ADD];
  const code = [
    ...get(cols), ...i32(2), ...I32_SHL, ...set(rowBytes),
    ...i32(0), ...set(off),
    ...i32(0), ...set(r),
    ...loopWhileBelow(r, rows, [...i32(0), ...set(p), ...loopWhileBelow(p, rowBytes, inner(at, ch), addTo(p, i32(16)))], [...addTo(off, get(rowBytes)), ...addTo(r, i32(1))]),
  ];
  return { code, locals: [I32, I32, I32, I32, ...extraLocals] };
}
/** dst[0 .. rowBytes) = +0, four lanes at a time (p and rowBytes as in rowwise, set first). */
const zeroChannels = (dsts: number[], p: number, rowBytes: number, cols: number): number[] => [
  ...get(cols), ...i32(2), ...I32_SHL, ...set(rowBytes),
  ...i32(0), ...set(p),
  ...loopWhileBelow(p, rowBytes, dsts.flatMap((d) => [...get(d), ...get(p), ...I32_ADD, ...v128Zero, ...v128Store]), addTo(p, i32(16))),
];

function bnCentreBody(): number[] {
  // params 0 x, 1 mean, 2 centred, 3 variance, 4 rows, 5 cols; locals 6 r, 7 p, 8 rowBytes, 9 off, 10 d (v128; the divisor last)
  const loop = rowwise(6, 4, 5, (at, ch) => [
    ...at(0), ...v128Load, ...ch(1), ...v128Load, ...F32X4_SUB, ...set(10), // d = x - mean
    ...at(2), ...get(10), ...v128Store, // centred = d
    ...ch(3), ...ch(3), ...v128Load, ...get(10), ...get(10), ...F32X4_MUL, ...F32X4_ADD, ...v128Store, // variance += d * d
  ], [V128]);
  const divide = [
    ...get(4), ...F32_CONVERT_I32_U, ...F32X4_SPLAT, ...set(10),
    ...i32(0), ...set(7),
    ...loopWhileBelow(7, 8, [...get(3), ...get(7), ...I32_ADD, ...get(3), ...get(7), ...I32_ADD, ...v128Load, ...get(10), ...F32X4_DIV, ...v128Store], addTo(7, i32(16))),
  ];
  return body(loop.locals, [...zeroChannels([3], 7, 8, 5), ...loop.code, ...divide]);
}

function bnNormalizeBody(): number[] {
  // params 0 centred, 1 beta, 2 gamma, 3 nf, 4 out, 5 rows, 6 cols; locals 7 r, 8 p, 9 rowBytes, 10 off, 11 q, 12 b, 13 n (v128)
  // tfjs-backend-wasm's FusedBatchNorm keeps sqrt(variance + eps) as a double and so divides and adds in double:
  // out = float(double(beta) + double(float(centred * gamma)) / double(nf)). Two lanes at a time in f64x2, as it does.
  // One operand as f64x2: its lanes 0, 1 (low) or 2, 3 (the vector shuffled against itself to bring them low).
  const operand = (local: number, low: boolean) => (low ? [...get(local)] : [...get(local), ...get(local), ...HIGH_LANES_LOW]).concat(F64X2_PROMOTE_LOW_F32X4);
  // beta + q / nf for two lanes, demoted back to float32: [o0, o1, 0, 0].
  const half = (low: boolean) => [...operand(12, low), ...operand(11, low), ...operand(13, low), ...F64X2_DIV, ...F64X2_ADD, ...F32X4_DEMOTE_F64X2_ZERO];
  const loop = rowwise(7, 5, 6, (at, ch) => [
    ...at(0), ...v128Load, ...ch(2), ...v128Load, ...F32X4_MUL, ...set(11), // q = centred * gamma (float)
    ...ch(1), ...v128Load, ...set(12),
    ...ch(3), ...v128Load, ...set(13),
    ...at(4),
    ...half(true),
    ...half(false),
    ...JOIN_LOW_HALVES, ...v128Store,
  ], [V128, V128, V128]);
  return body(loop.locals, loop.code);
}

function bnGradSumsBody(): number[] {
  // params 0 g, 1 centred, 2 r, 3 dBeta, 4 dGamma, 5 rows, 6 cols; locals 7 r, 8 p, 9 rowBytes, 10 off, 11 gv (v128)
  const loop = rowwise(7, 5, 6, (at, ch) => [
    ...at(0), ...v128Load, ...set(11),
    ...ch(3), ...ch(3), ...v128Load, ...get(11), ...F32X4_ADD, ...v128Store, // dBeta += g
    ...ch(4), ...ch(4), ...v128Load, ...get(11), ...at(1), ...v128Load, ...ch(2), ...v128Load, ...F32X4_MUL, ...F32X4_MUL, ...F32X4_ADD, ...v128Store, // dGamma += g * (centred * r)
  ], [V128]);
  return body(loop.locals, [...zeroChannels([3, 4], 8, 9, 6), ...loop.code]);
}

function bnGradInputBody(): number[] {
  // params 0 g, 1 centred, 2 r, 3 mB, 4 mG, 5 s, 6 dx, 7 rows, 8 cols; locals 9 r, 10 p, 11 rowBytes, 12 off
  const loop = rowwise(9, 7, 8, (at, ch) => [
    ...at(6),
    ...at(0), ...v128Load, ...ch(3), ...v128Load, ...F32X4_SUB, // g - mB
    ...at(1), ...v128Load, ...ch(2), ...v128Load, ...F32X4_MUL, ...ch(4), ...v128Load, ...F32X4_MUL, // (centred * r) * mG
    ...F32X4_SUB, ...ch(5), ...v128Load, ...F32X4_MUL, ...v128Store,
  ]);
  return body(loop.locals, loop.code);
}

/**
 * col2im(cols, dx, n, h, w, ci, ho, wo, kh, kw, sh, sw, top, left): the scatter-add of a strided convolution's input
 * gradient (conv-backprop.ts backpropInputByGemm): dx [n, h, w, ci] = 0, then for every output position (img, i, j) in
 * order and every tap (a, b) in order whose input pixel y = i*sh + a - top, x = j*sw + b - left lies inside the image,
 * dx[img, y, x, :] += cols[img, i, j, a, b, :]. The same float32 additions in the same order as the JS loop it replaces
 * (each element a running sum started at +0), four channels at a time: ci must be a multiple of 4. The bounds test is
 * one unsigned comparison (a negative y or x wraps to a large unsigned value).
 */
function col2imBody(): number[] {
  // params 0 cols, 1 dx, 2 n, 3 h, 4 w, 5 ci, 6 ho, 7 wo, 8 kh, 9 kw, 10 sh, 11 sw, 12 top, 13 left
  // locals 14 img, 15 i, 16 j, 17 a, 18 b, 19 y, 20 x, 21 row, 22 dst, 23 src, 24 ch, 25 ciBytes, 26 end (i32)
  const copyChannels = loopWhileBelow(24, 25, [
    ...get(22), ...get(24), ...I32_ADD,
    ...get(22), ...get(24), ...I32_ADD, ...v128Load, ...get(23), ...get(24), ...I32_ADD, ...v128Load, ...F32X4_ADD,
    ...v128Store,
  ], addTo(24, i32(16)));
  // x = j*sw + b - left inside the image: dst = dx + ((img*h + y)*w + x)*ciBytes, src = row + (a*kw + b)*ciBytes, add.
  const tapColumn = ifTapInside(20, 16, 11, 18, 13, 4, [
    ...get(1), ...mulI32(addI32(mulI32(addI32(mulI32(get(14), get(3)), get(19)), get(4)), get(20)), get(25)), ...I32_ADD, ...set(22),
    ...get(21), ...mulI32(addI32(mulI32(get(17), get(9)), get(18)), get(25)), ...I32_ADD, ...set(23),
    ...i32(0), ...set(24), ...copyChannels,
  ]);
  // y = i*sh + a - top inside the image: every tap column b.
  const tapRow = ifTapInside(19, 15, 10, 17, 12, 3, [...i32(0), ...set(18), ...loopWhileBelow(18, 9, tapColumn, addTo(18, i32(1)))]);
  const position = [
    ...i32(0), ...set(17), ...loopWhileBelow(17, 8, tapRow, addTo(17, i32(1))),
    ...addTo(21, mulI32(mulI32(mulI32(get(8), get(9)), get(5)), i32(4))), // row += kh*kw*ci floats
  ];
  const code = [
    ...get(5), ...i32(2), ...I32_SHL, ...set(25),
    // dx = +0
    ...mulI32(mulI32(mulI32(get(2), get(3)), get(4)), get(25)), ...set(26),
    ...i32(0), ...set(24),
    ...loopWhileBelow(24, 26, [...get(1), ...get(24), ...I32_ADD, ...v128Zero, ...v128Store], addTo(24, i32(16))),
    ...get(0), ...set(21),
    ...i32(0), ...set(14),
    ...loopWhileBelow(14, 2, [
      ...i32(0), ...set(15),
      ...loopWhileBelow(15, 6, [...i32(0), ...set(16), ...loopWhileBelow(16, 7, position, addTo(16, i32(1)))], addTo(15, i32(1))),
    ], addTo(14, i32(1))),
  ];
  return body(new Array(13).fill(I32), code);
}

// The two filter-gradient bodies share their loops and these locals: params 0 xt, 1 dy, 2 dw, 3 ci, 4 h, 5 w, 6 n,
// 7 ho, 8 wo, 9 co, 10 kh, 11 kw, 12 sh, 13 sw, 14 top, 15 left; locals 16 c, 17 a, 18 b, 19 ob (output channel block,
// bytes), 20 i, 21 j, 22 y, 23 x, 24 xp, 25 dp, 26 m, 27 mStride (bytes between dy's batch items), 28 coBytes.

/**
 * One block's taps in order: for every output row i whose input row y = i*sh + a - top lies inside the image, every
 * column j whose x = j*sw + b - left does, xp = xt + ((y*w + x)*ci + c)*n*4 and dp = dy + (i*wo + j)*coBytes + ob,
 * then `channels` (the sum over the n batch items).
 */
function filterGradTaps(channels: number[]): number[] {
  const tapColumn = ifTapInside(23, 21, 13, 18, 15, 5, [
    ...get(0), ...mulI32(mulI32(addI32(mulI32(addI32(mulI32(get(22), get(5)), get(23)), get(3)), get(16)), get(6)), i32(4)), ...I32_ADD, ...set(24),
    ...get(1), ...mulI32(addI32(mulI32(get(20), get(8)), get(21)), get(28)), ...I32_ADD, ...get(19), ...I32_ADD, ...set(25),
    ...i32(0), ...set(26), ...channels,
  ]);
  const tapRow = ifTapInside(22, 20, 12, 17, 14, 4, [...i32(0), ...set(21), ...loopWhileBelow(21, 8, tapColumn, addTo(21, i32(1)))]);
  return [...i32(0), ...set(20), ...loopWhileBelow(20, 7, tapRow, addTo(20, i32(1)))];
}

/** `block` for every input channel c (cStep at a time), tap (a, b) and output-channel block ob (obBytes wide), in that nesting. */
function filterGradBlocks(cStep: number, obBytes: number, block: number[]): number[] {
  return [
    ...i32(0), ...set(16),
    ...loopWhileBelow(16, 3, [
      ...i32(0), ...set(17),
      ...loopWhileBelow(17, 10, [
        ...i32(0), ...set(18),
        ...loopWhileBelow(18, 11, [...i32(0), ...set(19), ...loopWhileBelow(19, 28, block, addTo(19, i32(obBytes)))], addTo(18, i32(1))),
      ], addTo(17, i32(1))),
    ], addTo(16, i32(cStep))),
  ];
}

/**
 * convFilterGrad(xt, dy, dw, ci, h, w, n, ho, wo, co, kh, kw, sh, sw, top, left): a convolution's filter gradient
 *   dw[a, b, c, o] = sum over i < ho, j < wo, m < n (in that order) of xt[i*sh + a - top, j*sw + b - left, c, m] * dy[m, i, j, o]
 * with xt the input transposed to [h, w, ci, n] (one 2-D transpose of [n, h*w*ci]) and taps outside the image left out. These are the float32 sums that
 * conv-backprop.ts's forward-convolution dW has XNNPACK compute (each output one running sum started at +0, over the
 * taps (i, j) in order and the n channels within each tap, a += x * dy), so the bits are the same; a left-out tap only
 * added a product of zero, which cannot change a sum that starts at +0. Without XNNPACK's operator, whose weights here
 * would be dy, fresh every step and packed anew at every call (0.2-0.56 ms per small-cnn layer). Exported twice:
 * convFilterGrad32 keeps 32 output channels in eight accumulators per pass (co a multiple of 32), convFilterGrad16
 * 16 in four (co a multiple of 16).
 */
function convFilterGradBody(lanes: 4 | 8): number[] {
  // params and locals 16 .. 28 as above filterGradTaps; 29 .. 29 + lanes - 1 accumulators, then va (v128)
  const va = 29 + lanes;
  const accs = Array.from({ length: lanes }, (_, k) => k);
  const accumulate = (k: number) => [...get(29 + k), ...get(va), ...get(25), ...(k ? [...i32(16 * k), ...I32_ADD] : []), ...v128Load, ...F32X4_MUL, ...F32X4_ADD, ...set(29 + k)];
  const channels = loopWhileBelow(26, 6, [
    ...get(24), ...f32Load, ...F32X4_SPLAT, ...set(va),
    ...accs.flatMap(accumulate),
    ...addTo(24, i32(4)), ...addTo(25, get(27)),
  ], addTo(26, i32(1)));
  const store = (k: number) => [
    ...get(2), ...mulI32(addI32(mulI32(addI32(mulI32(get(17), get(11)), get(18)), get(3)), get(16)), get(28)), ...I32_ADD, ...get(19), ...I32_ADD, // dw + ((a*kw + b)*ci + c)*coBytes + ob
    ...(k ? [...i32(16 * k), ...I32_ADD] : []), ...get(29 + k), ...v128Store,
  ];
  const block = [...accs.flatMap((k) => [...v128Zero, ...set(29 + k)]), ...filterGradTaps(channels), ...accs.flatMap(store)];
  const code = [
    ...get(9), ...i32(2), ...I32_SHL, ...set(28),
    ...mulI32(mulI32(get(7), get(8)), get(28)), ...set(27),
    ...filterGradBlocks(1, 16 * lanes, block),
  ];
  return body([...new Array(13).fill(I32), ...new Array(lanes + 1).fill(V128)], code);
}

/**
 * convFilterGrad4x8(xt, dy, dw, ci, h, w, n, ho, wo, co, kh, kw, sh, sw, top, left): the same sums as
 * {@link convFilterGradBody}, each output's in the same order, for ci a multiple of 4 and co a multiple of 8, computed
 * for four input channels by eight output channels at a time (XNNPACK's 4x8 register tile): every dy vector loaded is
 * used by four inputs instead of one. The one-channel loop loads eight dy vectors from eight rows of dy, ho * wo * co
 * floats apart, per x value; that, not the arithmetic, was its bound (~9-11 GMAC/s on small-cnn's second and third
 * layers, against ~21 for XNNPACK's forward convolutions on the same core).
 */
function convFilterGradTiledBody(): number[] {
  // params and locals 16 .. 28 as above filterGradTaps (16 c: the first of four), 29 plane (bytes between xt's
  // channels c: n * 4), 30 2 * plane, 31 3 * plane (i32);
  // 32 .. 39 accumulators (input channel r, output half q at 32 + 2r + q), 40 dy0, 41 dy1, 42 splat (v128)
  const acc = (r: number, q: number) => 32 + 2 * r + q;
  const v128LoadAt16 = [0xfd, 0x00, 0x04, 0x10]; // v128.load offset 16
  const v128StoreAt16 = [0xfd, 0x0b, 0x04, 0x10];
  const v128Load32Splat = [0xfd, 0x09, 0x02, 0x00];
  const xOf = (r: number) => (r === 0 ? get(24) : addI32(get(24), get(28 + r)));
  const row = (r: number) => [
    ...xOf(r), ...v128Load32Splat, ...set(42),
    ...get(acc(r, 0)), ...get(42), ...get(40), ...F32X4_MUL, ...F32X4_ADD, ...set(acc(r, 0)),
    ...get(acc(r, 1)), ...get(42), ...get(41), ...F32X4_MUL, ...F32X4_ADD, ...set(acc(r, 1)),
  ];
  const channels = loopWhileBelow(26, 6, [
    ...get(25), ...v128Load, ...set(40),
    ...get(25), ...v128LoadAt16, ...set(41),
    ...[0, 1, 2, 3].flatMap(row),
    ...addTo(24, i32(4)), ...addTo(25, get(27)),
  ], addTo(26, i32(1)));
  const store = (r: number) => [
    // dw + ((a*kw + b)*ci + c + r)*coBytes + ob, then the two halves
    ...get(2), ...mulI32(addI32(addI32(mulI32(addI32(mulI32(get(17), get(11)), get(18)), get(3)), get(16)), i32(r)), get(28)), ...I32_ADD, ...get(19), ...I32_ADD,
    ...set(24), ...get(24), ...get(acc(r, 0)), ...v128Store, ...get(24), ...get(acc(r, 1)), ...v128StoreAt16,
  ];
  const block = [...range(32, 8).flatMap((k) => [...v128Zero, ...set(k)]), ...filterGradTaps(channels), ...[0, 1, 2, 3].flatMap(store)];
  const code = [
    ...get(9), ...i32(2), ...I32_SHL, ...set(28),
    ...mulI32(mulI32(get(7), get(8)), get(28)), ...set(27),
    ...get(6), ...i32(2), ...I32_SHL, ...set(29),
    ...get(29), ...i32(1), ...I32_SHL, ...set(30),
    ...get(29), ...get(30), ...I32_ADD, ...set(31),
    ...filterGradBlocks(4, 32, block),
  ];
  return body([...new Array(16).fill(I32), ...new Array(11).fill(V128)], code);
}

/**
 * convForward(x, f, bias, y, zero, n, h, w, ci, ho, wo, co, kh, kw, sh, sw, top, left, relu): a convolution,
 *   y[p, o] = bias[o] (+0 when bias is 0) + sum over taps (a, b) in order, channels c in order of x[p's tap, c] * f[a, b, c, o]
 * then max(y, 0) when relu, with x [n, h, w, ci] and y [n, ho, wo, co] (pixels p in that order). A tap outside the
 * image reads the ci zeros at `zero`, so its products enter the sum as in XNNPACK's indirect GEMM, whose sums these
 * are, in its order (each output one running float32 sum a += x * f, no fused multiply-add), hence the same bits.
 * Four output pixels by eight output channels per register tile (n * ho * wo a multiple of 4, co of 8), reading the
 * filter where tfjs keeps it: no packing of the weights, which change at every training step.
 */
function convForwardBody(): number[] {
  // params 0 x, 1 f, 2 bias, 3 y, 4 zero (ci zeros, then room for 4 * kh * kw i32: the tile's pixels' x at each tap),
  // 5 n, 6 h, 7 w, 8 ci, 9 ho, 10 wo, 11 co, 12 kh, 13 kw, 14 sh, 15 sw, 16 top, 17 left, 18 relu;
  // locals 19 q (first pixel of the tile), 20 total pixels, 21 ob (output channel block, bytes), 22 coBytes, 23 a,
  // 24 b, 25 c (bytes), 26 ciBytes, 27 .. 30 p0..p3 (the tile's pixels' x at the current tap and channel), 31 fp,
  // 32 ox, 33 image, 34 oy (the next pixel's position), 35 .. 38 image base of pixel r, 39 .. 42 its top row (oy*sh - top), 43 .. 46 its left
  // column (ox*sw - left), 47 yy, 48 xx, 49 table entry (i32); 50 .. 57 accumulators (pixel r, half q at 50 + 2r + q),
  // 58 w0, 59 w1, 60 splat, 61 +0 (v128)
  const acc = (r: number, q: number) => 50 + 2 * r + q;
  const v128LoadAt16 = [0xfd, 0x00, 0x04, 0x10];
  const v128StoreAt16 = [0xfd, 0x0b, 0x04, 0x10];
  const v128Load32Splat = [0xfd, 0x09, 0x02, 0x00];
  const i32Load = (offset: number) => [0x28, 0x02, ...unsignedLeb(offset)];
  const i32Store = (offset: number) => [0x36, 0x02, ...unsignedLeb(offset)];
  // Pixel q + r's image base and top-left input corner; then the running position (33 image, 34 oy, 32 ox) moves on one
  // pixel (counters, not divisions: with one input channel the tile's set-up is a large part of its work).
  const pixelOrigin = (r: number) => [
    ...get(0), ...mulI32(mulI32(mulI32(get(33), get(6)), get(7)), get(26)), ...I32_ADD, ...set(35 + r),
    ...mulI32(get(34), get(14)), ...get(16), ...I32_SUB, ...set(39 + r),
    ...mulI32(get(32), get(15)), ...get(17), ...I32_SUB, ...set(43 + r),
    ...addTo(32, i32(1)),
    ...get(32), ...get(10), ...I32_GE_U, ...IF,
    ...i32(0), ...set(32), ...addTo(34, i32(1)),
    ...get(34), ...get(9), ...I32_GE_U, ...IF, ...i32(0), ...set(34), ...addTo(33, i32(1)), ...END,
    ...END,
  ];
  // The tile's four pixels' x at tap (a, b) into the table (entry 49 advances by 16 bytes per tap).
  const tablePointer = (r: number) => [
    ...get(39 + r), ...get(23), ...I32_ADD, ...set(47),
    ...get(43 + r), ...get(24), ...I32_ADD, ...set(48),
    ...get(49),
    ...get(35 + r), ...mulI32(addI32(mulI32(get(47), get(7)), get(48)), get(26)), ...I32_ADD, // inside: base + (yy*w + xx)*ciBytes
    ...get(4), // outside: the zeros
    ...get(47), ...get(6), ...I32_LT_U, ...get(48), ...get(7), ...I32_LT_U, ...I32_AND,
    ...SELECT, ...i32Store(4 * r),
  ];
  const table = [
    ...get(4), ...get(26), ...I32_ADD, ...set(49),
    ...i32(0), ...set(23),
    ...loopWhileBelow(23, 12, [
      ...i32(0), ...set(24),
      ...loopWhileBelow(24, 13, [...[0, 1, 2, 3].flatMap(tablePointer), ...addTo(49, i32(16))], addTo(24, i32(1))),
    ], addTo(23, i32(1))),
  ];
  const row = (r: number) => [
    ...get(27 + r), ...v128Load32Splat, ...set(60),
    ...get(acc(r, 0)), ...get(60), ...get(58), ...F32X4_MUL, ...F32X4_ADD, ...set(acc(r, 0)),
    ...get(acc(r, 1)), ...get(60), ...get(59), ...F32X4_MUL, ...F32X4_ADD, ...set(acc(r, 1)),
  ];
  // One tap: its four x pointers from the table, then the ci channels (the filter rows follow on from the last tap's).
  const tap = [
    ...[0, 1, 2, 3].flatMap((r) => [...get(49), ...i32Load(4 * r), ...set(27 + r)]),
    ...i32(0), ...set(25),
    ...loopWhileBelow(25, 26, [
      ...get(31), ...v128Load, ...set(58),
      ...get(31), ...v128LoadAt16, ...set(59),
      ...[0, 1, 2, 3].flatMap(row),
      // running pointers, not pointer + c: with the sum in the address V8's code ran ~3x slower
      ...addTo(31, get(22)), ...[27, 28, 29, 30].flatMap((p) => addTo(p, i32(4))),
    ], addTo(25, i32(4))),
    ...addTo(49, i32(16)),
  ];
  const init = (q: number) => [
    ...get(2), ...IF_V128, ...get(2), ...get(21), ...I32_ADD, ...(q ? v128LoadAt16 : v128Load), ...ELSE, ...get(61), ...END,
  ];
  const clampAndStore = (r: number) => [
    ...get(18), ...IF, ...[0, 1].flatMap((q) => [...get(acc(r, q)), ...get(61), ...F32X4_MAX, ...set(acc(r, q))]), ...END,
    ...get(3), ...mulI32(addI32(get(19), i32(r)), get(22)), ...I32_ADD, ...get(21), ...I32_ADD, ...set(47), // 47: free here
    ...get(47), ...get(acc(r, 0)), ...v128Store, ...get(47), ...get(acc(r, 1)), ...v128StoreAt16,
  ];
  const taps = mulI32(get(12), get(13));
  const block = [
    ...init(0), ...set(58), ...init(1), ...set(59),
    ...[0, 1, 2, 3].flatMap((r) => [...get(58), ...set(acc(r, 0)), ...get(59), ...set(acc(r, 1))]),
    ...get(1), ...get(21), ...I32_ADD, ...set(31),
    ...get(4), ...get(26), ...I32_ADD, ...set(49),
    ...i32(0), ...set(23),
    ...loopWhileBelow(23, 24, tap, addTo(23, i32(1))),
    ...[0, 1, 2, 3].flatMap(clampAndStore),
  ];
  const code = [
    ...v128Zero, ...set(61),
    ...get(11), ...i32(2), ...I32_SHL, ...set(22),
    ...get(8), ...i32(2), ...I32_SHL, ...set(26),
    ...mulI32(mulI32(get(5), get(9)), get(10)), ...set(20),
    ...i32(0), ...set(32), ...i32(0), ...set(33), ...i32(0), ...set(34),
    ...i32(0), ...set(19),
    ...loopWhileBelow(19, 20, [
      ...[0, 1, 2, 3].flatMap(pixelOrigin),
      ...table,
      ...taps, ...set(24), // 24 (b) holds the tap count while the block loop counts taps in 23
      ...i32(0), ...set(21),
      ...loopWhileBelow(21, 22, block, addTo(21, i32(32))),
    ], addTo(19, i32(4))),
  ];
  return body([...new Array(31).fill(I32), ...new Array(12).fill(V128)], code);
}

/** The module's bytes: imports env.memory, exports the functions of `exportsInOrder` (bodies in the same order). */
export function heapKernelModuleBytes(): Uint8Array {
  const sgdType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32], [F32], [F32], [F32]]), 0x00];
  const sumsqType = [0x60, ...vector([[I32], [I32]]), 1, F64];
  const transposeType = [0x60, ...vector([[I32], [I32], [I32], [I32]]), 0x00];
  const colsumType = [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00];
  const i32Params = (n: number) => [0x60, ...vector(new Array(n).fill([I32])), 0x00];
  const exportsInOrder = ['sgdDecay', 'sgdPlain', 'sumsq', 'transpose', 'colsum', 'bnCentre', 'bnNormalize', 'bnGradSums', 'bnGradInput', 'col2im', 'convFilterGrad16', 'convFilterGrad32', 'convFilterGrad4x8', 'convForward'];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 sgd, 1 sumsq, 2 transpose, 3 colsum (6 x i32), 4 seven i32, 5 nine i32, 6 fourteen i32, 7 sixteen i32, 8 nineteen i32
    ...section(1, vector([sgdType, sumsqType, transposeType, colsumType, i32Params(7), i32Params(9), i32Params(14), i32Params(16), i32Params(19)])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]])), // memory, min 0 pages, no max
    ...section(3, vector([[0], [0], [1], [2], [3], [3], [4], [4], [5], [6], [7], [7], [7], [8]])),
    ...section(7, vector(exportsInOrder.map((e, i) => [...name(e), 0x00, i]))),
    ...section(10, vector([sgdBody(true), sgdBody(false), sumsqBody(), transposeBody(), colsumBody(), bnCentreBody(), bnNormalizeBody(), bnGradSumsBody(), bnGradInputBody(), col2imBody(), convFilterGradBody(4), convFilterGradBody(8), convFilterGradTiledBody(), convForwardBody()])),
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

/** Names of the training batch norm's heap kernels (registered for the wasm backend by installHeapKernels). */
export const BATCH_NORM_KERNELS = {
  centre: 'AlsgBatchNormCentre',
  normalize: 'AlsgBatchNormNormalize',
  gradSums: 'AlsgBatchNormGradSums',
  gradInput: 'AlsgBatchNormGradInput',
} as const;

/**
 * Registers {@link SGD_MOMENTUM_KERNEL} and the {@link BATCH_NORM_KERNELS} for the wasm backend when its heap can be
 * shared.
 * @returns a function that unregisters them (nothing to undo when they were not registered).
 */
export function installHeapKernels(): () => void {
  const backend = tf.findBackend('wasm') as WasmBackendLike | null;
  if (!backend || !heapExports(backend) || tf.getKernel(SGD_MOMENTUM_KERNEL, 'wasm')) return () => undefined;
  registerBatchNormKernels();
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
  return () => {
    tf.unregisterKernel(SGD_MOMENTUM_KERNEL, 'wasm');
    for (const kernelName of Object.values(BATCH_NORM_KERNELS)) tf.unregisterKernel(kernelName, 'wasm');
  };
}

/**
 * The batch-norm kernels' common checks: float32 operands, the full-size ones of one size, per-channel ones of
 * `cols` (the last axis of the first operand, a multiple of 4) values. Returns rows and cols.
 */
function channelsPlan(kernelName: string, full: tf.TensorInfo[], perChannel: tf.TensorInfo[]): { rows: number; cols: number } {
  const cols = full[0].shape[full[0].shape.length - 1];
  const size = full[0].shape.reduce((a, d) => a * d, 1);
  const describe = () => [...full, ...perChannel].map((t) => `${t.dtype}[${t.shape}]`).join(', ');
  if (!(cols > 0 && cols % 4 === 0) || [...full, ...perChannel].some((t) => t.dtype !== 'float32')) {
    throw new Error(`${kernelName}: float32 operands with a channel count that is a multiple of 4 expected, but got ${describe()}`);
  }
  if (full.some((t) => t.shape.reduce((a, d) => a * d, 1) !== size) || perChannel.some((t) => t.shape.reduce((a, d) => a * d, 1) !== cols)) {
    throw new Error(`${kernelName}: operands of ${size} and per-channel operands of ${cols} values expected, but got ${describe()}`);
  }
  return { rows: size / cols, cols };
}

function registerBatchNormKernels(): void {
  const kernel = (kernelName: string, run: (k: HeapExports, wb: WasmBackendLike, inputs: Record<string, tf.TensorInfo>) => tf.TensorInfo | tf.TensorInfo[]) =>
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b }) => {
        const wb = b as unknown as WasmBackendLike;
        return run(heapExports(wb) as HeapExports, wb, inputs as Record<string, tf.TensorInfo>);
      },
    });
  const at = offsetOf;
  kernel(BATCH_NORM_KERNELS.centre, (k, wb, { x, mean }) => {
    const { rows, cols } = channelsPlan(BATCH_NORM_KERNELS.centre, [x], [mean]);
    const centred = wb.makeOutput([...x.shape], 'float32');
    const variance = wb.makeOutput([...mean.shape], 'float32');
    k.bnCentre(at(wb, x), at(wb, mean), at(wb, centred), at(wb, variance), rows, cols);
    return [centred, variance];
  });
  kernel(BATCH_NORM_KERNELS.normalize, (k, wb, { centred, beta, gamma, nf }) => {
    const { rows, cols } = channelsPlan(BATCH_NORM_KERNELS.normalize, [centred], [beta, gamma, nf]);
    const out = wb.makeOutput([...centred.shape], 'float32');
    k.bnNormalize(at(wb, centred), at(wb, beta), at(wb, gamma), at(wb, nf), at(wb, out), rows, cols);
    return out;
  });
  kernel(BATCH_NORM_KERNELS.gradSums, (k, wb, { g, centred, r }) => {
    const { rows, cols } = channelsPlan(BATCH_NORM_KERNELS.gradSums, [g, centred], [r]);
    const dBeta = wb.makeOutput([...r.shape], 'float32');
    const dGamma = wb.makeOutput([...r.shape], 'float32');
    k.bnGradSums(at(wb, g), at(wb, centred), at(wb, r), at(wb, dBeta), at(wb, dGamma), rows, cols);
    return [dBeta, dGamma];
  });
  kernel(BATCH_NORM_KERNELS.gradInput, (k, wb, { g, centred, r, meanDBeta, meanDGamma, s }) => {
    const { rows, cols } = channelsPlan(BATCH_NORM_KERNELS.gradInput, [g, centred], [r, meanDBeta, meanDGamma, s]);
    const dx = wb.makeOutput([...g.shape], 'float32');
    k.bnGradInput(at(wb, g), at(wb, centred), at(wb, r), at(wb, meanDBeta), at(wb, meanDGamma), at(wb, s), at(wb, dx), rows, cols);
    return dx;
  });
}

/**
 * True when the training batch norm of `x` (channels last) can run through the heap kernels: the current backend has
 * them, x is float32 and its channel count a multiple of 4.
 */
export function hasHeapBatchNorm(x: tf.Tensor): boolean {
  const cols = x.shape[x.rank - 1];
  return x.dtype === 'float32' && cols % 4 === 0 && tf.getKernel(BATCH_NORM_KERNELS.centre, tf.getBackend()) !== undefined;
}

/** The heap batch-norm passes as tensor functions (see bnCentreBody's comment); call only when {@link hasHeapBatchNorm}. */
export const heapBatchNorm = {
  /** [x - mean, mean((x - mean)^2) over all but the channel axis]. */
  centre: (x: tf.Tensor, mean: tf.Tensor) => tf.engine().runKernel(BATCH_NORM_KERNELS.centre, { x, mean }, {}) as unknown as [tf.Tensor, tf.Tensor],
  /** beta + (centred * gamma) / nf, nf = sqrt(variance + eps). */
  normalize: (centred: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor, nf: tf.Tensor) =>
    tf.engine().runKernel(BATCH_NORM_KERNELS.normalize, { centred, beta, gamma, nf }, {}) as tf.Tensor,
  /** [sum(g), sum(g * (centred * r))] over all but the channel axis. */
  gradSums: (g: tf.Tensor, centred: tf.Tensor, r: tf.Tensor) => tf.engine().runKernel(BATCH_NORM_KERNELS.gradSums, { g, centred, r }, {}) as unknown as [tf.Tensor, tf.Tensor],
  /** ((g - meanDBeta) - (centred * r) * meanDGamma) * s. */
  gradInput: (g: tf.Tensor, centred: tf.Tensor, r: tf.Tensor, meanDBeta: tf.Tensor, meanDGamma: tf.Tensor, s: tf.Tensor) =>
    tf.engine().runKernel(BATCH_NORM_KERNELS.gradInput, { g, centred, r, meanDBeta, meanDGamma, s }, {}) as tf.Tensor,
};

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

/** Shape arguments of {@link heapCol2im}: dx [n, h, w, ci] from cols [n, ho, wo, kh, kw, ci], strides, top/left padding. */
export interface Col2imDims {
  n: number; h: number; w: number; ci: number; ho: number; wo: number; kh: number; kw: number; sh: number; sw: number; top: number; left: number;
}

/**
 * dX of a strided convolution from its per-tap columns, by the heap module ({@link col2imBody}): a new float32 tensor
 * [n, h, w, ci]; undefined when the backend has no heap module or ci is not a multiple of 4 (callers then run the JS
 * loop). For use inside kernels (raw TensorInfo in and out).
 */
export function heapCol2im(backend: tf.KernelBackend, cols: tf.TensorInfo, d: Col2imDims): tf.TensorInfo | undefined {
  const wb = backend as unknown as WasmBackendLike;
  const k = cols.dtype === 'float32' && d.ci % 4 === 0 && hasHeapKernels(backend) ? heapExports(wb) : null;
  if (!k) return undefined;
  const dx = wb.makeOutput([d.n, d.h, d.w, d.ci], 'float32');
  k.col2im(offsetOf(wb, cols), offsetOf(wb, dx), d.n, d.h, d.w, d.ci, d.ho, d.wo, d.kh, d.kw, d.sh, d.sw, d.top, d.left);
  return dx;
}

/** Shape arguments of {@link heapConvFilterGrad}: x [n, h, w, ci], dy [n, ho, wo, co], a kh x kw kernel, strides, top/left padding. */
export interface FilterGradDims {
  n: number; h: number; w: number; ci: number; ho: number; wo: number; co: number; kh: number; kw: number; sh: number; sw: number; top: number; left: number;
}

/**
 * True when {@link heapConvFilterGrad} runs for these operands: float32, a backend with the heap module, and co a multiple
 * of 16 or (ci a multiple of 4 and co a multiple of 8).
 */
function heapConvFilterGradApplies(backend: tf.KernelBackend, x: tf.TensorInfo, dy: tf.TensorInfo, ci: number, co: number): boolean {
  const tiles = co % 16 === 0 || (ci % 4 === 0 && co % 8 === 0);
  return x.dtype === 'float32' && dy.dtype === 'float32' && tiles && hasHeapKernels(backend);
}

/**
 * A convolution's filter gradient [kh, kw, ci, co] from its input x [n, h, w, ci] and dy [n, ho, wo, co], by the heap
 * module: x transposed to [h, w, ci, n] on the heap (a 2-D transpose, several times faster than the generic Transpose
 * kernel that a [ci, h, w, n] layout needed: 0.28 ms of small-cnn's second layer), then {@link convFilterGradTiledBody}
 * when ci is a multiple of 4 and co of 8, else {@link convFilterGradBody}. Undefined when
 * {@link heapConvFilterGradApplies} is false (callers then run the forward-convolution route). For use inside kernels
 * (raw TensorInfo in and out).
 */
export function heapConvFilterGrad(backend: tf.KernelBackend, x: tf.TensorInfo, dy: tf.TensorInfo, d: FilterGradDims): tf.TensorInfo | undefined {
  const wb = backend as unknown as WasmBackendLike;
  const k = heapConvFilterGradApplies(backend, x, dy, d.ci, d.co) ? heapExports(wb) : null;
  if (!k) return undefined;
  const xt = wb.makeOutput([d.h * d.w * d.ci, d.n], 'float32');
  k.transpose(offsetOf(wb, x), offsetOf(wb, xt), d.n, d.h * d.w * d.ci);
  const dw = wb.makeOutput([d.kh, d.kw, d.ci, d.co], 'float32');
  const loop = d.ci % 4 === 0 && d.co % 8 === 0 ? k.convFilterGrad4x8 : d.co % 32 === 0 ? k.convFilterGrad32 : k.convFilterGrad16;
  loop(offsetOf(wb, xt), offsetOf(wb, dy), offsetOf(wb, dw), d.ci, d.h, d.w, d.n, d.ho, d.wo, d.co, d.kh, d.kw, d.sh, d.sw, d.top, d.left);
  wb.disposeData(xt.dataId);
  return dw;
}

/** Shape arguments of {@link heapConv2d}: x [n, h, w, ci], a [kh, kw, ci, co] filter, y [n, ho, wo, co], strides, top/left padding. */
export type ConvForwardDims = FilterGradDims;

/** True when {@link heapConv2d} runs for these operands: float32, n * ho * wo a multiple of 4, co of 8, a backend with the heap module. */
export function heapConv2dApplies(backend: tf.KernelBackend, x: tf.TensorInfo, filter: tf.TensorInfo, d: ConvForwardDims): boolean {
  return x.dtype === 'float32' && filter.dtype === 'float32' && (d.n * d.ho * d.wo) % 4 === 0 && d.co % 8 === 0 && hasHeapKernels(backend);
}

/**
 * A convolution y [n, ho, wo, co] of x [n, h, w, ci] with filter [kh, kw, ci, co], plus `bias` [co] and max(y, 0) when
 * `relu`, by the heap module ({@link convForwardBody}); undefined when {@link heapConv2dApplies} is false. For use inside
 * kernels (raw TensorInfo in and out).
 */
export function heapConv2d(backend: tf.KernelBackend, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | null, relu: boolean, d: ConvForwardDims): tf.TensorInfo | undefined {
  const wb = backend as unknown as WasmBackendLike;
  const k = heapConv2dApplies(backend, x, filter, d) ? heapExports(wb) : null;
  if (!k) return undefined;
  // ci zeros (the taps outside the image) and the kernel's table of 4 x pointers per tap
  const heap = heapFloat32(backend)!;
  const zero = heap.output([d.ci + 4 * d.kh * d.kw]);
  heap.view().fill(0, heap.index(zero), heap.index(zero) + d.ci);
  const y = wb.makeOutput([d.n, d.ho, d.wo, d.co], 'float32');
  k.convForward(offsetOf(wb, x), offsetOf(wb, filter), bias ? offsetOf(wb, bias) : 0, offsetOf(wb, y), offsetOf(wb, zero), d.n, d.h, d.w, d.ci, d.ho, d.wo, d.co, d.kh, d.kw, d.sh, d.sw, d.top, d.left, relu ? 1 : 0);
  wb.disposeData(zero.dataId);
  return y;
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
