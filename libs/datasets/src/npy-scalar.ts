/**
 * Reads the single value of a small `.npy` file of any common dtype, as text. AffectNet's newer release stores each
 * label as its own file (`<id>_exp.npy`), written by numpy as a 0-d unicode string array (`<U1`, e.g. '3'); other copies
 * carry integers or floats. @ldl-alsg/artifacts' readNpy only handles the numeric dtypes this project writes.
 */
import { readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';

/** Returns the first element of the array in `file` as a string (trimmed of NULs). */
export function readNpyScalar(file: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (cause) {
    throw new AlsgError('E_INPUT', `${file}: cannot read file`, { file, cause });
  }
  if (buf.length < 10 || buf[0] !== 0x93 || buf.subarray(1, 6).toString('latin1') !== 'NUMPY') {
    throw new AlsgError('E_INPUT', `${file}: not a .npy file (missing the \\x93NUMPY magic)`, { file });
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const dict = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1] ?? '';
  const data = buf.subarray(start + headerLen);
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new AlsgError('E_INPUT', `${file}: unsupported npy dtype "${descr}"`, { file });
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  const little = order !== '>';
  const need = kind === 'U' ? size * 4 : size;
  if (data.length < need) throw new AlsgError('E_INPUT', `${file}: truncated npy (dtype ${descr} needs ${need} bytes, file has ${data.length})`, { file });
  switch (kind) {
    case 'U': {
      let text = '';
      for (let k = 0; k < size; k++) {
        const cp = little ? data.readUInt32LE(4 * k) : data.readUInt32BE(4 * k);
        if (cp === 0) break;
        text += String.fromCodePoint(cp);
      }
      return text;
    }
    case 'S':
      return data.subarray(0, size).toString('latin1').replace(/\0+$/, '');
    case 'i':
    case 'u': {
      if (size === 1) return String(kind === 'i' ? data.readInt8(0) : data.readUInt8(0));
      if (size === 2) return String(kind === 'i' ? (little ? data.readInt16LE(0) : data.readInt16BE(0)) : little ? data.readUInt16LE(0) : data.readUInt16BE(0));
      if (size === 4) return String(kind === 'i' ? (little ? data.readInt32LE(0) : data.readInt32BE(0)) : little ? data.readUInt32LE(0) : data.readUInt32BE(0));
      if (size === 8) return String(kind === 'i' ? (little ? data.readBigInt64LE(0) : data.readBigInt64BE(0)) : little ? data.readBigUInt64LE(0) : data.readBigUInt64BE(0));
      break;
    }
    case 'f':
      if (size === 4) return String(little ? data.readFloatLE(0) : data.readFloatBE(0));
      if (size === 8) return String(little ? data.readDoubleLE(0) : data.readDoubleBE(0));
      break;
  }
  throw new AlsgError('E_INPUT', `${file}: unsupported npy dtype "${descr}"`, { file });
}
