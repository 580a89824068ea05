import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NpyRowWriter, readNpy, writeNpy } from './npy';

describe('npy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npy-'));

  it('round-trips float32 and int32 with shape', () => {
    const f = join(dir, 'a.npy');
    writeNpy(f, new Float32Array([1, 2.5, -3, 4, 5, 6]), [2, 3]);
    const a = readNpy(f);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.data)).toEqual([1, 2.5, -3, 4, 5, 6]);
    writeNpy(f, new Int32Array([7, -1]), [2]);
    expect(readNpy(f)).toMatchObject({ shape: [2], dtype: 'int32' });
    // header is 64-byte aligned, as numpy writes it
    expect((readFileSync(f).length - 8) % 64).toBe(0);
  });

  it('streams rows and checks the declared count', () => {
    const f = join(dir, 'b.npy');
    const w = new NpyRowWriter(f, 'float32', [3, 2]);
    w.write(new Float32Array([1, 2]));
    w.write(new Float32Array([3, 4, 5, 6]));
    w.close();
    expect(Array.from(readNpy(f).data)).toEqual([1, 2, 3, 4, 5, 6]);
    const short = new NpyRowWriter(join(dir, 'c.npy'), 'float32', [2, 2]);
    short.write(new Float32Array([1, 2]));
    expect(() => short.close()).toThrow(/declared 2 rows but wrote 1/);
  });

  it('rejects truncated files naming the file', () => {
    const f = join(dir, 'd.npy');
    writeNpy(f, new Float32Array(10), [10]);
    writeFileSync(f, readFileSync(f).subarray(0, 80));
    expect(() => readNpy(f)).toThrow(/d\.npy: truncated npy/);
  });

  it('is readable by numpy when python3 has numpy', () => {
    const f = join(dir, 'e.npy');
    writeNpy(f, new Float32Array([0.5, 1.5, 2.5, 3.5]), [2, 2]);
    let out = '';
    try {
      out = execFileSync('/usr/bin/python3', ['-c', `import numpy as np; a=np.load(${JSON.stringify(f)}); print(a.shape, a.dtype, a.sum())`]).toString();
    } catch {
      return; // numpy is an optional cross-check
    }
    expect(out.trim()).toBe('(2, 2) float32 8.0');
  });
});
