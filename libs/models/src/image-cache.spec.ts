import sharp from 'sharp';
import { existsSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { loadImageTensorCache, makeImageBatch } from './image-cache';

describe('image tensor cache', () => {
  let dir: string;
  let paths: string[];
  beforeAll(async () => {
    await initBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'models-img-'));
    paths = [];
    // Image i: uniform grey level 40*i+10 (RGB PNG, and one JPEG), at a size different from the target.
    for (let i = 0; i < 3; i++) {
      const v = 40 * i + 10;
      const p = join(dir, `im${i}.${i === 2 ? 'jpg' : 'png'}`);
      const img = sharp({ create: { width: 20, height: 12, channels: 3, background: { r: v, g: v, b: v } } });
      await (i === 2 ? img.jpeg({ quality: 100 }) : img.png()).toFile(p);
      paths.push(p);
    }
  });

  it('decodes to uint8 [n,H,W,1] grayscale, resized, rows in path order, and reuses the .npy cache', async () => {
    const cacheFile = join(dir, 'cache-8.npy');
    const a = await loadImageTensorCache(paths, 8, cacheFile);
    expect(a.shape).toEqual([3, 8, 8, 1]);
    for (let i = 0; i < 3; i++) {
      const px = Array.from(a.data.subarray(i * 64, (i + 1) * 64));
      px.forEach((v) => expect(Math.abs(v - (40 * i + 10))).toBeLessThanOrEqual(2));
    }
    const mtime = statSync(cacheFile).mtimeMs;
    const b = await loadImageTensorCache(paths, 8, cacheFile);
    expect(statSync(cacheFile).mtimeMs).toBe(mtime); // served from the cache
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    const c = await loadImageTensorCache(paths.slice(0, 2), 8, cacheFile); // another list: rebuilt
    expect(c.shape).toEqual([2, 8, 8, 1]);
  });

  it('batches rows as float32 pixel values and names bad rows and bad files', async () => {
    const cache = await loadImageTensorCache(paths, 4);
    const x = makeImageBatch(cache, [2, 0, 2]);
    expect(x.shape).toEqual([3, 4, 4, 1]);
    expect(x.dtype).toBe('float32');
    const d = x.dataSync();
    expect(Math.round(d[0])).toBeGreaterThan(85);
    expect(Math.round(d[16])).toBeLessThan(13);
    expect(() => makeImageBatch(cache, [3])).toThrow(/row 3 outside the cache of 3 images/);
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'not an image');
    await expect(loadImageTensorCache([bad], 4)).rejects.toThrow(/bad\.png: cannot decode image/);
  });

  it('two callers building the same cache file at once decode once: the second waits for the first one\'s file', async () => {
    const cacheFile = join(dir, 'shared-6.npy');
    let decodedA = 0;
    let decodedB = 0;
    const waits: string[] = [];
    const [a, b] = await Promise.all([
      loadImageTensorCache(paths, 6, cacheFile, { onImage: () => decodedA++, onWait: (h) => waits.push(h) }),
      loadImageTensorCache(paths, 6, cacheFile, { onImage: () => decodedB++, onWait: (h) => waits.push(h) }),
    ]);
    expect(decodedA + decodedB).toBe(paths.length); // not 2 x
    expect(waits).toEqual([`pid ${process.pid} on ${hostname()}`]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(existsSync(`${cacheFile}.lock`)).toBe(false);
  });

  it('breaks a build lock its holder stopped touching (a killed decoder), and decodes', async () => {
    const cacheFile = join(dir, 'stale-5.npy');
    writeFileSync(`${cacheFile}.lock`, JSON.stringify({ host: 'gone', pid: 1 }));
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${cacheFile}.lock`, old, old);
    let decoded = 0;
    const c = await loadImageTensorCache(paths, 5, cacheFile, { onImage: () => decoded++ });
    expect(decoded).toBe(paths.length);
    expect(c.shape).toEqual([3, 5, 5, 1]);
    expect(existsSync(`${cacheFile}.lock`)).toBe(false);
  });
});
