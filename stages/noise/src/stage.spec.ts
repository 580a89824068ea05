import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '@ldl-alsg/artifacts';
import { CLASSES } from '@ldl-alsg/labels';
import { writeManifest } from '@ldl-alsg/datasets';
import type { StageContext } from '@ldl-alsg/pipeline';
import { stage, type NoiseStageParams } from './stage';

function makeDataset(n: number, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'noise-ds-'));
  writeManifest(
    dir,
    Array.from({ length: n }, (_, i) => ({
      id: `${prefix}${i}`,
      path: `images/${i}.png`,
      label: CLASSES[i % 7],
      dataset: 'toy',
      split: i % 5 === 4 ? ('test' as const) : ('train' as const),
    })),
  );
  return dir;
}

function context(params: NoiseStageParams, inputs: string[], seed = 1): { ctx: StageContext<NoiseStageParams>; recorded: Record<string, unknown> } {
  const outDir = mkdtempSync(join(tmpdir(), 'noise-out-'));
  const recorded: Record<string, unknown> = {};
  const ctx: StageContext<NoiseStageParams> = {
    address: 'test/noise',
    params,
    inputs: { dataset: inputs },
    outDir,
    scratchDir: outDir,
    seed,
    log: () => {},
    progress: () => ({ tick() {}, update() {}, done() {} }),
    record: (info) => Object.assign(recorded, info),
  };
  return { ctx, recorded };
}

describe('noise stage', () => {
  it('symmetric: writes labels.csv aligned with the concatenated manifests, changing train rows only', async () => {
    const a = makeDataset(600, 'a');
    const b = makeDataset(400, 'b');
    const { ctx, recorded } = context({ mode: 'symmetric', rate: 0.1 }, [a, b]);
    await stage.run(ctx);
    const table = readCsv(join(ctx.outDir, 'labels.csv'));
    expect(table.header).toEqual(['id', 'original', 'label']);
    expect(table.rows).toHaveLength(1000);
    expect(table.rows[0].id).toBe('a0');
    expect(table.rows[600].id).toBe('b0');
    const changed = table.rows.filter((r) => r.label !== r.original);
    expect(changed).toHaveLength(80); // 800 train rows * 0.1
    const report = JSON.parse(readFileSync(join(ctx.outDir, 'noise-report.json'), 'utf8'));
    expect(report.trainRows).toBe(800);
    expect(report.exact).toBe(true);
    expect(report.sets[0].flipped).toBe(80);
    expect(report.sets[0].flips.map((f: { id: string }) => f.id).sort()).toEqual(changed.map((r) => r.id).sort());
    const matrixTotal = report.sets[0].matrix.flat().reduce((s: number, v: number) => s + v, 0);
    expect(matrixTotal).toBe(80);
    for (const f of report.sets[0].flips) {
      const row = table.rows[f.row];
      expect([row.id, row.original, row.label]).toEqual([f.id, f.from, f.to]);
      expect(Number(row.id.slice(1)) % 5).not.toBe(4); // never a test row
    }
    expect(recorded.noise).toMatchObject({ mode: 'symmetric', flipped: [80] });
  });

  it('abc: three label columns with 5/10/15% noise; none: a plain copy', async () => {
    const ds = makeDataset(1000, 'x');
    const { ctx } = context({ mode: 'abc' }, [ds], 5);
    await stage.run(ctx);
    const table = readCsv(join(ctx.outDir, 'labels.csv'));
    expect(table.header).toEqual(['id', 'original', 'label_a', 'label_b', 'label_c']);
    const count = (col: string) => table.rows.filter((r) => r[col] !== r.original).length;
    expect([count('label_a'), count('label_b'), count('label_c')]).toEqual([40, 80, 120]);

    const none = context({ mode: 'none' }, [ds]);
    await stage.run(none.ctx);
    const plain = readCsv(join(none.ctx.outDir, 'labels.csv'));
    expect(plain.rows.every((r) => r.label === r.original)).toBe(true);
  });

  it('same seed, same labels; another seed, other labels', async () => {
    const ds = makeDataset(500, 'r');
    const run = async (seed: number) => {
      const { ctx } = context({ mode: 'asymmetric', rate: 0.2 }, [ds], seed);
      await stage.run(ctx);
      return readFileSync(join(ctx.outDir, 'labels.csv'), 'utf8');
    };
    const first = await run(3);
    expect(await run(3)).toBe(first);
    expect(await run(4)).not.toBe(first);
  });

  it('rejects bad input with clear errors', async () => {
    const ds = makeDataset(50, 'e');
    await expect(stage.run(context({ mode: 'symmetric', rate: 1 }, [ds]).ctx)).rejects.toThrow(/rate must be a number in \[0, 1\), but got 1/);
    await expect(stage.run(context({ mode: 'symmetric', rate: -0.2 }, [ds]).ctx)).rejects.toThrow(/rate must be a number in \[0, 1\)/);
    await expect(stage.run(context({ mode: 'abc', rates: [0.1, 2] }, [ds]).ctx)).rejects.toThrow(/rates\[1\]/);
    await expect(stage.run(context({ mode: 'bogus' as 'none' }, [ds]).ctx)).rejects.toThrow(/mode must be one of none, symmetric/);
    const bad = mkdtempSync(join(tmpdir(), 'noise-bad-'));
    writeFileSync(join(bad, 'manifest.csv'), 'id,path,label,dataset,split\na,a.png,happy,toy,train\nb,b.png,contempt,toy,train\n');
    await expect(stage.run(context({ mode: 'symmetric', rate: 0.1 }, [bad]).ctx)).rejects.toThrow(/manifest\.csv:3: label must be one of neutral.*"contempt"/);
  });
});

describe('noise stage, mode truth', () => {
  it('takes each train label from distribution.npy, and names the file when it is missing or misshapen', async () => {
    const dir = makeDataset(10, 't');
    const { ctx: missing } = context({ mode: 'truth' }, [dir]);
    await expect(stage.run(missing)).rejects.toThrow(`${join(dir, 'distribution.npy')}: not found; noise mode truth needs the true label distributions`);
    const { writeNpy } = await import('@ldl-alsg/artifacts');
    writeNpy(join(dir, 'distribution.npy'), new Float32Array(10 * 3), [10, 3]);
    const { ctx: misshapen } = context({ mode: 'truth' }, [dir]);
    await expect(stage.run(misshapen)).rejects.toThrow(`${join(dir, 'distribution.npy')}: shape must be [n, 7], but got [10, 3]`);
    const dist = new Float32Array(10 * 7);
    for (let i = 0; i < 10; i++) dist[i * 7 + ((i + 1) % 7)] = 1;
    writeNpy(join(dir, 'distribution.npy'), dist, [10, 7]);
    const { ctx } = context({ mode: 'truth' }, [dir]);
    await stage.run(ctx);
    const rows = readCsv(join(ctx.outDir, 'labels.csv')).rows;
    expect(rows.map((r) => r.label)).toEqual(Array.from({ length: 10 }, (_, i) => (i % 5 === 4 ? CLASSES[i % 7] : CLASSES[(i + 1) % 7])));
  });
});
