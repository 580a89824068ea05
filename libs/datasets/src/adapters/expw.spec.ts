import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, tempDir, writeImage, writeText, writeTruncatedJpeg } from '../fixtures/source-files';

describe('expw adapter', () => {
  it('crops face boxes to PNGs, clips boxes to the image and records bad boxes, unreadable images and low confidence', async () => {
    const root = tempDir('expw');
    await writeImage(join(root, 'image/origin/a.jpg'), 1, 40, 30);
    await writeTruncatedJpeg(join(root, 'image/origin/broken.jpg'));
    writeText(
      join(root, 'label/label.lst'),
      [
        // name face_id top left right bottom confidence label (0 angry ... 6 neutral)
        'a.jpg 0 2 4 24 22 80.5 3',
        'a.jpg 1 20 30 60 50 40.1 6', // clipped to 40x30
        'a.jpg 2 5 5 5 20 50.0 0', // empty box
        'broken.jpg 0 0 0 10 10 60.0 2',
        'a.jpg 3 0 0 10 10 1.5 4', // low confidence
      ].join('\n') + '\n',
    );
    const out = tempDir('expw-out');
    await ingestDataset({ format: 'expw', root, minFaceConfidence: 10 }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.path, r.label, r.split])).toEqual([
      ['expw/a_0', 'images/a_0.png', 'happy', 'train'],
      ['expw/a_1', 'images/a_1.png', 'neutral', 'train'],
    ]);
    const m0 = await sharp(join(out, 'images/a_0.png')).metadata();
    expect([m0.width, m0.height]).toEqual([20, 20]);
    const m1 = await sharp(join(out, 'images/a_1.png')).metadata();
    expect([m1.width, m1.height]).toEqual([10, 10]);
    const list = join(root, 'label/label.lst');
    expect(flatSkips(report).map((s) => [s.reason, s.file, s.line])).toEqual([
      ['low-confidence', list, 5],
      ['bad-box', list, 3],
      ['unreadable', list, 4],
    ]);
  });

  it('errors on a label outside 0..6', async () => {
    const root = tempDir('expw');
    await writeImage(join(root, 'image/origin/a.jpg'), 1, 40, 30);
    writeText(join(root, 'label/label.lst'), 'a.jpg 0 2 4 24 22 80.5 9\n');
    await expect(ingestDataset({ format: 'expw', root }, tempDir('expw-out'))).rejects.toThrow(
      `${join(root, 'label/label.lst')}:1: expression_label must be an integer in 0..6, but got "9"`,
    );
  });
});
