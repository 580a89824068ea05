import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, tempDir, writeImage, writeText } from '../fixtures/source-files';

describe('sfew adapter', () => {
  it('reads Train/Val class folders, maps Val to test, and records every unlabelled test image', async () => {
    const root = tempDir('sfew');
    await writeImage(join(root, 'Train/Angry/a1.png'));
    await writeImage(join(root, 'Train/Happy/h1.png'));
    await writeImage(join(root, 'Val/Surprise/s1.png'));
    await writeImage(join(root, 'Val/Neutral/n1.png'));
    await writeImage(join(root, 'Test/t1.png'));
    await writeImage(join(root, 'Test/t2.png'));
    const out = tempDir('sfew-out');
    await ingestDataset({ format: 'sfew', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.split, r.source_label])).toEqual([
      ['sfew/Train/Angry/a1', 'anger', 'train', 'Angry'],
      ['sfew/Train/Happy/h1', 'happy', 'train', 'Happy'],
      ['sfew/Val/Neutral/n1', 'neutral', 'test', 'Neutral'],
      ['sfew/Val/Surprise/s1', 'surprise', 'test', 'Surprise'],
    ]);
    expect(report.skipCounts).toEqual({ unlabelled: 2 });
    expect(flatSkips(report).map((s) => s.file)).toEqual([join(root, 'Test/t1.png'), join(root, 'Test/t2.png')]);
  });

  it('drops a split mapped to skip, counting each image as split-excluded', async () => {
    const root = tempDir('sfew');
    await writeImage(join(root, 'Train/Angry/a1.png'));
    await writeImage(join(root, 'Train/Angry/a2.png'));
    await writeImage(join(root, 'Val/Sad/s1.png'));
    const out = tempDir('sfew-out');
    await ingestDataset({ format: 'sfew', root, splitMap: { Train: 'skip' } }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.split])).toEqual([['sfew/Val/Sad/s1', 'test']]);
    expect(report.skipCounts).toEqual({ 'split-excluded': 2 });
  });

  it('errors on a class folder SFEW does not have', async () => {
    const root = tempDir('sfew');
    await writeImage(join(root, 'Train/Happy/h1.png'));
    await writeImage(join(root, 'Train/Bored/b1.png'));
    await expect(ingestDataset({ format: 'sfew', root }, tempDir('sfew-out'))).rejects.toThrow(
      `sfew: ${join(root, 'Train/Bored')}: class folder must be one of Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise, but got "Bored"`,
    );
  });
});

/** A CK+ tree: float label files, one contempt sequence, one unlabelled sequence. */
async function ckTree(): Promise<string> {
  const root = tempDir('ckplus');
  const seq = async (s: string, q: string, frames: number, code?: string): Promise<void> => {
    for (let f = 1; f <= frames; f++) await writeImage(join(root, 'cohn-kanade-images', s, q, `${s}_${q}_${String(f).padStart(8, '0')}.png`), f);
    if (code !== undefined) writeText(join(root, 'Emotion', s, q, `${s}_${q}_${String(frames).padStart(8, '0')}_emotion.txt`), `   ${code}\n`);
  };
  await seq('S005', '001', 11, '3.0000000e+00'); // disgust
  await seq('S010', '002', 4, '2.0000000e+00'); // contempt
  await seq('S010', '004', 5); // unlabelled
  await seq('S011', '001', 3, '5.0000000e+00'); // happy
  return root;
}

describe('ckplus adapter', () => {
  it('takes the first frame as neutral and the last as the label, drops contempt peaks and records unlabelled sequences', async () => {
    const root = await ckTree();
    const out = tempDir('ck-out');
    await ingestDataset({ format: 'ckplus', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.split, r.domain, r.subject, r.source_label])).toEqual([
      ['ckplus/S005/001/S005_001_00000001', 'neutral', 'test', 'lab', 'S005', 'first-frame'],
      ['ckplus/S005/001/S005_001_00000011', 'disgust', 'test', 'lab', 'S005', '3'],
      ['ckplus/S010/002/S010_002_00000001', 'neutral', 'test', 'lab', 'S010', 'first-frame'],
      ['ckplus/S011/001/S011_001_00000001', 'neutral', 'test', 'lab', 'S011', 'first-frame'],
      ['ckplus/S011/001/S011_001_00000003', 'happy', 'test', 'lab', 'S011', '5'],
    ]);
    expect(report.skipCounts).toEqual({ contempt: 1, unlabelled: 1 });
    expect(flatSkips(report)[0]).toMatchObject({ reason: 'contempt', file: join(root, 'Emotion/S010/002/S010_002_00000004_emotion.txt'), line: 1 });
    expect(flatSkips(report)[1]).toMatchObject({ reason: 'unlabelled', file: join(root, 'cohn-kanade-images/S010/004') });
  });

  it("reproduces the paper's 636 CK+ images from 593 sequences (327 labelled, 18 contempt)", async () => {
    const root = tempDir('ckplus-full');
    const frame = join(root, 'frame.png');
    await writeImage(frame, 1, 8, 8);
    const png = readFileSync(frame);
    // CK+'s published label counts (Lucey et al. 2010, Table 2): anger 45, contempt 18, disgust 59, fear 25, happy 69,
    // sadness 28, surprise 83.
    const counts: [number, number][] = [[1, 45], [2, 18], [3, 59], [4, 25], [5, 69], [6, 28], [7, 83]];
    const codes = counts.flatMap(([code, n]) => Array<number>(n).fill(code));
    for (let k = 0; k < 593; k++) {
      const s = `S${String(100 + Math.floor(k / 5))}`;
      const q = String((k % 5) + 1).padStart(3, '0');
      for (let f = 1; f <= 3; f++) {
        const dir = join(root, 'cohn-kanade-images', s, q);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${s}_${q}_${String(f).padStart(8, '0')}.png`), png);
      }
      if (k < codes.length) writeText(join(root, 'Emotion', s, q, `${s}_${q}_00000003_emotion.txt`), `   ${codes[k].toExponential(7)}\n`);
    }
    const out = tempDir('ck-out');
    await ingestDataset({ format: 'ckplus', root, imageCheck: 'header' }, out);
    const { report } = readOutput(out);
    expect(report.rows).toBe(636);
    expect(report.totals.byClass).toEqual({ neutral: 327, happy: 69, sad: 28, surprise: 83, fear: 25, disgust: 59, anger: 45 });
    expect(report.skipCounts).toEqual({ contempt: 18, unlabelled: 593 - 327 });
  });

  it('errors on an emotion code outside 0..7 naming the label file', async () => {
    const root = await ckTree();
    const file = join(root, 'Emotion/S005/001/S005_001_00000011_emotion.txt');
    writeText(file, '   8.0000000e+00\n');
    await expect(ingestDataset({ format: 'ckplus', root }, tempDir('ck-out'))).rejects.toThrow(
      `${file}:1: emotion code must be an integer in 0..7, but got "8.0000000e+00"`,
    );
  });

  it('names the missing Emotion folder', async () => {
    const root = tempDir('ckplus');
    await writeImage(join(root, 'cohn-kanade-images/S005/001/S005_001_00000001.png'));
    await expect(ingestDataset({ format: 'ckplus', root }, tempDir('ck-out'))).rejects.toThrow(
      `ckplus: expected the labels folder at ${join(root, 'Emotion')}, but it does not exist; found in ${root}: cohn-kanade-images`,
    );
  });
});
