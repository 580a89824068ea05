/**
 * OpenFace `FeatureExtraction` for image SEQUENCES only (CK+, MMI, Oulu-CASIA frames): it treats a folder as one video,
 * tracks the face across frames and calibrates AUs per person, which is right for a sequence and wrong for unrelated
 * stills (use FaceLandmarkImg for those, openface-runner.ts). A sequence here is the manifest's images that share a
 * folder; they are staged in manifest order as `f<row>.<ext>` in a fresh folder, so OpenFace's frame k (1-based, name
 * order) is the k-th of them. Output is one video-mode CSV (`frame, face_id, timestamp, confidence, success, ...`);
 * a frame with success 0 or no row has no face. A failing sequence is retried frame by frame.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { observeRows, parseOpenFaceCsv, type OpenFaceRow } from './csv-reader';
import { checkImage } from './image-check';
import { fromObservation, stageImages, unreadable, type ImageJob, type ImageResult, type OpenFaceRunOptions, type OpenFaceRunStats } from './openface-runner';

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

  const call = async (frames: readonly ImageJob[], dir: string): Promise<OpenFaceRow[] | string> => {
    const inDir = join(dir, 'seq');
    mkdirSync(inDir, { recursive: true });
    await stageImages(frames, inDir, convert, 'f');
    const outDir = join(dir, 'out');
    stats.calls++;
    const args = ['-fdir', inDir, '-out_dir', outDir, '-2Dfp', '-aus', ...(options.extraArgs ?? [])];
    const r = await execa(options.bin, args, { timeout: timeoutS * 1000 * frames.length, reject: false, all: true, stdin: 'ignore' });
    if (r.exitCode !== 0 || r.timedOut) {
      const tail = (r.all ?? '').trim().split('\n').slice(-3).join(' | ');
      return `${options.bin} ${r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`}${tail ? `: ${tail}` : ''}`;
    }
    const csv = join(outDir, 'seq.csv');
    let text: string;
    try {
      text = readFileSync(csv, 'utf8');
    } catch {
      return []; // no CSV: no face in any frame
    }
    return parseOpenFaceCsv(text, csv).rows;
  };

  const assign = (frames: readonly ImageJob[], rows: OpenFaceRow[]): void => {
    frames.forEach((job, k) => results.set(job.index, fromObservation(observeRows(rows.filter((r) => r.frame === k + 1), minConfidence))));
  };

  let s = 0;
  for (const frames of groupSequences(readable)) {
    const dir = join(options.workDir, `sequence-${s++}`);
    try {
      const out = await call(frames, dir);
      if (typeof out !== 'string') assign(frames, out);
      else {
        stats.failedBatches++;
        options.onCallFailure?.(`sequence ${dirname(frames[0].path)} (${frames.length} frames) failed: ${out}; retrying frame by frame`);
        for (const job of frames) {
          stats.singleRetries++;
          const one = await call([job], join(dir, `single-${job.index}`));
          if (typeof one !== 'string') assign([job], one);
          else results.set(job.index, unreadable(`OpenFace failed on this image: ${one}`));
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    options.onProgress?.(frames.length);
  }
  return { results: jobs.map((j) => results.get(j.index)!), stats };
}
