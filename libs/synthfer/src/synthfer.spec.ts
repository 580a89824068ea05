import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, readNpy } from '@ldl-alsg/artifacts';
import { MANIFEST_COLUMNS, readManifest } from '@ldl-alsg/datasets';
import { AU_IDS, CLASSES } from '@ldl-alsg/labels';
import { generateSynthfer, type SynthferReport } from './generate';
import { OPENFACE_COLUMNS } from './observation';
import { SYNTHFER_DATASETS, DOMAINS } from './domains';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A tiny run: 12 images per dataset/split, 32 for affectnet-syn/train. */
const SMALL = {
  profile: 'smoke' as const,
  seed: 11,
  workers: 0,
  sizes: Object.fromEntries(SYNTHFER_DATASETS.flatMap((d) => DOMAINS[d].splits.map((s) => [`${d}/${s}`, d === 'affectnet-syn' && s === 'train' ? 32 : 12]))),
};

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Width and height of a greyscale PNG, after checking its signature, IHDR and that its IDAT inflates to w*h pixels. */
function pngSize(buf: Buffer): [number, number] {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
  const w = buf.readUInt32BE(16), h = buf.readUInt32BE(20);
  const idatLen = buf.readUInt32BE(33);
  expect(buf.subarray(37, 41).toString('latin1')).toBe('IDAT');
  expect(inflateSync(buf.subarray(41, 41 + idatLen)).length).toBe((w + 1) * h);
  return [w, h];
}

async function generateSmall(seed = SMALL.seed): Promise<{ dir: string; report: SynthferReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'synthfer-'));
  dirs.push(dir);
  const report = await generateSynthfer({ ...SMALL, seed }, dir);
  return { dir, report };
}

describe('generateSynthfer', () => {
  it('gives byte-identical output for the same seed, and different output for another seed', async () => {
    const a = await generateSmall();
    const b = await generateSmall();
    const c = await generateSmall(12);
    const files = listFiles(a.dir);
    expect(listFiles(b.dir)).toEqual(files);
    expect(files.filter((f) => f.endsWith('.png')).length).toBe(a.report.n);
    for (const f of files) {
      if (f === 'ingest-report.json') continue; // holds timings
      expect(readFileSync(join(b.dir, f)).equals(readFileSync(join(a.dir, f))), f).toBe(true);
    }
    expect(readFileSync(join(c.dir, 'truth/au.npy')).equals(readFileSync(join(a.dir, 'truth/au.npy')))).toBe(false);
  });

  it('writes the ingest contract: manifest, aligned arrays, images, truth tables', async () => {
    const { dir, report } = await generateSmall();
    const manifest = readManifest(dir);
    const n = manifest.rows.length;
    expect(n).toBe(report.n);
    // Streamed manifest.csv has exactly writeManifest's format.
    const text = readFileSync(join(dir, 'manifest.csv'), 'utf8');
    expect(formatCsv(MANIFEST_COLUMNS, parseCsv(text).rows)).toBe(text);
    const dist = readNpy(join(dir, 'distribution.npy'));
    expect(dist.shape).toEqual([n, 7]);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < 7; c++) s += dist.data[i * 7 + c];
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    expect(readNpy(join(dir, 'truth/latent.npy')).data).toEqual(dist.data);
    const au = readNpy(join(dir, 'truth/au.npy'));
    expect(au.shape).toEqual([n, 17]);
    expect(Math.min(...au.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...au.data)).toBeLessThanOrEqual(5);
    expect(readNpy(join(dir, 'truth/landmarks.npy')).shape).toEqual([n, 136]);
    const ann = parseCsv(readFileSync(join(dir, 'truth/annotations.csv'), 'utf8'));
    expect(ann.rows.map((r) => r.id)).toEqual(manifest.rows.map((r) => r.id));
    for (let i = 0; i < n; i++) {
      const row = manifest.rows[i];
      expect(row.domain).toBe(DOMAINS[row.dataset as keyof typeof DOMAINS].domain);
      expect(ann.rows[i].label).toBe(row.label);
      expect(pngSize(readFileSync(row.path))).toEqual([64, 64]);
      // A CSV exists exactly when the simulated OpenFace found a face.
      expect(existsSync(join(dir, 'openface', `${row.id}.csv`))).toBe(Number(ann.rows[i].openface_faces) > 0);
    }
    expect(Object.keys(report.counts).sort()).toEqual([...SYNTHFER_DATASETS].sort());
  });

  it('writes OpenFace CSVs with the column names and order of shared/reference/openface.md', async () => {
    const { dir } = await generateSmall();
    const docFile = fileURLToPath(new URL('../../../../shared/reference/openface.md', import.meta.url));
    // The AU list as the reference doc states it ("01 02 04 ... 45"); the labels library carries the same list.
    const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '';
    const auList = doc.match(/17 AUs\s+((?:\d\d\s+){16}\d\d)/)?.[1].split(/\s+/) ?? [...AU_IDS];
    expect(auList).toEqual([...AU_IDS]);
    const expected = [
      'face', 'confidence',
      ...Array.from({ length: 68 }, (_, i) => `x_${i}`), ...Array.from({ length: 68 }, (_, i) => `y_${i}`),
      ...auList.map((id) => `AU${id}_r`),
      ...[...auList.slice(0, 16), '28', '45'].map((id) => `AU${id}_c`),
    ];
    expect(OPENFACE_COLUMNS).toEqual(expected);
    const csvs = readdirSync(join(dir, 'openface'));
    expect(csvs.length).toBeGreaterThan(0);
    for (const f of csvs.slice(0, 20)) {
      const lines = readFileSync(join(dir, 'openface', f), 'utf8').trimEnd().split('\n');
      expect(lines[0].split(',').map((h) => h.trim())).toEqual(expected);
      for (const line of lines.slice(1)) {
        const cells = line.split(',').map((c) => c.trim());
        expect(cells.length).toBe(expected.length);
        expect(cells[2]).toMatch(/^-?\d+\.\d$/); // landmarks: 1 decimal
        expect(cells[2 + 136]).toMatch(/^\d\.\d\d$/); // AU intensities: 2 decimals, 0..5
        expect(['0', '1']).toContain(cells[cells.length - 1]);
      }
    }
  });

  it('reports labels per class that add up, and rejects bad options with a clear message', async () => {
    const { report } = await generateSmall();
    let total = 0;
    for (const ds of Object.values(report.counts)) for (const split of Object.values(ds)) for (const c of CLASSES) total += split[c];
    expect(total).toBe(report.n);
    // No-face counts follow the documented miss-probability model (sum of per-image probabilities), within 4 sd + 2.
    let seen = 0, expected = 0;
    for (const st of report.splits) {
      seen += st.openface.noFace;
      expected += st.openface.expectedNoFace;
    }
    expect(Math.abs(seen - expected)).toBeLessThanOrEqual(4 * Math.sqrt(expected) + 2);
    await expect(generateSynthfer({ sizes: { 'raf-syn/val': 5 } }, mkdtempSync(join(tmpdir(), 'synthfer-bad-')))).rejects.toThrow(/sizes: key must be one of .*raf-syn\/test.*but got "raf-syn\/val"/);
  });
});
