import { describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FAKE_FACE_LANDMARK_IMG,
  FAKE_FEATURE_EXTRACTION,
  FAKE_OPENFACE_DIR,
  writeFakeFacePng,
  writeTruncatedPng,
} from './fixtures/fake-openface/fixtures';
import { locateOpenFace } from './locate';
import { runFaceLandmarkImg } from './openface-runner';
import { runFeatureExtraction } from './feature-extraction';

const au = (v: number) => new Array(17).fill(v);
const lm = (v: number) => Array.from({ length: 136 }, (_, k) => v + k);

function tmp(name: string): string {
  return mkdtempSync(join(tmpdir(), `of-${name}-`));
}

describe('locateOpenFace', () => {
  it('finds the binary from the parameter, then OPENFACE_BIN, OPENFACE_DIR, then PATH', () => {
    expect(locateOpenFace('FaceLandmarkImg', { param: FAKE_FACE_LANDMARK_IMG, env: {} })).toBe(FAKE_FACE_LANDMARK_IMG);
    expect(locateOpenFace('FeatureExtraction', { param: FAKE_FACE_LANDMARK_IMG, env: {} })).toBe(FAKE_FEATURE_EXTRACTION);
    expect(locateOpenFace('FaceLandmarkImg', { env: { OPENFACE_BIN: FAKE_OPENFACE_DIR } })).toBe(FAKE_FACE_LANDMARK_IMG);
    const build = tmp('build');
    mkdirSync(join(build, 'build', 'bin'), { recursive: true });
    copyFileSync(FAKE_FACE_LANDMARK_IMG, join(build, 'build', 'bin', 'FaceLandmarkImg'));
    chmodSync(join(build, 'build', 'bin', 'FaceLandmarkImg'), 0o755);
    expect(locateOpenFace('FaceLandmarkImg', { env: { OPENFACE_DIR: build } })).toBe(join(build, 'build', 'bin', 'FaceLandmarkImg'));
    expect(locateOpenFace('FaceLandmarkImg', { env: { PATH: `/nonexistent:${FAKE_OPENFACE_DIR}` } })).toBe(FAKE_FACE_LANDMARK_IMG);
  });

  it('fails at once with install instructions and the other extractors', () => {
    expect(() => locateOpenFace('FaceLandmarkImg', { env: { PATH: '/nonexistent' } })).toThrow(/FaceLandmarkImg not found[\s\S]*Install OpenFace[\s\S]*openface-csv[\s\S]*face-api/);
    // an explicit parameter that points nowhere is an error, even when PATH has one
    expect(() => locateOpenFace('FaceLandmarkImg', { param: '/no/such/FaceLandmarkImg', env: { PATH: FAKE_OPENFACE_DIR } })).toThrow(/\/no\/such\/FaceLandmarkImg \(parameter openfaceBin\)/);
  });
});

describe('runFaceLandmarkImg with the OpenFace stand-in', () => {
  it('reads every face, both separator styles, no-face and same-named images in different folders', async () => {
    const d = tmp('imgs');
    mkdirSync(join(d, 'happy'));
    mkdirSync(join(d, 'sad'));
    await writeFakeFacePng(join(d, 'happy', '001.png'), { faces: [{ confidence: 0.6, au: au(1), landmarks: lm(10) }, { confidence: 0.95, au: au(2), landmarks: lm(20) }] });
    await writeFakeFacePng(join(d, 'sad', '001.png'), { faces: [{ confidence: 0.9, au: au(3), landmarks: lm(30) }], separator: ', ' });
    await writeFakeFacePng(join(d, 'none.png'), { faces: [] });
    await writeFakeFacePng(join(d, 'weak.png'), { faces: [{ confidence: 0.2 }] });
    const jobs = ['happy/001.png', 'sad/001.png', 'none.png', 'weak.png'].map((p, index) => ({ index, path: join(d, p) }));
    const { results, stats } = await runFaceLandmarkImg(jobs, { bin: FAKE_FACE_LANDMARK_IMG, workDir: tmp('work'), batchSize: 8 });
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'no-face', 'low-confidence']);
    expect(results[0].faces).toBe(2);
    expect(results[0].confidence).toBeCloseTo(0.95, 6);
    expect(results[0].au![0]).toBeCloseTo(2, 6);
    expect(results[0].landmarks![135]).toBeCloseTo(155, 4);
    expect(results[1].au![16]).toBeCloseTo(3, 6);
    expect(results[1].landmarks![0]).toBeCloseTo(30, 4);
    expect(stats).toEqual({ calls: 1, failedBatches: 0, singleRetries: 0 });
  });

  it('sets an unreadable image aside before OpenFace, and retries a failing batch one by one', async () => {
    const d = tmp('bad');
    await writeFakeFacePng(join(d, 'a.png'), { faces: [{ confidence: 0.9, landmarks: lm(1), au: au(1) }] }, 10);
    await writeTruncatedPng(join(d, 'b.png'));
    writeFileSync(join(d, 'c.jpg'), 'not a jpeg at all');
    await writeFakeFacePng(join(d, 'd.png'), { crash: true }, 20); // readable, but OpenFace fails on it
    await writeFakeFacePng(join(d, 'e.png'), {}, 30);
    const jobs = ['a.png', 'b.png', 'c.jpg', 'd.png', 'e.png', 'missing.png'].map((p, index) => ({ index, path: join(d, p) }));
    const failures: string[] = [];
    const { results, stats } = await runFaceLandmarkImg(jobs, { bin: FAKE_FACE_LANDMARK_IMG, workDir: tmp('work'), batchSize: 10, onCallFailure: (m) => failures.push(m) });
    expect(results.map((r) => r.status)).toEqual(['ok', 'unreadable', 'unreadable', 'unreadable', 'ok', 'unreadable']);
    expect(results[1].reason).toMatch(/png/i);
    expect(results[3].reason).toMatch(/OpenFace failed on this image: .*exit code 1.*cv::Exception/);
    expect(results[5].reason).toBe('file not found');
    expect(results[0].landmarks![0]).toBeCloseTo(1, 4);
    // one batch call of the 3 readable images failed on d.png, then 3 single calls
    expect(stats).toEqual({ calls: 4, failedBatches: 1, singleRetries: 3 });
    expect(failures[0]).toMatch(/batch 0 \(3 images\) failed/);
  });

  it('stops a call that runs past its timeout', async () => {
    const d = tmp('slow');
    await writeFakeFacePng(join(d, 'slow.png'), { sleepMs: 5000 });
    const t = performance.now();
    const { results } = await runFaceLandmarkImg([{ index: 0, path: join(d, 'slow.png') }], { bin: FAKE_FACE_LANDMARK_IMG, workDir: tmp('work'), timeoutS: 0.5 });
    expect(results[0].status).toBe('unreadable');
    expect(results[0].reason).toMatch(/timed out after 0\.5 s/);
    expect(performance.now() - t).toBeLessThan(4500);
  });
});

describe('runFeatureExtraction (sequences)', () => {
  it('maps frames of one folder to their rows, with no face where tracking failed', async () => {
    const d = tmp('seq');
    mkdirSync(join(d, 'S005', '001'), { recursive: true });
    mkdirSync(join(d, 'S006', '001'), { recursive: true });
    await writeFakeFacePng(join(d, 'S005', '001', 'f1.png'), { faces: [{ confidence: 0.9, landmarks: lm(100), au: au(0.5) }] }, 1);
    await writeFakeFacePng(join(d, 'S005', '001', 'f9.png'), { faces: [] }, 2);
    await writeFakeFacePng(join(d, 'S005', '001', 'f5.png'), { faces: [{ confidence: 0.8, landmarks: lm(500), au: au(4) }] }, 3);
    await writeFakeFacePng(join(d, 'S006', '001', 'x.png'), { faces: [{ confidence: 0.97, landmarks: lm(7), au: au(1) }] }, 4);
    // manifest order differs from file-name order: rows must still get their own frame
    const jobs = ['S005/001/f1.png', 'S006/001/x.png', 'S005/001/f9.png', 'S005/001/f5.png'].map((p, index) => ({ index, path: join(d, p) }));
    const { results, stats } = await runFeatureExtraction(jobs, { bin: FAKE_FEATURE_EXTRACTION, workDir: tmp('work') });
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'no-face', 'ok']);
    expect(results.map((r) => r.landmarks?.[0])).toEqual([100, 7, undefined, 500]);
    expect(stats.calls).toBe(2);
  });
});
