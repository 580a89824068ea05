/**
 * Fault injection (docs/reliability.md): label files whose image names climb out of their folder. Before the fix an ExpW
 * `label.lst` entry `../../../victim/secret.jpg` and an AffectNet `subDirectory_filePath` with `../` (with cropFaces)
 * wrote PNGs next to the output; now such rows are skipped as `unsafe-path` with file and line in ingest-report.json.
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestDataset } from '../ingest';
import { flatSkips, readOutput, writeImage, writeText } from '../fixtures/source-files';
import { isInside, unsafePathReason } from './safe-path';

/** A parent holding the dataset (`ds/`), the output (`out/`) and the file a traversal would reach (`victim/`). */
function sandbox(): { parent: string; root: string; out: string; victim: string } {
  const parent = mkdtempSync(join(tmpdir(), 'alsg-traversal-'));
  const dirs = { parent, root: join(parent, 'ds'), out: join(parent, 'out'), victim: join(parent, 'victim') };
  for (const d of [dirs.root, dirs.out, dirs.victim]) mkdirSync(d, { recursive: true });
  return dirs;
}

/** Every file under `dir` (relative), to prove nothing was written outside the output. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

describe('unsafePathReason', () => {
  it('accepts plain relative names and rejects .., absolute, backslash, NUL and empty segments', () => {
    expect(unsafePathReason('689/a.jpg')).toBeNull();
    expect(unsafePathReason('a..b.jpg')).toBeNull();
    expect(unsafePathReason('../x.jpg')).toMatch(/\.\./);
    expect(unsafePathReason('a/../../x')).toMatch(/\.\./);
    expect(unsafePathReason('/etc/x')).toBe('is absolute');
    expect(unsafePathReason('C:x')).toBe('is absolute');
    expect(unsafePathReason('..\\x')).toBe('holds a backslash');
    expect(unsafePathReason('a\0b')).toMatch(/control character/);
    expect(unsafePathReason('a//b')).toMatch(/empty/);
    expect(unsafePathReason('')).toBe('is empty');
  });

  it('isInside is false for the folder itself, its parent and siblings', () => {
    expect(isInside('/o/images', '/o/images/a.png')).toBe(true);
    expect(isInside('/o/images', '/o/images/../x.png')).toBe(false);
    expect(isInside('/o/images', '/o/images')).toBe(false);
    expect(isInside('/o/images', '/o/images2/a.png')).toBe(false);
  });
});

describe('ingest never writes outside its output', () => {
  it('expw: a label.lst name with ../ is skipped as unsafe-path and no PNG lands outside --out', async () => {
    const { parent, root, out, victim } = sandbox();
    await writeImage(join(root, 'image/origin/a.jpg'), 1, 40, 30);
    // origin/../../../victim = parent/victim: the source exists, so only the path check can stop the write.
    await writeImage(join(victim, 'secret.jpg'), 2, 40, 30);
    const list = join(root, 'label/label.lst');
    writeText(list, ['a.jpg 0 2 4 24 22 80.5 3', '../../../victim/secret.jpg 0 2 4 24 22 80.5 3', '/abs/x.jpg 0 2 4 24 22 80.5 3', 'a.jpg ..\\y 2 4 24 22 80.5 3'].join('\n') + '\n');
    await ingestDataset({ format: 'expw', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => r.id)).toEqual(['expw/a_0']);
    expect(flatSkips(report).map((s) => [s.reason, s.file, s.line])).toEqual([
      ['unsafe-path', list, 2],
      ['unsafe-path', list, 3],
      ['unsafe-path', list, 4],
    ]);
    expect(flatSkips(report)[0].detail).toContain('image_name "../../../victim/secret.jpg" climbs out of its folder');
    expect(filesUnder(victim)).toEqual(['secret.jpg']);
    expect(readdirSync(parent).sort()).toEqual(['ds', 'out', 'victim']);
    expect(filesUnder(out)).toEqual(['images/a_0.png', 'ingest-report.json', 'manifest.csv']);
  });

  it('affectnet --crop-faces: a subDirectory_filePath with ../ is skipped as unsafe-path', async () => {
    const { parent, root, out, victim } = sandbox();
    await writeImage(join(root, 'Manually_Annotated_Images/1/a.jpg'), 1, 40, 40);
    await writeImage(join(victim, 'secret.jpg'), 2, 40, 40);
    const file = join(root, 'training.csv');
    const header = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal';
    writeText(file, [header, '1/a.jpg,2,2,20,20,,1,0,0', '../../../victim/secret.jpg,2,2,20,20,,1,0,0', '1/../../../../victim/secret.jpg,2,2,20,20,,2,0,0'].join('\n') + '\n');
    await ingestDataset({ format: 'affectnet', root, cropFaces: true }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => r.id)).toEqual(['affectnet/1/a']);
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([
      ['unsafe-path', 3],
      ['unsafe-path', 4],
    ]);
    expect(filesUnder(victim)).toEqual(['secret.jpg']);
    expect(readdirSync(parent).sort()).toEqual(['ds', 'out', 'victim']);
  });

  it('ferplus (pixels from fer2013.csv): an Image name with ../ is skipped, nothing written outside', async () => {
    const { parent, root, out } = sandbox();
    const pixels = Array.from({ length: 2304 }, (_, k) => k % 256).join(' ');
    writeText(join(root, 'fer2013.csv'), ['emotion,pixels,Usage', `0,${pixels},Training`, `0,${pixels},Training`].join('\n') + '\n');
    const header = 'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF';
    writeText(join(root, 'fer2013new.csv'), [header, 'Training,fer0000000.png,10,0,0,0,0,0,0,0,0,0', 'Training,../../../escape.png,10,0,0,0,0,0,0,0,0,0'].join('\n') + '\n');
    await ingestDataset({ format: 'ferplus', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => r.id)).toEqual(['ferplus/fer0000000']);
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([['unsafe-path', 3]]);
    expect(readdirSync(parent).sort()).toEqual(['ds', 'out', 'victim']);
  });

  it('raf-db: an image name with ../ or a backslash is skipped as unsafe-path', async () => {
    const { root, out } = sandbox();
    await writeImage(join(root, 'Image/aligned/train_00001_aligned.jpg'), 1);
    const list = join(root, 'EmoLabel/list_patition_label.txt');
    writeText(list, ['train_00001.jpg 4', 'train_/../../x.jpg 4', 'train_a\\b.jpg 4'].join('\n') + '\n');
    await ingestDataset({ format: 'raf-db', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => r.id)).toEqual(['raf-db/train_00001']);
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([
      ['unsafe-path', 2],
      ['unsafe-path', 3],
    ]);
  });

  it('csv: an unsafe id column is skipped; ../ and absolute paths stay readable but their ids never climb', async () => {
    const { root, out, victim } = sandbox();
    await writeImage(join(root, 'a.png'), 1);
    await writeImage(join(victim, 'v.png'), 2);
    const file = join(root, 'labels.csv');
    writeText(file, ['path,label,id', 'a.png,happy,', '../victim/v.png,sad,', `${join(victim, 'v.png')},sad,abs-copy`, 'a.png,happy,../../evil'].join('\n') + '\n');
    await ingestDataset({ format: 'csv', root }, out);
    const { rows, report } = readOutput(out);
    expect(rows.map((r) => [r.id, r.path])).toEqual([
      ['csv/a', join(root, 'a.png')],
      [`csv/${join(victim, 'v').slice(1)}`, join(victim, 'v.png')],
      ['csv/abs-copy', join(victim, 'v.png')],
    ]);
    expect(rows.every((r) => unsafePathReason(r.id) === null)).toBe(true);
    expect(flatSkips(report).map((s) => [s.reason, s.line])).toEqual([['unsafe-path', 5]]);
  });
});
