import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readNpy } from '@ldl-alsg/artifacts';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, tempDir, writeImage, writeText } from '../fixtures/source-files';
import { ferplusMajority } from './ferplus';

const pixels = (v: number): string => Array.from({ length: 2304 }, (_, k) => (v + k) % 256).join(' ');

function fer2013(root: string, rows: [number, string, string][]): void {
  writeText(join(root, 'fer2013.csv'), ['emotion,pixels,Usage', ...rows.map(([e, p, u]) => `${e},${p},${u}`)].join('\n') + '\n');
}

describe('fer2013 adapter', () => {
  it('writes 48x48 grey PNGs from the pixels, maps FER codes and usages, and skips malformed pixel rows', async () => {
    const root = tempDir('fer');
    fer2013(root, [
      [0, pixels(1), 'Training'],
      [3, pixels(2), 'PublicTest'],
      [6, '1 2 3', 'PrivateTest'],
      [5, pixels(3), 'PrivateTest'],
    ]);
    const out = tempDir('fer-out');
    await ingestDataset({ format: 'fer2013', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.path, r.label, r.split])).toEqual([
      ['fer2013/fer0000000', 'images/fer0000000.png', 'anger', 'train'],
      ['fer2013/fer0000001', 'images/fer0000001.png', 'happy', 'val'],
      ['fer2013/fer0000003', 'images/fer0000003.png', 'surprise', 'test'],
    ]);
    const meta = await sharp(join(out, 'images/fer0000001.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([48, 48, 1]);
    const { data } = await sharp(join(out, 'images/fer0000001.png')).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(2);
    expect(data[2303]).toBe((2 + 2303) % 256);
    expect(flatSkips(report)).toEqual([{ reason: 'unreadable', file: join(root, 'fer2013.csv'), line: 4, detail: 'expected 2304 pixel values, but got 3' }]);
    expect(report.images.written).toBe(3);
  });

  it('stops cleanly on a bad row after many images are in flight, leaving nothing in the output', async () => {
    const root = tempDir('fer');
    const rows: [number, string, string][] = Array.from({ length: 40 }, (_, k) => [k % 7, pixels(k), 'Training']);
    rows.push([9, pixels(0), 'Training']);
    fer2013(root, rows);
    const out = tempDir('fer-out');
    await expect(ingestDataset({ format: 'fer2013', root }, out)).rejects.toThrow(`${join(root, 'fer2013.csv')}:42: emotion must be an integer in 0..6, but got "9"`);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(out)).toEqual([]);
  });

  it('errors on an emotion outside 0..6 and writes nothing', async () => {
    const root = tempDir('fer');
    fer2013(root, [[7, pixels(1), 'Training']]);
    const out = tempDir('fer-out');
    await expect(ingestDataset({ format: 'fer2013', root }, out)).rejects.toThrow(`${join(root, 'fer2013.csv')}:2: emotion must be an integer in 0..6, but got "7"`);
    expect(existsSync(join(out, 'images'))).toBe(false);
  });
});

const FERPLUS_HEADER = 'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF';

describe('ferplus adapter', () => {
  it('implements FERPlus majority voting (single votes dropped as outliers, > half needed)', () => {
    expect(ferplusMajority([6, 2, 1, 1, 0, 0, 0, 0, 0, 0])).toBe(0);
    expect(ferplusMajority([4, 4, 2, 0, 0, 0, 0, 0, 0, 0])).toBe(-1);
    expect(ferplusMajority([1, 1, 1, 1, 1, 1, 1, 1, 1, 1])).toBe(-1);
    expect(ferplusMajority([0, 0, 0, 0, 0, 0, 0, 0, 0, 10])).toBe(9);
  });

  it('turns votes into distributions and majority labels, skips empty-name rows as no-face, reads fer2013.csv pixels', async () => {
    const root = tempDir('ferplus');
    fer2013(root, [
      [0, pixels(1), 'Training'],
      [3, pixels(2), 'Training'],
      [4, pixels(3), 'PublicTest'],
      [6, pixels(4), 'PrivateTest'],
      [2, pixels(5), 'PrivateTest'],
      [2, pixels(6), 'PrivateTest'],
    ]);
    writeText(
      join(root, 'fer2013new.csv'),
      [
        FERPLUS_HEADER,
        'Training,fer0000000.png,0,0,0,0,8,1,1,0,0,0',
        'Training,,0,0,0,0,0,0,0,0,0,10',
        'PublicTest,fer0000002.png,4,0,0,6,0,0,0,0,0,0',
        'PrivateTest,fer0000003.png,4,4,2,0,0,0,0,0,0,0',
        'PrivateTest,fer0000004.png,0,0,0,0,0,0,2,8,0,0',
        'PrivateTest,fer0000005.png,2,0,0,0,0,0,0,0,8,0',
      ].join('\n') + '\n',
    );
    const out = tempDir('ferplus-out');
    await ingestDataset({ format: 'auto', root }, out);
    const { rows, report } = readOutput(out);
    expect(report.format).toBe('ferplus');
    expect(rows.map((r) => [r.id, r.path, r.label, r.split, r.source_label])).toEqual([
      ['ferplus/fer0000000', 'images/fer0000000.png', 'anger', 'train', 'anger'],
      ['ferplus/fer0000002', 'images/fer0000002.png', 'sad', 'val', 'sadness'],
    ]);
    const csv = join(root, 'fer2013new.csv');
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([
      ['no-face', 3],
      ['no-majority', 5],
      ['contempt', 6],
      ['unknown', 7],
    ]);
    expect(flatSkips(report)[0]).toEqual({ reason: 'no-face', file: csv, line: 3, detail: 'empty image name' });
    const dist = readNpy(join(out, 'distribution.npy'));
    // canonical order: neutral happy sad surprise fear disgust anger; contempt/unknown/NF votes left out
    expect(Array.from(dist.data.subarray(0, 7))).toEqual([0, 0, 0, 0, 0.1, 0.1, 0.8].map(Math.fround));
    expect(Array.from(dist.data.subarray(7, 14))).toEqual([0.4, 0, 0.6, 0, 0, 0, 0].map(Math.fround));
    const { data } = await sharp(join(out, 'images/fer0000002.png')).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBe(3);
  });

  it('uses the FER2013Train/Valid/Test image folders when present', async () => {
    const root = tempDir('ferplus');
    writeText(join(root, 'fer2013new.csv'), [FERPLUS_HEADER, 'Training,fer0000000.png,10,0,0,0,0,0,0,0,0,0', 'PrivateTest,fer0000001.png,0,9,0,0,0,0,0,0,1,0'].join('\n'));
    await writeImage(join(root, 'FER2013Train/fer0000000.png'));
    await writeImage(join(root, 'FER2013Test/fer0000001.png'));
    const out = tempDir('ferplus-out');
    await ingestDataset({ format: 'ferplus', root }, out);
    expect(readOutput(out).rows.map((r) => [r.path, r.label, r.split])).toEqual([
      [join(root, 'FER2013Train/fer0000000.png'), 'neutral', 'train'],
      [join(root, 'FER2013Test/fer0000001.png'), 'happy', 'test'],
    ]);
  });

  it('errors when neither image source exists', async () => {
    const root = tempDir('ferplus');
    writeText(join(root, 'fer2013new.csv'), [FERPLUS_HEADER, 'Training,fer0000000.png,10,0,0,0,0,0,0,0,0,0'].join('\n'));
    await expect(ingestDataset({ format: 'ferplus', root }, tempDir('ferplus-out'))).rejects.toThrow(
      `ferplus: expected fer2013.csv (pixels) or the FER2013Train/ image folders at ${join(root, 'fer2013.csv')}`,
    );
  });
});
