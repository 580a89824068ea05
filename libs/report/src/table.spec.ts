import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCeilingRows, readCeilings } from './ceilings';
import { referenceCells } from './reference';
import { tableCsvRows } from './render';
import { describeRun } from './descriptors';
import { buildTable, formatCell, paperDatasetKey } from './table';
import { fakeResult, flatResult } from './fixtures/report-results';

const ALSG = { method: 'ldl-alsg', spaces: ['au', 'landmarks'], k: { au: 4, landmarks: 4 }, lambda: { au: 0.0005, landmarks: 0.0005 } };

describe('descriptors', () => {
  it('derive the paper vocabulary from run info', () => {
    const d = describeRun({ ...ALSG, backbone: 'ResNet-18', noise: { mode: 'symmetric', rate: 0.15 }, seed: 3 });
    expect(d).toMatchObject({ method: 'LDL-ALSG(AU+FL)', noise: '15%', backbone: 'resnet18', space: 'AU+FL', kAU: '4', kFL: '4', k: '4', lambda: '0.0005', seed: '3' });
    expect(describeRun({ method: 'ldl-alsg', spaces: ['landmarks'], k: { landmarks: 8 }, lambda: { landmarks: 0.001 }, backbone: 'x', noise: { mode: 'abc' }, seed: 1 })).toMatchObject({
      method: 'LDL-ALSG(FL)', kAU: '0', kFL: '8', noise: 'ABC', lambda: '0.001',
    });
    expect(describeRun({ method: 'baseline', spaces: [], backbone: 'x', noise: { mode: 'none' }, seed: null, tags: { noise: 'clean' } }).noise).toBe('clean');
  });
  it('map dataset names to the paper columns', () => {
    expect(['affectnet-syn', 'RAF-DB', 'CK+', 'oulu-casia', 'unknown'].map(paperDatasetKey)).toEqual(['affectnet', 'raf', 'ckplus', 'oulu', undefined]);
  });
});

describe('buildTable', () => {
  it('lays out Table 1 with the paper value in every cell, paper rows not run, and seeds aggregated', () => {
    const results = [
      fakeResult({ method: 'baseline', seed: 1 }, [50, 60, 40, 80, 70, 60, 50], 'b1'),
      fakeResult({ method: 'baseline', seed: 2 }, [52, 62, 42, 82, 72, 62, 52], 'b2'),
      flatResult({ ...ALSG, seed: 1 }, 70, 'a1'),
    ];
    const t = buildTable({ table: 'table1' }, results);
    expect(t.metrics.map((m) => m.key)).toEqual(['affectnet-syn', 'raf-syn', 'sfew-syn', 'ckplus-syn', 'cfee-syn', 'mmi-syn', 'oulu-syn', 'wild', 'lab', 'all']);
    expect(t.metrics[0].label).toBe('AffNet [affectnet-syn]');
    expect(t.rows.map((r) => r.label)).toEqual(['Baseline', 'AIR', 'NAL', 'IPA2LT (LTNet)', 'LDL-ALSG(AU)', 'LDL-ALSG(FL)', 'LDL-ALSG(AU+FL)']);
    const base = t.rows[0].cells[0];
    expect(base[0].ours).toEqual({ mean: 51, sd: Math.SQRT2, n: 2 });
    expect(formatCell(base[0])).toBe('51.00 ± 1.41 (n=2) (paper 57.97)');
    // wild = mean(50,60,40)=50 and mean(52,62,42)=52 -> 51 +- 1.41
    expect(formatCell(base[7])).toBe('51.00 ± 1.41 (n=2) (paper 63.99)');
    expect(formatCell(t.rows[1].cells[0][0])).toBe('not run (paper 54.23)');
    expect(formatCell(t.rows[6].cells[0][9])).toBe('70.00 (paper 72.13)');
    for (const row of t.rows) for (const cell of row.cells[0]) expect(formatCell(cell)).toMatch(/\(paper /);
  });

  it('puts noise rates in column groups and shows the paper value and its "Failed" note', () => {
    const rs = [0, 0.05, 0.1, 0.15].flatMap((rate) => [
      flatResult({ method: 'baseline', noise: { mode: rate ? 'symmetric' : 'none', rate } }, 70 - 100 * rate, `b${rate}`),
      flatResult({ method: 'ipa2lt', noise: { mode: rate ? 'symmetric' : 'none', rate } }, 71 - 100 * rate, `i${rate}`),
    ]);
    const t = buildTable({ table: 'table2', rows: ['method'], columns: ['noise'] }, rs);
    expect(t.groups.map((g) => g.label)).toEqual(['0%', '5%', '10%', '15%']);
    const ipa = t.rows.find((r) => r.label === 'IPA2LT (LTNet)')!;
    expect(formatCell(ipa.cells[3][2])).toBe('56.00 (paper: Failed)');
    expect(formatCell(ipa.cells[1][2])).toBe('66.00 (paper 68.48)');
    const paperLayout = buildTable({ table: 'table2' }, rs);
    expect(paperLayout.rows.map((r) => r.label).slice(0, 3)).toEqual(['0% / LDL-ALSG(AU+FL)', '0% / IPA2LT (LTNet)', '0% / Baseline']); // paper order
    expect(paperLayout.rows.find((r) => r.label === '0% / LDL-ALSG(AU+FL)')!.cells[0][2].ours).toBeNull();
  });

  it("orders a sweep's extra rows into the paper's blocks of the first row field, new values after them, methods alike in each", () => {
    // Result order as a sweep's evaluations arrive: every rate of one method, then the next method.
    const methods = [{ method: 'baseline' }, { method: 'ldl-alsg', spaces: ['au'] }, { method: 'ldl-alsg', spaces: ['au', 'landmarks'] }];
    const rs = methods.flatMap((m, j) =>
      [0, 0.1, 0.4].map((rate) => flatResult({ ...m, noise: { mode: rate ? 'symmetric' : 'none', rate } }, 60 - 10 * rate + j, `${j}-${rate}`)),
    );
    const t = buildTable({ table: 'table2', paperRows: false }, rs);
    expect(t.rows.map((r) => r.label)).toEqual([
      '0% / LDL-ALSG(AU+FL)', '0% / Baseline', '0% / LDL-ALSG(AU)',
      '10% / LDL-ALSG(AU+FL)', '10% / Baseline', '10% / LDL-ALSG(AU)',
      '40% / LDL-ALSG(AU+FL)', '40% / Baseline', '40% / LDL-ALSG(AU)',
    ]);
    // With the paper's rows listed, its 5% and 15% blocks keep their places and 40% follows the last of them.
    const withPaper = buildTable({ table: 'table2' }, rs).rows.map((r) => r.label);
    expect(withPaper.indexOf('10% / LDL-ALSG(AU)')).toBeLessThan(withPaper.findIndex((l) => l.startsWith('15%')));
    expect(withPaper.slice(-3)).toEqual(['40% / LDL-ALSG(AU+FL)', '40% / Baseline', '40% / LDL-ALSG(AU)']);
  });

  it('refuses two results with the same seed in one cell and says what differs', () => {
    const rs = [flatResult({ backbone: 'a' }, 60, 'x'), flatResult({ backbone: 'b' }, 61, 'y')];
    expect(() => buildTable({ table: 'table1' }, rs)).toThrow(/same seed 1.*differ in: backbone/);
    expect(() => buildTable({ table: 'table1', rows: ['nosuch'] }, rs)).toThrow(/field "nosuch" is not a descriptor/);
  });

  it('matches Tables 5-7 rows by k and lambda', () => {
    const rs = [
      flatResult({ method: 'ldl-alsg', spaces: ['au'], k: { au: 2 }, lambda: { au: 0.001 } }, 66),
      flatResult({ method: 'ldl-alsg', spaces: ['landmarks'], k: { landmarks: 8 }, lambda: { landmarks: 0.001 } }, 65),
    ];
    const t = buildTable({ table: 'table5' }, rs);
    expect(t.rows[0].label).toBe('2 / 0 / 0.001');
    expect(t.rows[0].cells[0][2].paper).toBe(71.98);
    expect(t.rows.find((r) => r.label === '0 / 8 / 0.001')!.cells[0][2].paper).toBe(71.76);
  });
});

describe('ceiling rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alsg-ceilings-'));
  const perSet = { 'affectnet-syn': 80, 'raf-syn': 90, 'sfew-syn': 70, 'ckplus-syn': 100, 'cfee-syn': 96, 'mmi-syn': 92, 'oulu-syn': 88 };
  writeFileSync(join(dir, 'ceilings.json'), JSON.stringify({ schema: 'alsg-ceilings/1', oracle: { description: 'oracle', perSet }, features: { description: 'AU regression', perSet: { ...perSet, 'oulu-syn': 60 } } }));

  it('read ceilings.json when present and nothing otherwise; reject a bad file', () => {
    expect(readCeilings([mkdtempSync(join(tmpdir(), 'alsg-no-ceilings-'))])).toBeNull();
    expect(readCeilings([dir])!.oracle!.perSet['raf-syn']).toBe(90);
    const bad = mkdtempSync(join(tmpdir(), 'alsg-bad-ceilings-'));
    writeFileSync(join(bad, 'ceilings.json'), JSON.stringify({ schema: 'alsg-ceilings/1', oracle: { perSet: { 'raf-syn': 190 } } }));
    expect(() => readCeilings([bad])).toThrow(/oracle.perSet\["raf-syn"\] must be an accuracy in percent/);
  });

  it('sit below the methods with plain-mean averages, no paper value, no seeds, outside the reference', () => {
    const results = [flatResult({ method: 'baseline', seed: 1 }, 60, 'b1'), flatResult({ method: 'baseline', seed: 2 }, 62, 'b2')];
    const t = addCeilingRows(buildTable({ table: 'table2', rows: ['method'], columns: ['noise'] }, results), readCeilings([dir]), results);
    expect(t.rows.map((r) => r.label)).toEqual(['Baseline', 'Ceiling: oracle', 'Ceiling: AU features']);
    const oracle = t.rows[1].cells[0];
    // wild = (80 + 90 + 70) / 3 = 80; lab = (100 + 96 + 92 + 88) / 4 = 94; all = 616 / 7 = 88
    expect(oracle.map((c) => c.ours!.mean)).toEqual([80, 94, 88]);
    expect(formatCell(oracle[2])).toBe('88.00 (paper —)');
    expect(t.rows[2].cells[0].map((c) => c.ours!.mean)).toEqual([80, 87, 84]);
    expect(referenceCells(t).map((c) => c.row)).toEqual(['Baseline', 'Baseline', 'Baseline']);
    const csv = tableCsvRows(t);
    expect(csv.header).toEqual(['method', 'column', 'metric', 'ours_mean', 'ours_sd', 'n_seeds', 'seeds', 'seed_1', 'seed_2', 'paper', 'cell']);
    expect(csv.rows[3]).toMatchObject({ method: 'Ceiling: oracle', metric: 'wild', ours_mean: '80.0000', ours_sd: '', n_seeds: 0, seed_1: '', paper: '' });
    expect(csv.rows[0]).toMatchObject({ method: 'Baseline', ours_mean: '61.0000', n_seeds: 2, seed_1: '60.0000', seed_2: '62.0000' });
  });

  it('leave an average empty when the file lacks one of its sets', () => {
    const results = [flatResult({ method: 'baseline' }, 60)];
    const partial = { schema: 'alsg-ceilings/1' as const, oracle: { description: '', perSet: { 'raf-syn': 90 } } };
    const t = addCeilingRows(buildTable({ table: 'table1' }, results), partial, results);
    const row = t.rows.find((r) => r.ceiling)!;
    expect(row.cells[0].find((c) => c.metric === 'raf-syn')!.ours!.mean).toBe(90);
    expect(row.cells[0].find((c) => c.metric === 'wild')!.ours).toBeNull();
    expect(formatCell(row.cells[0].find((c) => c.metric === 'wild')!)).toBe('— (paper —)');
  });
});
