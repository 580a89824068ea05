/**
 * OpenFace `FaceLandmarkImg` as a subprocess (execa) on batches of still images, robust to OpenFace's batch behaviour:
 * - images are decoded before they join a batch (image-check.ts); unreadable ones are set aside as `unreadable`;
 * - each batch is staged as symlinks named by row (`r<index>.<ext>`), so two images with the same file name in
 *   different folders cannot overwrite each other's `<stem>.csv`; formats OpenFace cannot open are converted to PNG;
 * - one call per batch: `FaceLandmarkImg -f a -f b ... -out_dir <dir> -2Dfp -aus`, with a timeout of `timeoutS` seconds
 *   per image in the call;
 * - when a batch still fails (exit code, signal or timeout), its images are retried one by one, so one bad image costs
 *   only itself: an image whose own call fails gets status `unreadable` with OpenFace's message as the reason;
 * - but when every call of the FIRST batch exits non-zero (or is killed) before any call anywhere has worked, the binary
 *   itself is broken (missing models, wrong build, a wrapper that always fails): the run stops with E_DEPENDENCY and
 *   the binary's output, instead of marking every image of the dataset unreadable and exiting 0. Timeouts do not count:
 *   they say an image is slow, not that the binary is broken;
 * - a CSV OpenFace wrote but that cannot be parsed (missing column, bad number) makes that image `unreadable` with the
 *   parser's message and `brokenCsv` set; the extract stage decides whether there are too many (extract.ts).
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { AlsgError, isAlsgError } from '@ldl-alsg/common';
import { readOpenFaceCsv, type FaceObservation } from './csv-reader';
import { checkImage } from './image-check';

/** Status of one image after extraction (the extract stage's status.csv values). */
export type ExtractStatus = 'ok' | 'no-face' | 'low-confidence' | 'unreadable';

/** What the extract stage keeps for one image. */
export interface ImageResult {
  status: ExtractStatus;
  /** Confidence of the kept face; NaN when none. */
  confidence: number;
  /** 17 AU intensities, or null. */
  au: Float32Array | null;
  /** 136 landmark coordinates, or null. */
  landmarks: Float32Array | null;
  /** Faces seen in the image. */
  faces: number;
  /** face-api: the image was read as an aligned face crop (no detector). */
  wholeImage?: boolean;
  /** Why an image is unreadable (decoder or OpenFace message). */
  reason?: string;
  /** The image's OpenFace CSV exists but could not be parsed (the reason says why). */
  brokenCsv?: boolean;
}

/** One image to process; `index` is its manifest row and names its staged copy. */
export interface ImageJob {
  index: number;
  /** Absolute image path. */
  path: string;
}

/** Options of {@link runFaceLandmarkImg}. */
export interface OpenFaceRunOptions {
  /** Path of the FaceLandmarkImg executable (locate.ts). */
  bin: string;
  /** Empty folder for staged images and OpenFace output; removed batch by batch. */
  workDir: string;
  /** Images per OpenFace call. Default 32. */
  batchSize?: number;
  /** OpenFace processes run at the same time. Default 1. */
  concurrency?: number;
  /** Seconds allowed per image in a call (a call on b images may run b * timeoutS). Default 30. */
  timeoutS?: number;
  /** Faces below this OpenFace confidence get status low-confidence. Default 0.5. */
  minConfidence?: number;
  /** Extra command-line flags (e.g. ['-wild']). */
  extraArgs?: readonly string[];
  /** Called with the number of images finished since the last call (progress). */
  onProgress?: (n: number) => void;
  /** Called for each failed call (batch or single), e.g. to log it. */
  onCallFailure?: (message: string) => void;
}

/** Counters for the report. */
export interface OpenFaceRunStats {
  calls: number;
  failedBatches: number;
  singleRetries: number;
}

/** Result of an image that cannot be read. */
export function unreadable(reason: string): ImageResult {
  return { status: 'unreadable', confidence: Number.NaN, au: null, landmarks: null, faces: 0, reason };
}

/**
 * Reads one image's OpenFace CSV into a result; a CSV that cannot be parsed (E_INPUT from the reader: missing column,
 * bad number, wrong field count) gives an `unreadable` result marked `brokenCsv` instead of stopping the whole run.
 */
export function readImageCsv(file: string, minConfidence: number): ImageResult {
  try {
    return fromObservation(readOpenFaceCsv(file, minConfidence));
  } catch (err) {
    if (isAlsgError(err) && err.code === 'E_INPUT') return { ...unreadable(`broken OpenFace CSV: ${err.message}`), brokenCsv: true };
    throw err;
  }
}

/** The last `lines` lines of a subprocess's combined output, joined with " | ". */
export function outputTail(all: string | undefined, lines: number): string {
  return (all ?? '').trim().split('\n').slice(-lines).join(' | ');
}

/** E_DEPENDENCY for a binary that failed on every call of the first batch (see the file comment). */
export function brokenBinaryError(bin: string, what: string, calls: number, message: string): AlsgError {
  return new AlsgError(
    'E_DEPENDENCY',
    `OpenFace failed on every call of the ${what} (${calls} calls) before any call had worked, so the binary itself looks broken (models missing, wrong build?): ${message}. ` +
      `Run it by hand on one image (${bin} -f <image> -out_dir /tmp/of), or choose the openface-csv or face-api extractor`,
    { file: bin },
  );
}

/** Result from a CSV observation. */
export function fromObservation(o: FaceObservation): ImageResult {
  return { status: o.status, confidence: o.confidence, au: o.au, landmarks: o.landmarks, faces: o.faces };
}

/** A staged image: the file OpenFace reads and the stem of its CSV. */
export interface Staged {
  job: ImageJob;
  /** Staged file passed to OpenFace. */
  file: string;
  /** Stem of the CSV OpenFace will write. */
  stem: string;
}

/** Links (or converts to PNG, for rows in `convert`) each job's image into `inDir` as `r<index>.<ext>`. */
export async function stageImages(jobs: readonly ImageJob[], inDir: string, convert: ReadonlySet<number>, prefix = 'r'): Promise<Staged[]> {
  mkdirSync(inDir, { recursive: true });
  const staged: Staged[] = [];
  for (const job of jobs) {
    const stem = `${prefix}${String(job.index).padStart(9, '0')}`;
    let file: string;
    if (convert.has(job.index)) {
      file = join(inDir, `${stem}.png`);
      await sharp(job.path).png().toFile(file);
    } else {
      file = join(inDir, `${stem}${extname(job.path).toLowerCase() || '.png'}`);
      symlinkSync(resolve(job.path), file);
    }
    staged.push({ job, file, stem });
  }
  return staged;
}

/**
 * Runs FaceLandmarkImg over `jobs` and reads each image's CSV.
 * @returns one result per job, in the order of `jobs`, plus call counters.
 */
export async function runFaceLandmarkImg(jobs: readonly ImageJob[], options: OpenFaceRunOptions): Promise<{ results: ImageResult[]; stats: OpenFaceRunStats }> {
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const timeoutS = options.timeoutS ?? 30;
  const minConfidence = options.minConfidence ?? 0.5;
  const stats: OpenFaceRunStats = { calls: 0, failedBatches: 0, singleRetries: 0 };
  const results = new Map<number, ImageResult>();
  const convert = new Set<number>();
  // Images are checked lazily, batch by batch, so progress starts at once and a paper-size run never decodes 300k
  // images before the first OpenFace call.
  let next = 0;
  let batchNumber = 0;
  const nextBatch = async (): Promise<{ batch: ImageJob[]; b: number } | null> => {
    const batch: ImageJob[] = [];
    while (batch.length < batchSize && next < jobs.length) {
      const job = jobs[next++];
      const check = await checkImage(job.path);
      if (!check.ok) {
        results.set(job.index, unreadable(check.reason));
        options.onProgress?.(1);
        continue;
      }
      if (!check.openfaceReadable) convert.add(job.index);
      batch.push(job);
    }
    return batch.length > 0 ? { batch, b: batchNumber++ } : null;
  };

  // Set once any call has exited 0; until then a first batch that fails entirely means a broken binary.
  let anyCallWorked = false;
  let stop: Error | null = null;
  const call = async (batch: readonly ImageJob[], dir: string): Promise<{ ok: true; staged: Staged[]; outDir: string } | { ok: false; message: string; timedOut: boolean }> => {
    const staged = await stageImages(batch, join(dir, 'in'), convert);
    const outDir = join(dir, 'out');
    const args = [...staged.flatMap((s) => ['-f', s.file]), '-out_dir', outDir, '-2Dfp', '-aus', ...(options.extraArgs ?? [])];
    stats.calls++;
    const result = await execa(options.bin, args, { timeout: timeoutS * 1000 * batch.length, reject: false, all: true, stdin: 'ignore' });
    if (result.exitCode === 0 && !result.timedOut) {
      anyCallWorked = true;
      return { ok: true, staged, outDir };
    }
    const tail = outputTail(result.all, 3);
    const why = result.timedOut ? `timed out after ${timeoutS * batch.length} s` : result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
    return { ok: false, message: `${options.bin} ${why}${tail ? `: ${tail}` : ''}`, timedOut: result.timedOut };
  };

  const collect = (staged: Staged[], outDir: string): void => {
    for (const s of staged) results.set(s.job.index, readImageCsv(join(outDir, `${s.stem}.csv`), minConfidence));
  };

  const processBatch = async (batch: ImageJob[], b: number): Promise<void> => {
    const dir = join(options.workDir, `batch-${b}`);
    try {
      const outcome = await call(batch, dir);
      // Whether every call for this batch ended in an exit code or signal (not a timeout).
      let allCrashed = !outcome.ok && !outcome.timedOut;
      let calls = 1;
      if (outcome.ok) {
        collect(outcome.staged, outcome.outDir);
      } else if (batch.length === 1) {
        // a single image's call already failed on its own: no point in retrying it
        options.onCallFailure?.(`image ${batch[0].path} failed: ${outcome.message}`);
        results.set(batch[0].index, unreadable(`OpenFace failed on this image: ${outcome.message}`));
      } else {
        stats.failedBatches++;
        options.onCallFailure?.(`batch ${b} (${batch.length} images) failed: ${outcome.message}; retrying its images one by one`);
        for (const job of batch) {
          if (stop) return;
          stats.singleRetries++;
          calls++;
          const single = join(dir, `single-${job.index}`);
          const one = await call([job], single);
          if (one.ok) collect(one.staged, one.outDir);
          else {
            if (one.timedOut) allCrashed = false;
            options.onCallFailure?.(`image ${job.path} failed on its own: ${one.message}`);
            results.set(job.index, unreadable(`OpenFace failed on this image: ${one.message}`));
          }
        }
      }
      if (b === 0 && allCrashed && !anyCallWorked && !outcome.ok) {
        stop = brokenBinaryError(options.bin, `first batch of ${batch.length} images`, calls, outcome.message);
        throw stop;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    options.onProgress?.(batch.length);
  };

  // `concurrency` OpenFace processes at a time, each pulling the next batch (OpenFace uses about one core per process)
  const worker = async (): Promise<void> => {
    // After a broken-binary stop, the other workers take no new batch.
    for (let item = await nextBatch(); item && !stop; item = await nextBatch()) await processBatch(item.batch, item.b);
  };
  // allSettled: on a stop, let the other workers finish their call before the caller removes the work folder.
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { results: jobs.map((j) => results.get(j.index)!), stats };
}
