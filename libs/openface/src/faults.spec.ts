/**
 * Fault injection (docs/reliability.md) for the extract side: a broken OpenFace binary, CSVs sorted into `<dataset>/`
 * subfolders, and OpenFace CSVs with a missing column. Before the fixes these gave, in order: exit 0 with every image
 * "unreadable"; "holds no .csv file" although the CSVs were there; the whole extract aborted by one bad CSV.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '@ldl-alsg/artifacts';
import { writeManifest } from '@ldl-alsg/datasets';
import { rejection } from '@ldl-alsg/common/fixtures';
import { FAKE_FACE_LANDMARK_IMG, writeFakeFacePng } from './fixtures/fake-openface/fixtures';
import { runExtraction, type ExtractParams } from './extract';
import { runFaceLandmarkImg } from './openface-runner';
import { runFeatureExtraction } from './feature-extraction';

const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `of-fault-${name}-`));
const quiet = { log: () => undefined, progress: () => ({ tick() {}, update() {}, done() {} }) };

/** A stand-in OpenFace that prints an error and exits 1 on every call, logging each call to `log`. */
function brokenBinary(log: string): string {
  const bin = join(tmp('bin'), 'FaceLandmarkImg');
  writeFileSync(bin, `#!/bin/sh\necho call >> '${log}'\necho "Could not find the landmark detection model file model/main_ceclm_general.txt" >&2\nexit 1\n`);
  chmodSync(bin, 0o755);
  return bin;
}

/** `count` readable images with one face each under `dir`, named p0.png, p1.png, ... */
async function images(dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const f = join(dir, `p${i}.png`);
    await writeFakeFacePng(f, { faces: [{ confidence: 0.9 }] }, 10 + i);
    files.push(f);
  }
  return files;
}

describe('a broken OpenFace binary', () => {
  it('FaceLandmarkImg: the first batch failing entirely stops the run with E_DEPENDENCY and the binary\'s stderr', async () => {
    const files = await images(tmp('imgs'), 5);
    const log = join(tmp('log'), 'calls');
    const bin = brokenBinary(log);
    const e = await rejection(runFaceLandmarkImg(files.map((path, index) => ({ index, path })), { bin, workDir: tmp('work'), batchSize: 2 }));
    expect(e.code).toBe('E_DEPENDENCY');
    expect(e.message).toMatch(/OpenFace failed on every call of the first batch of 2 images \(3 calls\)/);
    expect(e.message).toContain('before any call had worked, so the binary itself looks broken');
    expect(e.message).toContain('exit code 1: Could not find the landmark detection model file');
    // the batch and its two single retries; the remaining 3 images never reach the binary
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('FeatureExtraction: the first sequence failing entirely stops the run the same way', async () => {
    const files = await images(join(tmp('seq'), 'S1'), 3);
    const bin = brokenBinary(join(tmp('log'), 'calls'));
    const e = await rejection(runFeatureExtraction(files.map((path, index) => ({ index, path })), { bin, workDir: tmp('work') }));
    expect(e.code).toBe('E_DEPENDENCY');
    expect(e.message).toMatch(/first sequence of 3 frames.*Could not find the landmark detection model/);
  });

  it('the extract stage fails (no outputs) instead of exiting 0 with every image unreadable', async () => {
    const dir = tmp('ds');
    await images(join(dir, 'images'), 3);
    writeManifest(dir, [0, 1, 2].map((i) => ({ id: `toy/p${i}`, path: `images/p${i}.png`, label: 'happy', dataset: 'toy', split: 'train' as const })));
    const out = tmp('out');
    const e = await rejection(runExtraction([dir], { extractor: 'openface', openfaceBin: brokenBinary(join(tmp('log'), 'calls')) }, out, quiet));
    expect(e.code).toBe('E_DEPENDENCY');
  });
});

/** An ingest-like folder with `count` rows (ids `toy/p<i>`) whose OpenFace CSVs are written by the stand-in into `csvDir`. */
async function dataset(count: number, csvDir: string): Promise<string> {
  const dir = tmp('ds');
  const files = await images(join(dir, 'images'), count);
  writeManifest(dir, files.map((_, i) => ({ id: `toy/p${i}`, path: `images/p${i}.png`, label: 'happy', dataset: 'toy', split: 'train' as const })));
  execFileSync(FAKE_FACE_LANDMARK_IMG, [...files.flatMap((f) => ['-f', f]), '-out_dir', csvDir, '-2Dfp', '-aus']);
  return dir;
}

function breakColumn(csv: string): void {
  writeFileSync(csv, readFileSync(csv, 'utf8').replace('AU25_r', 'AU25_x'));
}

describe('openface-csv', () => {
  it('finds CSVs that sit in <dataset>/ subfolders of --csv-dir (ids and stems)', async () => {
    const csvRoot = tmp('csvroot');
    const ds = await dataset(3, join(csvRoot, 'toy'));
    const out = tmp('out');
    const report = await runExtraction([ds], { extractor: 'openface-csv', csvDir: csvRoot }, out, quiet);
    expect(report.counts.ok).toBe(3);
    const byStem = await runExtraction([ds], { extractor: 'openface-csv', csvDir: csvRoot, csvName: 'stem' }, tmp('out'), quiet);
    expect(byStem.counts.ok).toBe(3);
  });

  it('one CSV missing a column: that row is unreadable with the reason, the others go on', async () => {
    const csvDir = tmp('csv');
    const ds = await dataset(30, join(csvDir, 'toy'));
    breakColumn(join(csvDir, 'toy', 'p7.csv'));
    const out = tmp('out');
    const logs: string[] = [];
    const report = await runExtraction([ds], { extractor: 'openface-csv', csvDir } as ExtractParams, out, { ...quiet, log: (m) => logs.push(m) });
    expect(report.counts).toEqual({ ok: 29, 'no-face': 0, 'low-confidence': 0, unreadable: 1 });
    expect(report.brokenCsv).toBe(1);
    expect(report.unreadable[0]).toMatchObject({ id: 'toy/p7' });
    expect(report.unreadable[0].reason).toContain(`broken OpenFace CSV: ${join(csvDir, 'toy', 'p7.csv')}: missing column AU25_r`);
    expect(readCsv(join(out, 'status.csv')).rows[7].status).toBe('unreadable');
    expect(logs.some((l) => l.includes('1 of 30 rows (3.3%) have a broken OpenFace CSV'))).toBe(true);
  });

  it('fails when the share of broken CSVs passes maxFailedShare (default 5%), or when every CSV is broken', async () => {
    const csvDir = tmp('csv');
    const ds = await dataset(10, join(csvDir, 'toy'));
    for (const i of [2, 5]) breakColumn(join(csvDir, 'toy', `p${i}.csv`));
    const e = await rejection(runExtraction([ds], { extractor: 'openface-csv', csvDir }, tmp('out'), quiet));
    expect(e.code).toBe('E_INPUT');
    expect(e.message).toMatch(/^extract: 2 of 10 rows \(20\.0%\) have a broken OpenFace CSV, more than maxFailedShare 5\.0%; e\.g\. row "toy\/p2": .*missing column AU25_r/);
    const ok = await runExtraction([ds], { extractor: 'openface-csv', csvDir, maxFailedShare: 0.25 }, tmp('out'), quiet);
    expect(ok.counts.unreadable).toBe(2);
    for (let i = 0; i < 10; i++) breakColumn(join(csvDir, 'toy', `p${i}.csv`));
    const all = await rejection(runExtraction([ds], { extractor: 'openface-csv', csvDir, maxFailedShare: 1 }, tmp('out'), quiet));
    expect(all.message).toMatch(/^extract: every OpenFace CSV found is broken \(10 of 10\)/);
  });
});
