/**
 * generateSynthfer: writes a complete synthetic benchmark into a folder, streaming (memory flat in the number of images):
 * manifest.csv, images/, openface/<id>.csv, distribution.npy, truth/{latent,au,landmarks}.npy, truth/annotations.csv and
 * ingest-report.json (contracts: docs/contracts.md, ingest). Files are written as generation goes; manifest.csv and the
 * report appear (atomically renamed) only at the end, so an interrupted run never leaves a manifest that looks complete.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { NpyRowWriter, writeJsonAtomic } from '@ldl-alsg/artifacts';
import { MANIFEST_COLUMNS } from '@ldl-alsg/datasets';
import { AU_IDS, CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import { ANNOTATION_COLUMNS, runChunk, type ChunkJob, type ChunkResult } from './chunk';
import { DOMAINS } from './domains';
import { resolveSynthferOptions, type ResolvedOptions, type SynthferOptions } from './options';
import { ChunkPool } from './pool';
import { prototypeMeans } from './prototypes';

/** Faces per chunk: large enough to amortise messaging, small enough to keep memory flat (~0.7 MB of truth per chunk). */
const CHUNK = 500;

export interface SynthferHooks {
  /** Called after each chunk with images done and the total. */
  progress?: (done: number, total: number) => void;
}

/** Statistics of one dataset/split measured while generating (they go into ingest-report.json and the docs). */
export interface SplitStats {
  dataset: string;
  split: string;
  domain: 'wild' | 'lab';
  n: number;
  /** Published labels per class. */
  labels: Record<string, number>;
  /** Latent argmax per class. */
  latentArgmax: Record<string, number>;
  /** Fraction of published labels equal to the latent argmax. */
  agreementWithLatentArgmax: number;
  /** Fraction of published labels equal to the dominant (posed) class. */
  agreementWithDominant: number;
  openface: { noFace: number; lowConfidence: number; twoFaces: number; expectedNoFace: number };
}

export interface SynthferReport {
  format: 'synthfer';
  generator: { name: string; version: string };
  options: Omit<ResolvedOptions, 'plan'>;
  n: number;
  counts: Record<string, Record<string, Record<string, number>>>;
  skips: Record<string, never[]>;
  splits: SplitStats[];
  /** Mean true AU intensity per dominant class [7][17] over all generated faces, next to the prototype means. */
  auByClass: { classes: readonly string[]; aus: string[]; measured: number[][]; prototype: number[][]; n: number[] };
  seconds: number;
  imagesPerSecond: number;
  bytesWritten: number;
  workers: number;
}

export const SYNTHFER_VERSION = '1.0.0';

/** Generates the benchmark described by `options` into `outDir` (created if missing) and returns its report. */
export async function generateSynthfer(options: SynthferOptions, outDir: string, hooks: SynthferHooks = {}): Promise<SynthferReport> {
  const opts = resolveSynthferOptions(options, availableParallelism());
  const t0 = performance.now();
  const total = opts.plan.reduce((s, p) => s + p.count, 0);
  mkdirSync(join(outDir, 'truth'), { recursive: true });
  const latentW = new NpyRowWriter(join(outDir, 'truth', 'latent.npy'), 'float32', [total, NUM_CLASSES]);
  const distW = new NpyRowWriter(join(outDir, 'distribution.npy'), 'float32', [total, NUM_CLASSES]);
  const auW = new NpyRowWriter(join(outDir, 'truth', 'au.npy'), 'float32', [total, AU_IDS.length]);
  const lmW = new NpyRowWriter(join(outDir, 'truth', 'landmarks.npy'), 'float32', [total, 136]);
  const manifestTmp = join(outDir, `.manifest.csv.${process.pid}.tmp`);
  const manifestFd = openSync(manifestTmp, 'w');
  writeSync(manifestFd, MANIFEST_COLUMNS.join(',') + '\n');
  const annFd = openSync(join(outDir, 'truth', 'annotations.csv'), 'w');
  writeSync(annFd, ANNOTATION_COLUMNS.join(',') + '\n');

  const jobs: ChunkJob[] = [];
  for (const p of opts.plan) {
    for (let s = 0; s < p.count; s += CHUNK) {
      jobs.push({ seed: opts.seed, dataset: p.dataset, split: p.split, start: s, end: Math.min(p.count, s + CHUNK), size: opts.imageSize, render: opts.render, openface: opts.openface, outDir });
    }
  }
  const pool = opts.workers > 0 && jobs.length > 1 ? await ChunkPool.start(opts.workers) : null;
  const workersUsed = pool ? pool.size : 0;
  const auSum = Array.from({ length: NUM_CLASSES }, () => new Float64Array(AU_IDS.length));
  const auN = new Array(NUM_CLASSES).fill(0);
  const stats = new Map<string, SplitStats & { _argAgree: number; _domAgree: number; _miss: number }>();
  let done = 0;
  let bytes = 0;
  const consume = (job: ChunkJob, r: ChunkResult) => {
    latentW.write(r.latent);
    distW.write(r.latent);
    auW.write(r.au);
    lmW.write(r.landmarks);
    writeSync(manifestFd, r.manifestLines);
    writeSync(annFd, r.annotationLines);
    const key = `${job.dataset}/${job.split}`;
    let st = stats.get(key);
    if (!st) {
      st = {
        dataset: job.dataset, split: job.split, domain: DOMAINS[job.dataset].domain, n: 0,
        labels: Object.fromEntries(CLASSES.map((c) => [c, 0])), latentArgmax: Object.fromEntries(CLASSES.map((c) => [c, 0])),
        agreementWithLatentArgmax: 0, agreementWithDominant: 0, openface: { noFace: 0, lowConfidence: 0, twoFaces: 0, expectedNoFace: 0 },
        _argAgree: 0, _domAgree: 0, _miss: 0,
      };
      stats.set(key, st);
    }
    for (let k = 0; k < r.n; k++) {
      st.n++;
      st.labels[CLASSES[r.labels[k]]]++;
      st.latentArgmax[CLASSES[r.argmax[k]]]++;
      if (r.labels[k] === r.argmax[k]) st._argAgree++;
      if (r.labels[k] === r.dominant[k]) st._domAgree++;
      if (r.outcome[k] === 0) st.openface.noFace++;
      if (r.outcome[k] === 2) st.openface.lowConfidence++;
      if (r.faces[k] >= 2) st.openface.twoFaces++;
      st._miss += r.missProbability[k];
      const d = r.dominant[k];
      auN[d]++;
      for (let j = 0; j < AU_IDS.length; j++) auSum[d][j] += r.au[k * AU_IDS.length + j];
    }
    bytes += r.bytes;
    done += r.n;
    hooks.progress?.(done, total);
  };
  try {
    if (pool) {
      // Keep at most 2 jobs per worker in flight: ordered consumption with bounded memory.
      const inflight: Promise<ChunkResult>[] = [];
      let next = 0;
      while (next < jobs.length && inflight.length < pool.size * 2) inflight.push(pool.run(jobs[next++]));
      for (let j = 0; j < jobs.length; j++) {
        const r = await inflight.shift()!;
        if (next < jobs.length) inflight.push(pool.run(jobs[next++]));
        consume(jobs[j], r);
      }
    } else {
      for (const job of jobs) {
        consume(job, runChunk(job));
        // Yield to the event loop between chunks so progress output and signals are handled.
        await new Promise((r) => setImmediate(r));
      }
    }
  } finally {
    await pool?.close();
    closeSync(manifestFd);
    closeSync(annFd);
  }
  latentW.close();
  distW.close();
  auW.close();
  lmW.close();
  renameSync(manifestTmp, join(outDir, 'manifest.csv'));
  const seconds = (performance.now() - t0) / 1000;
  const counts: SynthferReport['counts'] = {};
  const splits: SplitStats[] = [];
  for (const st of stats.values()) {
    counts[st.dataset] ??= {};
    counts[st.dataset][st.split] = { ...st.labels };
    const { _argAgree, _domAgree, _miss, ...rest } = st;
    splits.push({ ...rest, agreementWithLatentArgmax: _argAgree / st.n, agreementWithDominant: _domAgree / st.n, openface: { ...st.openface, expectedNoFace: _miss } });
  }
  const { plan: _plan, ...optsOut } = opts;
  const report: SynthferReport = {
    format: 'synthfer',
    generator: { name: '@ldl-alsg/synthfer', version: SYNTHFER_VERSION },
    options: optsOut,
    n: total,
    counts,
    skips: {},
    splits,
    auByClass: {
      classes: CLASSES,
      aus: AU_IDS.map((id) => `AU${id}`),
      measured: auSum.map((row, k) => Array.from(row, (v) => (auN[k] > 0 ? v / auN[k] : NaN))),
      prototype: prototypeMeans().map((r) => Array.from(r)),
      n: auN,
    },
    seconds,
    imagesPerSecond: total / seconds,
    bytesWritten: bytes,
    workers: workersUsed,
  };
  writeJsonAtomic(join(outDir, 'ingest-report.json'), report);
  return report;
}
