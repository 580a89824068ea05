/**
 * OpenFace `FeatureExtraction` for image SEQUENCES only (CK+, MMI, Oulu-CASIA frames): it treats a folder as one video,
 * tracks the face across frames and calibrates AUs per person, which is right for a sequence and wrong for unrelated
 * stills (use FaceLandmarkImg for those, openface-runner.ts). A sequence here is the manifest's images that share a
 * folder; they are staged in manifest order as `f<row>.<ext>` in a fresh folder, so OpenFace's frame k (1-based, name
 * order) is the k-th of them. Output is one video-mode CSV (`frame, face_id, timestamp, confidence, success, ...`);
 * a frame with success 0 or no row has no face. A failing sequence is retried frame by frame. As for FaceLandmarkImg
 * (openface-runner.ts): a first sequence on which every call exits non-zero before any call has worked stops the run
 * (E_DEPENDENCY, broken binary), and a CSV that cannot be parsed makes its frames `unreadable` with `brokenCsv` set.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { isAlsgError } from '@ldl-alsg/common';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { observeRows, parseOpenFaceCsv, type OpenFaceRow } from './csv-reader';
import { checkImage } from './image-check';
import { brokenBinaryError, fromObservation, outputTail, stageImages, unreadable, type ImageJob, type ImageResult, type OpenFaceRunOptions, type OpenFaceRunStats } from './openface-runner';

/** Groups jobs into sequences by the folder of their image, keeping manifest order inside each. */
export function groupSequences(jobs: readonly ImageJob[]): ImageJob[][] {
  const groups = new Map<string, ImageJob[]>();
  for (const job of jobs) {
    const key = dirname(job.path);
    const list = groups.get(key);
    if (list) list.push(job);
    else groups.set(key, [job]);
  }
  return [...groups.values()];
}

/**
 * Runs FeatureExtraction once per sequence (see file comment).
 * @param options as for FaceLandmarkImg; `bin` is the FeatureExtraction executable, `batchSize` is unused.
 * @returns one result per job, in the order of `jobs`.
 */
export async function runFeatureExtraction(jobs: readonly ImageJob[], options: OpenFaceRunOptions): Promise<{ results: ImageResult[]; stats: OpenFaceRunStats }> {
  const timeoutS = options.timeoutS ?? 30;
  const minConfidence = options.minConfidence ?? 0.5;
  const stats: OpenFaceRunStats = { calls: 0, failedBatches: 0, singleRetries: 0 };
  const results = new Map<number, ImageResult>();
  const convert = new Set<number>();
  const readable: ImageJob[] = [];
  for (const job of jobs) {
    const check = await checkImage(job.path);
    if (!check.ok) {
      results.set(job.index, unreadable(check.reason));
      options.onProgress?.(1);
    } else {
      if (!check.openfaceReadable) convert.add(job.index);
      readable.push(job);
    }
  }

  let anyCallWorked = false;
  /** Rows of the sequence's CSV, or why the call failed (`timedOut` apart), or why its CSV cannot be parsed. */
  type Outcome = OpenFaceRow[] | { failed: string; timedOut: boolean } | { broken: string };
  const call = async (frames: readonly ImageJob[], dir: string): Promise<Outcome> => {
    const inDir = join(dir, 'seq');
    mkdirSync(inDir, { recursive: true });
    await stageImages(frames, inDir, convert, 'f');
    const outDir = join(dir, 'out');
    stats.calls++;
    const args = ['-fdir', inDir, '-out_dir', outDir, '-2Dfp', '-aus', ...(options.extraArgs ?? [])];
    const r = await execa(options.bin, args, { timeout: timeoutS * 1000 * frames.length, reject: false, all: true, stdin: 'ignore' });
    if (r.exitCode !== 0 || r.timedOut) {
      const tail = outputTail(r.all, 3);
      return { failed: `${options.bin} ${r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`}${tail ? `: ${tail}` : ''}`, timedOut: r.timedOut };
    }
    anyCallWorked = true;
    const csv = join(outDir, 'seq.csv');
    let text: string;
    try {
      text = readFileSync(csv, 'utf8');
    } catch {
      return []; // no CSV: no face in any frame
    }
    try {
      return parseOpenFaceCsv(text, csv).rows;
    } catch (err) {
      if (isAlsgError(err) && err.code === 'E_INPUT') return { broken: `broken OpenFace CSV: ${err.message}` };
      throw err;
    }
  };

  const assign = (frames: readonly ImageJob[], rows: OpenFaceRow[]): void => {
    frames.forEach((job, k) => results.set(job.index, fromObservation(observeRows(rows.filter((r) => r.frame === k + 1), minConfidence))));
  };

  const settle = (frames: readonly ImageJob[], out: Outcome): void => {
    if (Array.isArray(out)) assign(frames, out);
    else if ('broken' in out) for (const job of frames) results.set(job.index, { ...unreadable(out.broken), brokenCsv: true });
    else for (const job of frames) results.set(job.index, unreadable(`OpenFace failed on this image: ${out.failed}`));
  };

  let s = 0;
  for (const frames of groupSequences(readable)) {
    const first = s === 0;
    const dir = join(options.workDir, `sequence-${s++}`);
    try {
      const out = await call(frames, dir);
      if (Array.isArray(out) || 'broken' in out) settle(frames, out);
      else {
        stats.failedBatches++;
        options.onCallFailure?.(`sequence ${dirname(frames[0].path)} (${frames.length} frames) failed: ${out.failed}; retrying frame by frame`);
        let allCrashed = !out.timedOut;
        for (const job of frames) {
          stats.singleRetries++;
          const one = await call([job], join(dir, `single-${job.index}`));
          if (!Array.isArray(one) && 'failed' in one && one.timedOut) allCrashed = false;
          settle([job], one);
        }
        if (first && allCrashed && !anyCallWorked) throw brokenBinaryError(options.bin, `first sequence of ${frames.length} frames`, frames.length + 1, out.failed);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    options.onProgress?.(frames.length);
  }
  return { results: jobs.map((j) => results.get(j.index)!), stats };
}
