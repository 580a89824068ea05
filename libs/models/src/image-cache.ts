import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { readNpy, writeJsonAtomic, writeNpy } from '@ldl-alsg/artifacts';

/** Decoded images: uint8 grayscale pixels, row-major [n, H, W, 1]. */
export interface ImageTensorCache {
  /** n * H * W bytes; image i occupies [i*H*W, (i+1)*H*W). */
  readonly data: Uint8Array;
  /** [n, H, W, 1]. */
  readonly shape: [number, number, number, 1];
}

/** Options of {@link loadImageTensorCache}. */
export interface ImageCacheOptions {
  /** Number of images decoded concurrently by sharp. Default 8. */
  readonly concurrency?: number;
  /** Called after each decoded image (for a progress bar). */
  readonly onImage?: (done: number, total: number) => void;
  /** Called once when another process is decoding into the same cache file and this call waits for it. */
  readonly onWait?: (holder: string) => void;
}

/** A build lock untouched for this long belongs to a process that died (a live holder touches it every second). */
const STALE_LOCK_MS = 60_000;

/**
 * Decode PNG/JPEG files into one uint8 array of grayscale `inputSize` x `inputSize` images (sharp: alpha removed,
 * grayscale, resized with `fit: fill`, i.e. aligned faces are not cropped), optionally cached as a `.npy` so training
 * epochs and later runs do not decode again.
 *
 * The cache is reused only if its sidecar `<cacheFile>.json` records the same input size and the same fingerprint of
 * the path list (paths, sizes and mtimes); otherwise it is rebuilt. Callers building the same cache file at the same time
 * (processes on one or several hosts) take turns: one decodes under `<cacheFile>.lock`, the others wait for its file.
 *
 * @param paths image files, in row order (row i of the result is paths[i]).
 * @param inputSize output side in pixels (e.g. 64).
 * @param cacheFile optional .npy path, e.g. next to the training data or in a stage's scratch folder.
 * @throws AlsgError E_INPUT naming the file that cannot be decoded.
 */
export async function loadImageTensorCache(
  paths: string[],
  inputSize: number,
  cacheFile?: string,
  opts: ImageCacheOptions = {},
): Promise<ImageTensorCache> {
  if (!Number.isInteger(inputSize) || inputSize < 1) {
    throw new AlsgError('E_CONFIG', `loadImageTensorCache: inputSize must be a positive integer, but got ${inputSize}`);
  }
  const shape: [number, number, number, 1] = [paths.length, inputSize, inputSize, 1];
  const fingerprint = fingerprintPaths(paths, inputSize);
  const sidecarMatches = (): boolean => {
    if (!cacheFile || !existsSync(cacheFile) || !existsSync(`${cacheFile}.json`)) return false;
    try {
      return (JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as { fingerprint?: string }).fingerprint === fingerprint;
    } catch {
      return false;
    }
  };
  const readCache = (): ImageTensorCache | undefined => {
    if (!cacheFile || !sidecarMatches()) return undefined;
    try {
      const arr = readNpy(cacheFile);
      return arr.dtype === 'uint8' && arr.shape.join() === shape.join() ? { data: arr.data as Uint8Array, shape } : undefined;
    } catch {
      return undefined; // an unreadable cache is rebuilt
    }
  };
  const cached = readCache();
  if (cached) return cached;
  if (!cacheFile) return decodeAll(paths, inputSize, shape, opts);
  // Several stage processes often want the same images at once (a table's pre-trainings start side by side): one
  // decodes, the others wait for its cache file instead of decoding the same thousands of images beside it.
  const lock = await takeBuildLock(`${cacheFile}.lock`, sidecarMatches, opts.onWait);
  try {
    const built = readCache();
    if (built) return built;
    const data = await decodeAll(paths, inputSize, shape, opts, lock.touch);
    writeNpy(cacheFile, data.data, shape);
    writeJsonAtomic(`${cacheFile}.json`, { fingerprint, inputSize, n: paths.length });
    return data;
  } finally {
    lock.release();
  }
}

/** Decodes every image of `paths` (8 in flight), calling `opts.onImage` and `heartbeat` as it goes. */
async function decodeAll(paths: string[], inputSize: number, shape: [number, number, number, 1], opts: ImageCacheOptions, heartbeat?: () => void): Promise<ImageTensorCache> {
  const pixels = inputSize * inputSize;
  const data = new Uint8Array(paths.length * pixels);
  const concurrency = opts.concurrency ?? 8;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      data.set(await decodeGray(paths[i], inputSize), i * pixels);
      opts.onImage?.(++done, paths.length);
      heartbeat?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return { data, shape };
}

/**
 * An exclusive lock file beside a cache being built (`wx` create; content: host, pid, start). Waits while another
 * holder keeps it fresh, returns early (with nothing to release) once `done()` says the other holder finished, and
 * breaks a lock nobody has touched for STALE_LOCK_MS (its holder died). Works across hosts sharing a store.
 */
async function takeBuildLock(file: string, done: () => boolean, onWait?: (holder: string) => void): Promise<{ touch: () => void; release: () => void }> {
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ host: hostname(), pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      let last = Date.now();
      return {
        touch: () => {
          if (Date.now() - last < 1000) return;
          last = Date.now();
          try {
            utimesSync(file, new Date(), new Date());
          } catch {
            // a broken lock only costs a second decoder
          }
        },
        release: () => rmSync(file, { force: true }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (done()) return { touch: () => undefined, release: () => undefined };
    let age = 0;
    try {
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      continue; // released just now: try again
    }
    if (age > STALE_LOCK_MS) {
      rmSync(file, { force: true });
      continue;
    }
    if (!told) {
      told = true;
      let holder = 'another process';
      try {
        const h = JSON.parse(readFileSync(file, 'utf8')) as { host?: string; pid?: number };
        holder = `pid ${h.pid} on ${h.host}`;
      } catch {
        // the holder is still writing its record
      }
      onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Where to cache the decoded images of `paths` at `inputSize`: in the folder named by ALSG_IMAGE_CACHE_DIR when set
 * (the pipeline engine points it at `<store>/.cache/images`, so the six trainings and six evaluations of Table 1
 * decode the same images once), else in `fallbackDir` (e.g. a stage's scratch folder), else nowhere.
 */
export function imageCacheFile(paths: readonly string[], inputSize: number, fallbackDir?: string): string | undefined {
  const shared = process.env.ALSG_IMAGE_CACHE_DIR;
  const dir = shared || fallbackDir;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256').update(paths.join('\n')).digest('hex').slice(0, 16);
  return join(dir, `images-${key}-${inputSize}.npy`);
}

/** Decode one image to `size` x `size` grayscale bytes. */
export async function decodeGray(path: string, size: number): Promise<Uint8Array> {
  try {
    const { data, info } = await sharp(path)
      .removeAlpha()
      .grayscale()
      .resize(size, size, { fit: 'fill' })
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Caught just below and reported as E_INPUT naming the image.
    if (info.channels !== 1 || data.length !== size * size) throw new Error(`decoded ${info.width}x${info.height}x${info.channels}`);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw new AlsgError('E_INPUT', `${path}: cannot decode image as PNG/JPEG (${(err as Error).message})`, { file: path, cause: err });
  }
}

function fingerprintPaths(paths: string[], inputSize: number): string {
  const h = createHash('sha256').update(`v1:${inputSize}:${paths.length}\n`);
  for (const p of paths) {
    let stamp = 'missing';
    try {
      const s = statSync(p);
      stamp = `${s.size}:${Math.floor(s.mtimeMs)}`;
    } catch {
      // A missing file fails later in decodeGray with its name.
    }
    h.update(`${p}\t${stamp}\n`);
  }
  return h.digest('hex');
}

/**
 * Build a float32 batch [b, H, W, 1] from cache rows (pixel values 0..255; the backbones rescale internally).
 *
 * @param cache decoded images.
 * @param rows indices of the images to put in the batch, in order (repeats allowed).
 */
export function makeImageBatch(cache: ImageTensorCache, rows: ArrayLike<number>): tf.Tensor4D {
  const [n, h, w] = cache.shape;
  const pixels = h * w;
  const out = new Float32Array(rows.length * pixels);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    if (!(i >= 0 && i < n)) throw new AlsgError('E_INPUT', `makeImageBatch: row ${i} outside the cache of ${n} images`);
    out.set(cache.data.subarray(i * pixels, (i + 1) * pixels), r * pixels); // uint8 -> float32, converted natively
  }
  return tf.tensor4d(out, [rows.length, h, w, 1]);
}
