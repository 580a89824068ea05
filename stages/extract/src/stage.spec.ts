import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { readCsv, readNpy } from '@ldl-alsg/artifacts';
import { writeManifest } from '@ldl-alsg/datasets';
import { applyParamsSchema, type StageContext } from '@ldl-alsg/pipeline';
import type { ExtractParams } from '@ldl-alsg/openface';
import { FAKE_FACE_LANDMARK_IMG, writeFakeFacePng, writeTruncatedPng, type FakeImageSpec } from '@ldl-alsg/openface/fixtures';
import { stage } from './stage';

const lm = (v: number) => Array.from({ length: 136 }, (_, k) => v + k);
const au = (v: number) => Array.from({ length: 17 }, (_, k) => +(v + k / 10).toFixed(2));

/**
 * An ingest output: `images/<id>.png` carrying what the fake OpenFace finds, a manifest, and `openface/<id>.csv`
 * written by the OpenFace stand-in itself (so the CSVs are in OpenFace's format, as synthfer's are).
 */
async function makeIngest(prefix: string, specs: (FakeImageSpec | 'broken')[], splits: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'extract-ds-'));
  mkdirSync(join(dir, 'images'));
  const readable: string[] = [];
  for (let i = 0; i < specs.length; i++) {
    const file = join(dir, 'images', `${prefix}${i}.png`);
    const spec = specs[i];
    if (spec === 'broken') await writeTruncatedPng(file);
    else {
      await writeFakeFacePng(file, spec, 10 + i);
      readable.push(file);
    }
  }
  writeManifest(
    dir,
    specs.map((_, i) => ({ id: `${prefix}${i}`, path: `images/${prefix}${i}.png`, label: 'happy', dataset: 'toy', split: splits[i] as 'train' })),
  );
  execFileSync(FAKE_FACE_LANDMARK_IMG, [...readable.flatMap((f) => ['-f', f]), '-out_dir', join(dir, 'openface'), '-2Dfp', '-aus']);
  return dir;
}

function context(params: ExtractParams, datasets: string[]): { ctx: StageContext<ExtractParams>; recorded: Record<string, unknown> } {
  const outDir = mkdtempSync(join(tmpdir(), 'extract-out-'));
  const recorded: Record<string, unknown> = {};
  return {
    recorded,
    ctx: {
      address: 'test/extract',
      params,
      inputs: { dataset: datasets },
      outDir,
      scratchDir: mkdtempSync(join(tmpdir(), 'extract-scratch-')),
      seed: 1,
      log: () => {},
      progress: () => ({ tick() {}, update() {}, done() {} }),
      record: (info) => Object.assign(recorded, info),
    },
  };
}

const specsA: (FakeImageSpec | 'broken')[] = [
  { faces: [{ confidence: 0.9, au: au(1), landmarks: lm(100) }] },
  { faces: [] },
  { faces: [{ confidence: 0.6, au: au(2), landmarks: lm(200) }, { confidence: 0.97, au: au(3), landmarks: lm(300) }], separator: ', ' },
  { faces: [{ confidence: 0.3 }] },
];
const specsB: (FakeImageSpec | 'broken')[] = [{ faces: [{ confidence: 0.95, au: au(4), landmarks: lm(400) }] }, 'broken'];

describe('extract stage', () => {
  it('openface-csv: outputs aligned with the concatenated manifests, NaN rows where not ok', async () => {
    const a = await makeIngest('a', specsA, ['train', 'train', 'train', 'test']);
    const b = await makeIngest('b', specsB, ['train', 'train']);
    const { ctx, recorded } = context({ extractor: 'openface-csv' }, [a, b]);
    await stage.run(ctx);
    const auNpy = readNpy(join(ctx.outDir, 'au.npy'));
    const lmNpy = readNpy(join(ctx.outDir, 'landmarks.npy'));
    expect([auNpy.dtype, auNpy.shape, lmNpy.dtype, lmNpy.shape]).toEqual(['float32', [6, 17], 'float32', [6, 136]]);
    const status = readCsv(join(ctx.outDir, 'status.csv'));
    expect(status.header).toEqual(['id', 'status', 'confidence']);
    expect(status.rows.map((r) => [r.id, r.status])).toEqual([
      ['a0', 'ok'],
      ['a1', 'no-face'],
      ['a2', 'ok'],
      ['a3', 'low-confidence'],
      ['b0', 'ok'],
      ['b1', 'no-face'], // no CSV for the broken image: openface-csv cannot tell it was unreadable
    ]);
    expect(status.rows[2].confidence).toBe('0.9700');
    expect(status.rows[1].confidence).toBe('');
    const lmRow = (i: number) => Array.from(lmNpy.data.slice(i * 136, (i + 1) * 136));
    const auRow = (i: number) => Array.from(auNpy.data.slice(i * 17, (i + 1) * 17));
    expect(lmRow(0)).toEqual(lm(100));
    expect(lmRow(2)).toEqual(lm(300)); // the more confident of two faces
    expect(lmRow(4)).toEqual(lm(400));
    expect(auRow(4)).toEqual(au(4).map(Math.fround));
    for (const i of [1, 3, 5]) expect(lmRow(i).every(Number.isNaN) && auRow(i).every(Number.isNaN)).toBe(true);
    const report = JSON.parse(readFileSync(join(ctx.outDir, 'extract-report.json'), 'utf8'));
    expect(report.counts).toEqual({ ok: 3, 'no-face': 2, 'low-confidence': 1, unreadable: 0 });
    expect(report.trainWithoutAuxiliary).toBe(2);
    expect(report.multipleFaces).toBe(1);
    expect(recorded).toMatchObject({ extractor: 'openface-csv', version: { extractor: 'openface-csv' } });
  });

  it('openface (stand-in binary): the same values as reading its CSVs, and the broken image is unreadable', async () => {
    const a = await makeIngest('a', specsA, ['train', 'train', 'train', 'test']);
    const b = await makeIngest('b', specsB, ['train', 'train']);
    const run = async (params: ExtractParams) => {
      const { ctx, recorded } = context(params, [a, b]);
      await stage.run(ctx);
      return { dir: ctx.outDir, recorded };
    };
    const log = join(mkdtempSync(join(tmpdir(), 'extract-log-')), 'calls.jsonl');
    process.env.FAKE_OPENFACE_LOG = log;
    const sub = await run({ extractor: 'openface', openfaceBin: FAKE_FACE_LANDMARK_IMG, batchSize: 3, openfaceArgs: ['-wild'] });
    delete process.env.FAKE_OPENFACE_LOG;
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    // 5 readable images in batches of 3: two calls, each with -f per image, -out_dir, -2Dfp -aus and the extra flag
    expect(calls.map((c) => c.filter((a) => a === '-f').length)).toEqual([3, 2]);
    for (const c of calls) {
      expect(c.slice(-3)).toEqual(['-2Dfp', '-aus', '-wild']);
      expect(c[c.indexOf('-out_dir') + 1]).toMatch(/out$/);
    }
    const csv = await run({ extractor: 'openface-csv' });
    const parallel = await run({ extractor: 'openface', openfaceBin: FAKE_FACE_LANDMARK_IMG, batchSize: 2, concurrency: 2 });
    for (const f of ['landmarks.npy', 'au.npy', 'status.csv']) expect(readFileSync(join(parallel.dir, f))).toEqual(readFileSync(join(sub.dir, f)));
    expect(readFileSync(join(sub.dir, 'landmarks.npy'))).toEqual(readFileSync(join(csv.dir, 'landmarks.npy')));
    expect(readFileSync(join(sub.dir, 'au.npy'))).toEqual(readFileSync(join(csv.dir, 'au.npy')));
    const status = readCsv(join(sub.dir, 'status.csv'));
    expect(status.rows[5].status).toBe('unreadable');
    const report = JSON.parse(readFileSync(join(sub.dir, 'extract-report.json'), 'utf8'));
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0].id).toBe('b1');
    expect(sub.recorded).toMatchObject({ extractor: 'openface', version: { tool: 'FaceLandmarkImg', binary: FAKE_FACE_LANDMARK_IMG, args: ['-2Dfp', '-aus', '-wild'] } });
  });

  it('fails before any work on a missing OpenFace, a missing CSV folder, or a CSV without a needed column', async () => {
    const a = await makeIngest('a', specsA.slice(0, 1), ['train']);
    const saved = { PATH: process.env.PATH, OPENFACE_BIN: process.env.OPENFACE_BIN, OPENFACE_DIR: process.env.OPENFACE_DIR };
    try {
      process.env.PATH = '/nonexistent';
      delete process.env.OPENFACE_BIN;
      delete process.env.OPENFACE_DIR;
      await expect(stage.run(context({ extractor: 'openface' }, [a]).ctx)).rejects.toThrow(/FaceLandmarkImg not found[\s\S]*Install OpenFace[\s\S]*openface-csv/);
    } finally {
      Object.assign(process.env, saved);
    }
    await expect(stage.run(context({ extractor: 'openface-csv', csvDir: '/no/such/dir' }, [a]).ctx)).rejects.toThrow(/OpenFace CSV folder \/no\/such\/dir not found/);
    const csv = join(a, 'openface', 'a0.csv');
    const text = readFileSync(csv, 'utf8').replace('AU25_r', 'AU25_x');
    writeFileSync(csv, text);
    await expect(stage.run(context({ extractor: 'openface-csv' }, [a]).ctx)).rejects.toThrow(new RegExp(`${csv}: missing column AU25_r`));
    renameSync(csv, join(a, 'openface', 'other.csv'));
    await expect(stage.run(context({ extractor: 'openface-csv' }, [a]).ctx)).rejects.toThrow(/no OpenFace CSV .* matches a manifest row/);
  });
});

describe('alsg extract --extractor face-api', () => {
  it('gives landmarks for a real photo, no-face for a blank one, and no AUs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extract-fa-'));
    mkdirSync(join(dir, 'images'));
    const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
    copyFileSync(join(demo, 'sample5.jpg'), join(dir, 'images', 'group.jpg'));
    // a flat grey 400x400 image (larger than 200 px, so face-api runs its detector): no face
    await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(join(dir, 'images', 'blank.png'));
    writeManifest(dir, [
      { id: 'group', path: 'images/group.jpg', label: 'happy', dataset: 'toy', split: 'train' },
      { id: 'blank', path: 'images/blank.png', label: 'sad', dataset: 'toy', split: 'train' },
    ]);
    const { ctx } = context(applyParamsSchema<ExtractParams>(stage.paramsSchema, { extractor: 'face-api' }, { file: 'spec' }).params, [dir]);
    const out = ctx.outDir;
    await stage.run(ctx);
    expect(readCsv(join(out, 'status.csv')).rows.map((r) => r.status)).toEqual(['ok', 'no-face']);
    const lmNpy = readNpy(join(out, 'landmarks.npy'));
    expect(Array.from(lmNpy.data.slice(0, 136)).every(Number.isFinite)).toBe(true);
    expect(Array.from(readNpy(join(out, 'au.npy')).data).every(Number.isNaN)).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'extract-report.json'), 'utf8'));
    expect(report).toMatchObject({ extractor: 'face-api', auAvailable: false, multipleFaces: 1, wholeImage: 0, version: { extractor: 'face-api', backend: 'wasm' } });
  });
});
