import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSourceChange, fingerprintPath, sourceFingerprinter } from './source-fingerprint';

describe('source fingerprints', () => {
  it('cover every file by relative path, size and mtime; follow links without looping; say what changed', () => {
    const root = mkdtempSync(join(tmpdir(), 'alsg-src-'));
    mkdirSync(join(root, 'happy'));
    writeFileSync(join(root, 'happy', '1.png'), 'aaa');
    symlinkSync(root, join(root, 'happy', 'loop')); // a link back up is walked once
    const a = fingerprintPath(root, { param: 'root', written: 'data' });
    expect(a).toMatchObject({ param: 'root', path: 'data', files: 1, bytes: 3, exists: true });
    expect(fingerprintPath(root, { param: 'root', written: 'data' }).digest).toBe(a.digest);

    writeFileSync(join(root, 'happy', '2.png'), 'bb');
    const b = fingerprintPath(root, { param: 'root', written: 'data' });
    expect(describeSourceChange([a], [b])).toEqual(['source root data changed: 1 -> 2 files, 3 -> 5 bytes']);
    rmSync(join(root, 'happy', '2.png'));
    mkdirSync(join(root, 'sad'));
    writeFileSync(join(root, 'sad', '1.png'), 'aaa');
    rmSync(join(root, 'happy', '1.png'));
    const moved = fingerprintPath(root, { param: 'root', written: 'data' });
    expect(moved.digest).not.toBe(a.digest); // same count and size, another label folder
    expect(describeSourceChange([a], [moved])).toEqual(['source root data changed: same 1 files and size, but names or modification times differ']);

    const gone = fingerprintPath(join(root, 'nope'), { param: 'root', written: 'nope' });
    expect(gone).toMatchObject({ exists: false, files: 0 });
    expect(describeSourceChange([a], [{ ...gone, param: 'root' }])).toEqual(['source root nope is missing']);
    expect(describeSourceChange(undefined, [a])).toEqual(['source root data is new']);
  });

  it('apply only to stages that declare source parameters, and only when the parameter is set', () => {
    const of = sourceFingerprinter((s) => (s === 'ingest' ? ['root'] : undefined), mkdtempSync(join(tmpdir(), 'alsg-ws-')));
    const inst = (stage: string, params: Record<string, unknown>) => ({ stage, params }) as never;
    expect(of(inst('train', { root: 'x' }))).toBeUndefined();
    expect(of(inst('ingest', { format: 'synthfer' }))).toBeUndefined();
    expect(of(inst('ingest', { root: '' }))).toBeUndefined();
    expect(of(inst('ingest', { root: '.' }))?.[0]).toMatchObject({ param: 'root', path: '.', exists: true });
  });
});
