import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, tempDir, writeImage, writeNpyString, writeText } from '../fixtures/source-files';

const HEADER = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal';
const LANDMARKS = Array.from({ length: 68 }, (_, k) => `${k}.5;${k + 1}.25`).join(';');

async function csvTree(trainCodes: number[], valCodes: number[]): Promise<string> {
  const root = tempDir('affectnet');
  const write = async (name: string, codes: number[], dir: string): Promise<void> => {
    const lines = [HEADER];
    for (const [k, code] of codes.entries()) {
      const rel = `${dir}/${name}${k}.jpg`;
      lines.push(`${rel},10,10,50,50,${LANDMARKS},${code},0.1,-0.2`);
      await writeImage(join(root, 'Manually_Annotated_Images', rel), k);
    }
    writeText(join(root, 'Manually_Annotated_file_lists', `${name}.csv`), lines.join('\n') + '\n');
  };
  await write('training', trainCodes, '689');
  await write('validation', valCodes, '12');
  return root;
}

describe('affectnet adapter', () => {
  it('reads the CSV release, keeps codes 0-6 in canonical order and counts 7-10 per reason with their lines', async () => {
    const root = await csvTree([0, 1, 7, 8, 6, 9, 10], [3, 7]);
    const out = tempDir('affectnet-out');
    await ingestDataset({ format: 'affectnet', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.split])).toEqual([
      ['affectnet/689/training0', 'neutral', 'train'],
      ['affectnet/689/training1', 'happy', 'train'],
      ['affectnet/689/training4', 'anger', 'train'],
      ['affectnet/12/validation0', 'surprise', 'test'],
    ]);
    expect(report.skipCounts).toEqual({ contempt: 2, none: 1, uncertain: 1, 'no-face': 1 });
    const train = join(root, 'Manually_Annotated_file_lists/training.csv');
    const val = join(root, 'Manually_Annotated_file_lists/validation.csv');
    expect(flatSkips(report).map((s) => [s.reason, s.file, s.line])).toEqual([
      ['contempt', train, 4],
      ['contempt', val, 3],
      ['none', train, 5],
      ['uncertain', train, 7],
      ['no-face', train, 8],
    ]);
  });

  it('maps validation to val when asked', async () => {
    const root = await csvTree([1], [2]);
    const out = tempDir('affectnet-out');
    await ingestDataset({ format: 'affectnet', root, splitMap: { validation: 'val' } }, out);
    expect(readOutput(out).rows.map((r) => r.split)).toEqual(['train', 'val']);
  });

  it('crops faces to their CSV box with cropFaces, recording a box outside the image as bad-box', async () => {
    const root = await csvTree([1, 2], []);
    // csvTree's boxes are 10,10,50,50 on 16x16 images: the first crops to 6x6, the second is moved outside.
    const file = join(root, 'Manually_Annotated_file_lists/training.csv');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(training1\.jpg),10,10,/, '$1,40,40,'));
    const out = tempDir('affectnet-out');
    await ingestDataset({ format: 'affectnet', root, cropFaces: true }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.path])).toEqual([['affectnet/689/training0', 'images/689/training0.png']]);
    const meta = await sharp(join(out, 'images/689/training0.png')).metadata();
    expect([meta.width, meta.height]).toEqual([6, 6]);
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([['bad-box', 3]]);
  });

  it('errors on an expression code outside 0..10', async () => {
    const root = await csvTree([1, 11], []);
    await expect(ingestDataset({ format: 'affectnet', root }, tempDir('affectnet-out'))).rejects.toThrow(
      `${join(root, 'Manually_Annotated_file_lists/training.csv')}:3: expression must be an integer in 0..10, but got "11"`,
    );
  });

  it('reads the newer train_set/annotations/<n>_exp.npy layout (numpy unicode scalars)', async () => {
    const root = tempDir('affectnet-npy');
    const codes: Record<string, string[]> = { train_set: ['2', '7', '5', '10'], val_set: ['4', '8'] };
    for (const [set, list] of Object.entries(codes)) {
      for (const [k, code] of list.entries()) {
        writeNpyString(join(root, set, 'annotations', `${k}_exp.npy`), code);
        writeNpyString(join(root, set, 'annotations', `${k}_val.npy`), '0.25');
        await writeImage(join(root, set, 'images', `${k}.jpg`), k);
      }
    }
    const out = tempDir('affectnet-out');
    await ingestDataset({ format: 'auto', root }, out);
    const { rows, report } = readOutput(out);
    expect(report.format).toBe('affectnet');
    expect(rows.map((r) => [r.id, r.label, r.split, r.source_label])).toEqual([
      ['affectnet/train_set/0', 'sad', 'train', '2'],
      ['affectnet/train_set/2', 'disgust', 'train', '5'],
      ['affectnet/val_set/0', 'fear', 'test', '4'],
    ]);
    expect(report.skipCounts).toEqual({ contempt: 1, 'no-face': 1, none: 1 });
    expect(flatSkips(report)[0].file).toBe(join(root, 'train_set/annotations/1_exp.npy'));
  });
});
