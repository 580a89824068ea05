import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '@ldl-alsg/artifacts';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, tempDir, writeImage, writeText, writeTruncatedJpeg } from '../fixtures/source-files';

/** A RAF-DB basic tree: 1-based labels in RAF's order, `_aligned` image names, crowd distributions. */
async function rafTree(): Promise<string> {
  const root = tempDir('raf');
  // RAF codes: 1 surprise, 2 fear, 3 disgust, 4 happy, 5 sad, 6 anger, 7 neutral.
  const list = ['train_00001.jpg 5', 'train_00002.jpg 1', 'train_00003.jpg 7', 'test_0001.jpg 4', 'test_0002.jpg 6'];
  writeText(join(root, 'EmoLabel/list_patition_label.txt'), list.join('\n') + '\n');
  writeText(
    join(root, 'EmoLabel/distribution_basic.txt'),
    ['train_00001.jpg 0.1 0 0 0 0.9 0 0', 'train_00002.jpg 0.5 0.25 0 0 0 0 0.25', 'test_0001.jpg 0 0 0 2 0 0 2'].join('\n') + '\n',
  );
  for (const [k, line] of list.entries()) await writeImage(join(root, 'Image/aligned', line.split(' ')[0].replace('.jpg', '_aligned.jpg')), k);
  return root;
}

describe('raf-db adapter', () => {
  it('maps 1-based RAF labels, points at _aligned images and writes crowd distributions in canonical order', async () => {
    const root = await rafTree();
    const out = tempDir('raf-out');
    await ingestDataset({ format: 'raf-db', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.split, r.source_label, r.domain])).toEqual([
      ['raf-db/train_00001', 'sad', 'train', '5', 'wild'],
      ['raf-db/train_00002', 'surprise', 'train', '1', 'wild'],
      ['raf-db/train_00003', 'neutral', 'train', '7', 'wild'],
      ['raf-db/test_0001', 'happy', 'test', '4', 'wild'],
      ['raf-db/test_0002', 'anger', 'test', '6', 'wild'],
    ]);
    expect(rows[0].path).toBe(join(root, 'Image/aligned/train_00001_aligned.jpg'));
    const dist = readNpy(join(out, 'distribution.npy'));
    expect(dist.shape).toEqual([5, 7]);
    // canonical: neutral happy sad surprise fear disgust anger
    expect(Array.from(dist.data.subarray(0, 7))).toEqual([0, 0, Math.fround(0.9), Math.fround(0.1), 0, 0, 0]);
    expect(Array.from(dist.data.subarray(7, 14))).toEqual([0.25, 0, 0, 0.5, 0.25, 0, 0]);
    expect(Array.from(dist.data.subarray(14, 21)).every(Number.isNaN)).toBe(true);
    expect(Array.from(dist.data.subarray(21, 28))).toEqual([0.5, 0.5, 0, 0, 0, 0, 0]);
    expect(report.totals.bySplit).toEqual({ train: 3, test: 2 });
    expect(report.distribution).toEqual({ file: 'distribution.npy', known: 3, unknown: 2 });
    expect(report.skipCounts).toEqual({});
    expect(readdirSync(out).sort()).toEqual(['distribution.npy', 'ingest-report.json', 'manifest.csv']);
  });

  it('points at Image/original/<name> with rafImages: original', async () => {
    const root = await rafTree();
    for (const name of ['train_00001', 'train_00002', 'train_00003', 'test_0001', 'test_0002']) await writeImage(join(root, 'Image/original', `${name}.jpg`));
    const out = tempDir('raf-out');
    await ingestDataset({ format: 'raf-db', root, rafImages: 'original' }, out);
    expect(readOutput(out).rows[0].path).toBe(join(root, 'Image/original/train_00001.jpg'));
  });

  it('errors on a label outside 1..7 naming the file and line, and leaves no manifest', async () => {
    const root = await rafTree();
    writeText(join(root, 'EmoLabel/list_patition_label.txt'), 'train_00001.jpg 5\ntrain_00002.jpg 0\n');
    const out = tempDir('raf-out');
    await expect(ingestDataset({ format: 'raf-db', root }, out)).rejects.toThrow(
      `${join(root, 'EmoLabel/list_patition_label.txt')}:2: label must be an integer in 1..7, but got "0"`,
    );
    expect(readdirSync(out)).toEqual([]);
  });

  it('names the expected label file and the near miss that was found', async () => {
    const root = tempDir('raf');
    writeText(join(root, 'EmoLabel/list_partition_label.txt'), 'train_00001.jpg 5\n');
    await expect(ingestDataset({ format: 'raf-db', root }, tempDir('raf-out'))).rejects.toThrow(
      `raf-db: expected the label list at ${join(root, 'EmoLabel/list_patition_label.txt')}, but it does not exist; found in ${join(root, 'EmoLabel')}: list_partition_label.txt; did you mean "list_partition_label.txt" (expected exactly "list_patition_label.txt")?`,
    );
  });

  it('errors on duplicate ids with both lines', async () => {
    const root = await rafTree();
    writeText(join(root, 'EmoLabel/list_patition_label.txt'), 'train_00001.jpg 5\ntrain_00002.jpg 1\ntrain_00001.jpg 3\n');
    const list = join(root, 'EmoLabel/list_patition_label.txt');
    await expect(ingestDataset({ format: 'raf-db', root }, tempDir('raf-out'))).rejects.toThrow(
      `${list}:3: duplicate id "raf-db/train_00001" (first seen at ${list}:1)`,
    );
  });

  it('skips a truncated image and a missing one with their reasons and lines, or errors with onBadImage: error', async () => {
    const root = await rafTree();
    await writeTruncatedJpeg(join(root, 'Image/aligned/train_00002_aligned.jpg'));
    const { rmSync } = await import('node:fs');
    rmSync(join(root, 'Image/aligned/test_0002_aligned.jpg'));
    const out = tempDir('raf-out');
    await ingestDataset({ format: 'raf-db', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => r.id)).toEqual(['raf-db/train_00001', 'raf-db/train_00003', 'raf-db/test_0001']);
    expect(report.skipCounts).toEqual({ unreadable: 1, 'missing-image': 1 });
    const list = join(root, 'EmoLabel/list_patition_label.txt');
    expect(flatSkips(report).map((s) => [s.reason, s.file, s.line])).toEqual([
      ['unreadable', list, 2],
      ['missing-image', list, 5],
    ]);
    // distribution rows stay aligned with the manifest after the skips
    const dist = readNpy(join(out, 'distribution.npy'));
    expect(dist.shape).toEqual([3, 7]);
    expect(dist.data[2]).toBeCloseTo(0.9);
    await expect(ingestDataset({ format: 'raf-db', root, onBadImage: 'error' }, tempDir('raf-out'))).rejects.toThrow(`${list}:2: unreadable: `);
  });

  it('says what was found when no listed image exists (original images where aligned were expected)', async () => {
    const root = tempDir('raf');
    writeText(join(root, 'EmoLabel/list_patition_label.txt'), 'train_00001.jpg 5\n');
    await writeImage(join(root, 'Image/aligned/train_00001.jpg'));
    const out = tempDir('raf-out');
    await expect(ingestDataset({ format: 'raf-db', root }, out)).rejects.toThrow(
      `raf-db: none of the 1 listed images exist; expected e.g. ${join(root, 'Image/aligned/train_00001_aligned.jpg')}`,
    );
    expect(existsSync(join(out, 'manifest.csv'))).toBe(false);
  });
});
