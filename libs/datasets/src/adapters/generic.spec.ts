import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestDataset } from '../ingest';
import { detectFormat } from '../detect-format';
import { selectFrames } from '../sequence-protocols';
import { flatSkips, readOutput, tempDir, writeImage, writeText } from '../fixtures/source-files';

describe('sequence protocols (paper Sec. 4.1)', () => {
  it('selects frames as the paper describes', () => {
    expect(selectFrames('ckplus', 11)).toEqual({ neutral: [0], expressive: [10] });
    expect(selectFrames('mmi', 9)).toEqual({ neutral: [0, 1], expressive: [3, 4, 5] });
    expect(selectFrames('mmi', 30)?.expressive).toEqual(Array.from({ length: 10 }, (_, k) => 10 + k));
    expect(selectFrames('oulu', 10)).toEqual({ neutral: [0, 1], expressive: [6, 7, 8, 9] });
    expect(selectFrames('oulu', 3)).toEqual({ neutral: [0, 1], expressive: [2] });
    expect(selectFrames('mmi', 4)).toBeNull();
    expect(selectFrames('ckplus', 1)).toBeNull();
  });
});

describe('folder adapter', () => {
  it('reads <split>/<class>/<file> with aliases, drops contempt and counts it', async () => {
    const root = tempDir('folder');
    await writeImage(join(root, 'train/Happy/1.png'));
    await writeImage(join(root, 'train/angry/2.png'));
    await writeImage(join(root, 'test/contempt/3.png'));
    await writeImage(join(root, 'test/sadness/4.jpg'));
    const out = tempDir('folder-out');
    await ingestDataset({ format: 'auto', root, dataset: 'mine', domain: 'wild' }, out);
    const { rows, report } = readOutput(out);
    expect(report.format).toBe('folder');
    expect(rows.map((r) => [r.id, r.label, r.split, r.dataset, r.domain])).toEqual([
      ['mine/test/sadness/4', 'sad', 'test', 'mine', 'wild'],
      ['mine/train/angry/2', 'anger', 'train', 'mine', 'wild'],
      ['mine/train/Happy/1', 'happy', 'train', 'mine', 'wild'],
    ]);
    expect(flatSkips(report)).toEqual([{ reason: 'contempt', file: join(root, 'test/contempt/3.png') }]);
  });

  it('applies the Oulu-CASIA protocol to <subject>/<Class>/<frames> sequences in natural frame order', async () => {
    const root = tempDir('oulu');
    for (let f = 0; f < 10; f++) await writeImage(join(root, 'P001/Happiness', `${f}.jpeg`), f);
    for (let f = 0; f < 2; f++) await writeImage(join(root, 'P002/Anger', `${f}.jpeg`), f);
    const out = tempDir('oulu-out');
    await ingestDataset({ format: 'folder', root, dataset: 'oulu', protocol: 'oulu' }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.subject])).toEqual([
      ['oulu/P001/Happiness/0', 'neutral', 'P001'],
      ['oulu/P001/Happiness/1', 'neutral', 'P001'],
      ['oulu/P001/Happiness/6', 'happy', 'P001'],
      ['oulu/P001/Happiness/7', 'happy', 'P001'],
      ['oulu/P001/Happiness/8', 'happy', 'P001'],
      ['oulu/P001/Happiness/9', 'happy', 'P001'],
    ]);
    expect(flatSkips(report)).toEqual([{ reason: 'short-sequence', file: join(root, 'P002/Anger'), detail: '2 frames; protocol oulu needs more' }]);
    expect(report.notes.framesNotSelected).toBe(4);
  });

  it('cfee protocol skips compound-expression folders as non-basic; without it they are an error', async () => {
    const root = tempDir('cfee');
    await writeImage(join(root, 'S01/Neutral/a.png'));
    await writeImage(join(root, 'S01/HappilySurprised/b.png'));
    const out = tempDir('cfee-out');
    await ingestDataset({ format: 'folder', root, dataset: 'cfee', protocol: 'cfee' }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.label, r.subject])).toEqual([['cfee/S01/Neutral/a', 'neutral', 'S01']]);
    expect(report.skipCounts).toEqual({ 'non-basic': 1 });
    await expect(ingestDataset({ format: 'folder', root }, tempDir('cfee-out'))).rejects.toThrow(
      `folder: ${join(root, 'S01/HappilySurprised')}: no class folder in "S01/HappilySurprised"`,
    );
  });
});

describe('csv adapter', () => {
  it('reads path,label,split,subject with relative paths and maps labels by name', async () => {
    const root = tempDir('csv');
    await writeImage(join(root, 'img/a.png'));
    await writeImage(join(root, 'img/b.png'));
    await writeImage(join(root, 'img/c.png'));
    writeText(join(root, 'labels.csv'), 'path,label,split,subject\nimg/a.png,Happy,train,s1\nimg/b.png,contempt,train,s1\nimg/c.png,fearful,val,s2\n');
    const out = tempDir('csv-out');
    await ingestDataset({ format: 'csv', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.path, r.label, r.split, r.subject])).toEqual([
      ['csv/img/a', join(root, 'img/a.png'), 'happy', 'train', 's1'],
      ['csv/img/c', join(root, 'img/c.png'), 'fear', 'val', 's2'],
    ]);
    expect(flatSkips(report)).toEqual([{ reason: 'contempt', file: join(root, 'labels.csv'), line: 3 }]);
  });

  it('applies the MMI protocol to rows grouped by sequence and ordered by frame', async () => {
    const root = tempDir('mmi');
    const lines = ['path,label,sequence,frame'];
    for (let f = 8; f >= 0; f--) {
      await writeImage(join(root, `s1/${f}.png`), f);
      lines.push(`s1/${f}.png,surprise,s1,${f}`);
    }
    writeText(join(root, 'mmi.csv'), lines.join('\n'));
    const out = tempDir('mmi-out');
    await ingestDataset({ format: 'csv', root: join(root, 'mmi.csv'), dataset: 'mmi', protocol: 'mmi' }, out);
    expect(readOutput(out).rows.map((r) => [r.id, r.label])).toEqual([
      ['mmi/s1/0', 'neutral'],
      ['mmi/s1/1', 'neutral'],
      ['mmi/s1/3', 'surprise'],
      ['mmi/s1/4', 'surprise'],
      ['mmi/s1/5', 'surprise'],
    ]);
  });

  it('errors on an unknown label and on a duplicate path, naming file and line', async () => {
    const root = tempDir('csv');
    await writeImage(join(root, 'a.png'));
    writeText(join(root, 'labels.csv'), 'path,label\na.png,bored\n');
    await expect(ingestDataset({ format: 'csv', root }, tempDir('csv-out'))).rejects.toThrow(`${join(root, 'labels.csv')}:2: label must be one of neutral, happy`);
    writeText(join(root, 'labels.csv'), 'path,label\na.png,happy\na.png,sad\n');
    await expect(ingestDataset({ format: 'csv', root }, tempDir('csv-out'))).rejects.toThrow(
      `${join(root, 'labels.csv')}:3: duplicate id "csv/a" (first seen at ${join(root, 'labels.csv')}:2)`,
    );
  });
});

describe('format detection', () => {
  it('lists what every format expects when nothing matches', async () => {
    const root = tempDir('unknown');
    writeText(join(root, 'readme.txt'), 'hello');
    expect(() => detectFormat(root)).toThrow(`ingest: ${root} matches no known dataset layout (found: readme.txt). Expected one of:\n  - raf-db: EmoLabel/list_patition_label.txt`);
    try {
      detectFormat(root);
    } catch (err) {
      for (const f of ['raf-db', 'affectnet', 'ferplus', 'fer2013', 'sfew', 'ckplus', 'expw', 'csv', 'folder']) expect((err as Error).message).toContain(`\n  - ${f}: `);
    }
  });
});
