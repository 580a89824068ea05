import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AU_COLUMNS, LANDMARK_COLUMNS } from '@ldl-alsg/labels';
import { observeRows, parseOpenFaceCsv, readOpenFaceCsv } from './csv-reader';

const dir = mkdtempSync(join(tmpdir(), 'of-csv-'));
const au = (base: number) => AU_COLUMNS.map((_, k) => +(base + k * 0.1).toFixed(2));
const lm = (base: number) => LANDMARK_COLUMNS.map((_, k) => +(base + k * 0.5).toFixed(1));

/** An image-mode CSV with columns in OpenFace's `-2Dfp -aus` order plus pose in between (order must not matter). */
function imageCsv(faces: { confidence: number; au: number[]; lm: number[] }[], sep = ','): string {
  const pose = ['pose_Tx', 'pose_Ty', 'pose_Tz', 'pose_Rx', 'pose_Ry', 'pose_Rz'];
  const auC = [...AU_COLUMNS.map((c) => c.replace('_r', '_c')), 'AU28_c'];
  const header = ['face', 'confidence', ...pose, ...LANDMARK_COLUMNS, ...AU_COLUMNS, ...auC];
  const lines = [header.join(sep)];
  faces.forEach((f, k) => lines.push([k, f.confidence.toFixed(3), ...pose.map(() => '0.1'), ...f.lm.map((v) => v.toFixed(1)), ...f.au.map((v) => v.toFixed(2)), ...auC.map(() => '0')].join(sep)));
  return lines.join('\n') + '\n';
}

describe('OpenFace CSV reader', () => {
  it('reads AUs and landmarks by name, with "," and ", " separators alike', () => {
    for (const sep of [',', ', ']) {
      const parsed = parseOpenFaceCsv(imageCsv([{ confidence: 0.93, au: au(1), lm: lm(100) }], sep), 'x.csv');
      expect(parsed.mode).toBe('image');
      expect(parsed.header[1]).toBe('confidence');
      expect(parsed.rows).toHaveLength(1);
      expect(Array.from(parsed.rows[0].au!)).toEqual(au(1).map(Math.fround));
      expect(Array.from(parsed.rows[0].landmarks!)).toEqual(lm(100).map(Math.fround));
      expect(parsed.rows[0].confidence).toBeCloseTo(0.93, 6);
    }
  });

  it('does not depend on column positions', () => {
    // the same face with AU columns first and landmark columns reversed
    const header = ['confidence', ...AU_COLUMNS, 'face', ...[...LANDMARK_COLUMNS].reverse()];
    const row = ['0.9', ...au(2).map(String), '0', ...[...lm(5)].reverse().map(String)];
    const parsed = parseOpenFaceCsv(`${header.join(', ')}\n${row.join(', ')}\n`, 'y.csv');
    expect(Array.from(parsed.rows[0].au!)).toEqual(au(2).map(Math.fround));
    expect(Array.from(parsed.rows[0].landmarks!)).toEqual(lm(5).map(Math.fround));
  });

  it('keeps the most confident of several faces', () => {
    const text = imageCsv([
      { confidence: 0.7, au: au(0), lm: lm(0) },
      { confidence: 0.95, au: au(3), lm: lm(300) },
      { confidence: 0.8, au: au(1), lm: lm(100) },
    ]);
    const obs = observeRows(parseOpenFaceCsv(text, 'z.csv').rows, 0.5);
    expect(obs.status).toBe('ok');
    expect(obs.faces).toBe(3);
    expect(obs.confidence).toBeCloseTo(0.95, 6);
    expect(obs.landmarks![0]).toBeCloseTo(300, 4);
    expect(obs.au![0]).toBeCloseTo(3, 4);
  });

  it('treats a missing CSV as no face and a weak face as low-confidence', () => {
    expect(readOpenFaceCsv(join(dir, 'nothing-here.csv'), 0.5)).toMatchObject({ status: 'no-face', faces: 0, au: null, landmarks: null });
    const f = join(dir, 'weak.csv');
    writeFileSync(f, imageCsv([{ confidence: 0.3, au: au(0), lm: lm(0) }]));
    const obs = readOpenFaceCsv(f, 0.5);
    expect(obs.status).toBe('low-confidence');
    expect(obs.confidence).toBeCloseTo(0.3, 6);
    expect(obs.landmarks).toBeNull();
    expect(readOpenFaceCsv(f, 0.25).status).toBe('ok');
  });

  it('reads video mode and skips frames whose tracking failed', () => {
    const header = ['frame', 'face_id', 'timestamp', 'confidence', 'success', ...LANDMARK_COLUMNS, ...AU_COLUMNS];
    const row = (frame: number, conf: number, success: number, base: number) =>
      [frame, 0, (frame / 30).toFixed(3), conf, success, ...lm(base), ...au(base / 100)].join(', ');
    const text = [header.join(', '), row(1, 0.98, 0, 100), row(2, 0.9, 1, 200)].join('\n');
    const parsed = parseOpenFaceCsv(text, 'v.csv');
    expect(parsed.mode).toBe('video');
    expect(parsed.rows.map((r) => [r.frame, r.success])).toEqual([
      [1, false],
      [2, true],
    ]);
    // the more confident frame 1 failed tracking, so frame 2 is kept
    expect(observeRows(parsed.rows, 0.5).landmarks![0]).toBeCloseTo(200, 4);
    expect(observeRows(parsed.rows.slice(0, 1), 0.5).status).toBe('no-face');
  });

  it('rejects a CSV missing a needed column, naming the file and the column', () => {
    const header = ['face', 'confidence', ...LANDMARK_COLUMNS, ...AU_COLUMNS.filter((c) => c !== 'AU12_r')];
    const f = join(dir, 'img_0007.csv');
    writeFileSync(f, header.join(',') + '\n' + header.map(() => '1').join(',') + '\n');
    expect(() => readOpenFaceCsv(f, 0.5)).toThrow(new RegExp(`${f.replace(/[.]/g, '\\.')}: missing column AU12_r .*-2Dfp -aus`));
    const noConf = ['face', ...LANDMARK_COLUMNS, ...AU_COLUMNS];
    expect(() => parseOpenFaceCsv(noConf.join(',') + '\n', 'n.csv')).toThrow(/n\.csv: missing column confidence/);
    // a landmarks-only file is fine when AUs are not asked for
    const lmOnly = ['face', 'confidence', ...LANDMARK_COLUMNS];
    expect(parseOpenFaceCsv(lmOnly.join(',') + '\n' + lmOnly.map(() => '2').join(',') + '\n', 'l.csv', { aus: false }).rows[0].au).toBeNull();
  });

  it('names the file, line and column of a bad cell; reads OpenFace nan spellings', () => {
    const good = imageCsv([{ confidence: 0.9, au: au(1), lm: lm(1) }]);
    const bad = good.replace(/\n0,0\.900,/, '\n0,high,');
    expect(() => parseOpenFaceCsv(bad, 'b.csv')).toThrow(/b\.csv:2: column confidence must be a number, but got "high"/);
    const short = good.trimEnd() + '\n0,0.5\n';
    expect(() => parseOpenFaceCsv(short, 's.csv')).toThrow(/s\.csv:3: expected \d+ fields like the header, but got 2/);
    const withNan = good.replace(/\n0,0\.900,0\.1/, '\n0,-nan,0.1');
    const rows = parseOpenFaceCsv(withNan, 'nan.csv').rows;
    expect(Number.isNaN(rows[0].confidence)).toBe(true);
    expect(observeRows(rows, 0.5).status).toBe('no-face');
    expect(() => parseOpenFaceCsv('\n\n', 'e.csv')).toThrow(/e\.csv: empty OpenFace CSV/);
  });
});
