/**
 * NumPy `.npy` (format version 1.0) reading and writing, so every numeric artifact opens with `numpy.load` as it is.
 *
 * Only the little-endian, C-order dtypes this project stores are supported: float32, float64, int32, uint8.
 * Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import { AlsgError } from '@ldl-alsg/common';

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'uint8';
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NpyArray<T extends NpyData = NpyData> {
  /** Row-major (C-order) values. */
  data: T;
  /** Shape, e.g. [n, 17]. */
  shape: number[];
  dtype: NpyDtype;
}

const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };
const BYTES: Record<NpyDtype, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

/** Builds the 64-byte-aligned header for `shape` and `dtype`. */
export function encodeNpyHeader(dtype: NpyDtype, shape: number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const header = Buffer.alloc(MAGIC.length + 4 + dict.length);
  MAGIC.copy(header, 0);
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  header.write(dict, 10, 'latin1');
  return header;
}

function checkShape(file: string, length: number, shape: number[]): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== length) {
    throw new AlsgError('E_ARTIFACT', `${file}: npy shape [${shape.join(', ')}] needs ${expected} values, but got ${length}`, { file });
  }
}

/**
 * Writes `data` with `shape` to `file` (whole file at once; see {@link NpyRowWriter} for streaming). Atomic: a reader
 * (another process sharing a cache, or a later run after a kill) sees the old file or the complete new one.
 */
export function writeNpy(file: string, data: NpyData, shape: number[]): void {
  checkShape(file, data.length, shape);
  const header = encodeNpyHeader(dtypeOf(data), shape);
  writeFileAtomic(file, Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Reads a `.npy` file; errors name the file and what was expected. */
export function readNpy(file: string): NpyArray {
  const buf = readFileSync(file);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new AlsgError('E_ARTIFACT', `${file}: not a .npy file (missing the \\x93NUMPY magic)`, { file });
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((d) => DESCR[d] === descr || (d === 'uint8' && descr === '<u1'));
  if (!dtype) throw new AlsgError('E_ARTIFACT', `${file}: npy dtype must be one of <f4, <f8, <i4, |u1, but got ${descr}`, { file });
  if (fortran !== 'False') throw new AlsgError('E_ARTIFACT', `${file}: npy must be C-order (fortran_order False)`, { file });
  const shape = (shapeText ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const offset = start + headerLen;
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = count * BYTES[dtype];
  if (buf.length - offset < bytes) {
    throw new AlsgError('E_ARTIFACT', `${file}: truncated npy: shape [${shape.join(', ')}] needs ${bytes} bytes of data, but the file has ${buf.length - offset}`, { file });
  }
  // Copy into a fresh, aligned buffer: Buffer slices may be unaligned for 4/8-byte views.
  const raw = new Uint8Array(bytes);
  raw.set(buf.subarray(offset, offset + bytes));
  const data =
    dtype === 'float32' ? new Float32Array(raw.buffer) : dtype === 'float64' ? new Float64Array(raw.buffer) : dtype === 'int32' ? new Int32Array(raw.buffer) : raw;
  return { data, shape, dtype };
}

/**
 * Streams rows into a `.npy` whose row count is known up front, so generating 300k images never holds all rows in memory.
 * `close()` checks that exactly `rows` rows were written.
 */
export class NpyRowWriter {
  private readonly fd: number;
  private written = 0;
  private readonly rowLength: number;

  constructor(
    private readonly file: string,
    private readonly dtype: NpyDtype,
    private readonly shape: number[],
  ) {
    this.rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
    this.fd = openSync(file, 'w');
    writeSync(this.fd, encodeNpyHeader(dtype, shape));
  }

  /** Appends one or more whole rows (length must be a multiple of the row length). */
  write(rows: NpyData): void {
    if (dtypeOf(rows) !== this.dtype || rows.length % this.rowLength !== 0) {
      throw new AlsgError('E_ARTIFACT', `${this.file}: rows must be ${this.dtype} with a multiple of ${this.rowLength} values, but got ${dtypeOf(rows)} x ${rows.length}`);
    }
    writeSync(this.fd, new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    this.written += rows.length / this.rowLength;
  }

  close(): void {
    closeSync(this.fd);
    if (this.written !== this.shape[0]) {
      throw new AlsgError('E_ARTIFACT', `${this.file}: declared ${this.shape[0]} rows but wrote ${this.written}`);
    }
  }
}
