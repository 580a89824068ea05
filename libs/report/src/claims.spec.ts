import { describe, expect, it } from 'vitest';
import { evaluateClaims, type Claim } from './claims';
import { buildTable } from './table';
import { flatResult } from './test-fixtures';

const ALSG = { method: 'ldl-alsg', spaces: ['au', 'landmarks'], k: { au: 4, landmarks: 4 }, lambda: { au: 0.0005, landmarks: 0.0005 } };
const noise = (rate: number) => ({ mode: rate ? 'symmetric' : 'none', rate });

describe('evaluateClaims', () => {
  const results = [
    flatResult({ method: 'baseline', noise: noise(0) }, 70, 'b0'),
    flatResult({ method: 'baseline', noise: noise(0.15) }, 62, 'b15'),
    flatResult({ ...ALSG, noise: noise(0) }, 72, 'a0'),
    flatResult({ ...ALSG, noise: noise(0.15) }, 69, 'a15'),
  ];
  const table = buildTable({ table: 'table2' }, results);
  const drop = (method: string) => ({
    minus: [{ row: { noise: '0%', method }, metric: 'all' }, { row: { noise: '15%', method }, metric: 'all' }],
  }) as Claim['left'];

  it('passes a true claim and fails a false one, with the numbers', () => {
    const claims: Claim[] = [
      { claim: 'LDL-ALSG beats baseline at 0%', left: { row: '0% / LDL-ALSG(AU+FL)', metric: 'all' }, op: '>', right: { row: '0% / Baseline', metric: 'all' } },
      { claim: 'baseline drops more', left: drop('Baseline'), op: '>', right: drop('LDL-ALSG(AU+FL)') },
      { claim: 'baseline beats LDL-ALSG at 15%', left: { row: { noise: '15%', method: 'Baseline' }, metric: 'all' }, op: '>', right: { row: { noise: '15%', method: 'LDL-ALSG(AU+FL)' }, metric: 'all' } },
      { claim: 'by 3 points', left: { row: '0% / LDL-ALSG(AU+FL)', metric: 'wild' }, op: '>', right: { row: '0% / Baseline', metric: 'wild' }, margin: 3 },
    ];
    const r = evaluateClaims(table, claims);
    expect(r.map((x) => x.status)).toEqual(['PASS', 'PASS', 'FAIL', 'FAIL']);
    expect(r[0].detail).toBe('72.00 > 70.00');
    expect(r[1].left).toBe(8);
    expect(r[1].right).toBe(3);
    expect(r[1].terms).toHaveLength(4);
    expect(r[2].detail).toBe('not 62.00 > 69.00');
    expect(r[3].detail).toBe('not 72.00 > 70.00 (margin 3)');
  });

  it('fails (never skips) a claim whose cell was not run or does not exist', () => {
    const r = evaluateClaims(table, [
      { claim: 'IPA2LT row', left: { row: { noise: '0%', method: 'IPA2LT (LTNet)' }, metric: 'all' }, op: '<', right: { value: 100 } },
      { claim: 'typo', left: { row: 'Basline', metric: 'all' }, op: '<', right: { value: 100 } },
      { claim: 'ambiguous', left: { row: { method: 'Baseline' }, metric: 'all' }, op: '<', right: { value: 100 } },
    ]);
    expect(r.map((x) => x.status)).toEqual(['FAIL', 'FAIL', 'FAIL']);
    expect(r[0].reason).toMatch(/not run/);
    expect(r[1].reason).toMatch(/no row matches "Basline"/);
    expect(r[2].reason).toMatch(/matches 4 rows/); // 0% and 15% run, 5% and 10% listed from the paper
  });

  it('addresses column groups when noise rates sit side by side', () => {
    const wide = buildTable({ table: 'table2', rows: ['method'], columns: ['noise'] }, results);
    const r = evaluateClaims(wide, [
      {
        claim: 'baseline drops more (wide layout)',
        left: { minus: [{ row: 'Baseline', column: '0%', metric: 'all' }, { row: 'Baseline', column: '15%', metric: 'all' }] },
        op: '>',
        right: { minus: [{ row: 'LDL-ALSG(AU+FL)', column: { noise: '0%' }, metric: 'all' }, { row: 'LDL-ALSG(AU+FL)', column: { noise: '15%' }, metric: 'all' }] },
      },
      { claim: 'no column named', left: { row: 'Baseline', metric: 'all' }, op: '>', right: { value: 0 } },
    ]);
    expect(r[0]).toMatchObject({ status: 'PASS', left: 8, right: 3 });
    expect(r[1].status).toBe('FAIL');
    expect(r[1].reason).toMatch(/matches 2 column groups/);
  });
});
