import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffAgainstReference, readReference, writeReference } from './reference';
import { buildTable } from './table';
import { flatResult } from './fixtures/report-results';

describe('reference diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alsg-ref-'));
  const file = join(dir, 'table1.json');
  const before = buildTable({ table: 'table1' }, [flatResult({ method: 'baseline' }, 60), flatResult({ method: 'nal' }, 61)]);

  it('round-trips: a table equals its own reference', () => {
    writeReference(file, before, 'smoke');
    const d = diffAgainstReference(before, readReference(file), 0, file);
    expect(d.ok).toBe(true);
    expect(d.counts).toEqual({ ok: 20, moved: 0, missing: 0, new: 0 });
  });

  it('flags a moved cell beyond tolerance, a missing row and a new row', () => {
    const after = buildTable({ table: 'table1' }, [flatResult({ method: 'baseline' }, 60.3), flatResult({ method: 'ipa2lt' }, 61)]);
    const loose = diffAgainstReference(after, readReference(file), 0.5, file);
    expect(loose.counts).toEqual({ ok: 10, moved: 0, missing: 10, new: 10 });
    const strict = diffAgainstReference(after, readReference(file), 0.1, file);
    expect(strict.ok).toBe(false);
    expect(strict.counts.moved).toBe(10);
    expect(strict.cells.find((c) => c.status === 'moved')!.delta).toBeCloseTo(0.3, 9);
  });

  it('treats an absent reference as a mismatch with a hint', () => {
    const d = diffAgainstReference(before, readReference(join(dir, 'none.json')), 0, 'none.json');
    expect(d.ok).toBe(false);
    expect(d.found).toBe(false);
    expect(d.hint).toMatch(/deliberately/);
  });
});

describe('reference verdicts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alsg-ref-verdicts-'));
  const table = buildTable({ table: 'table1' }, [flatResult({ method: 'baseline' }, 60)]);
  const check = (claim: string, verdict: 'supported' | 'contradicted' | 'inconclusive', meanDiff: number | null) => ({ claim, verdict, meanDiff, nSeeds: 3 });

  it('compares verdicts exactly and mean differences within the tolerance', () => {
    const file = join(dir, 'v.json');
    const ref = writeReference(file, table, 'three seeds', [check('A beats B', 'supported', 1.2), check('C beats D', 'inconclusive', 0.1)]);
    expect(ref.schema).toBe('ldl-alsg/reference@2');
    const same = diffAgainstReference(table, readReference(file), 0.5, file, [check('A beats B', 'supported', 1.5), check('C beats D', 'inconclusive', 0.3)]);
    expect(same.ok).toBe(true);
    expect(same.checkCounts.ok).toBe(2);
    const changed = diffAgainstReference(table, readReference(file), 0.5, file, [check('A beats B', 'inconclusive', 1.2), check('C beats D', 'inconclusive', 0.9)]);
    expect(changed.ok).toBe(false);
    expect(changed.counts.moved).toBe(0); // the cells did not move; the claims did
    expect(changed.checks.map((c) => c.status)).toEqual(['verdict', 'moved']);
    expect(changed.checks[0].message).toBe('verdict changed: reference supported, now inconclusive');
    expect(changed.checks[1].message).toBe('mean difference 0.900 vs reference 0.100 (tolerance 0.5)');
    const renamed = diffAgainstReference(table, readReference(file), 0.5, file, [check('A beats B', 'supported', 1.2)]);
    expect(renamed.checks.map((c) => c.status)).toEqual(['ok', 'missing']);
  });

  it('treats a reference written before verdicts (@1) as needing --update, without crashing', () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ schema: 'ldl-alsg/reference@1', table: 'table1', cells: [{ row: 'Baseline', column: '', metric: 'all', mean: 60, n: 1 }] }));
    const old = readReference(file);
    const d = diffAgainstReference(table, old, 0.5, file, [check('A beats B', 'supported', 1.2)]);
    expect(d.ok).toBe(false);
    expect(d.checks[0]).toMatchObject({ status: 'unverified', ours: 'supported', reference: null });
    expect(d.hint).toMatch(/holds no claim verdicts \(ldl-alsg\/reference@1, written before claims had verdicts\); regenerate it deliberately: alsg reference .* --update/);
    // Without claims an @1 file still compares its cells as before.
    expect(diffAgainstReference(buildTable({ table: 'table1', metrics: ['all'] }, [flatResult({ method: 'baseline' }, 60)]), old, 0.5, file).ok).toBe(true);
  });
});

describe('reference from a finished report', () => {
  it('updates and checks from table.json', async () => {
    const { writeJsonAtomic } = await import('@ldl-alsg/artifacts');
    const { updateReferenceFromReport, checkReportAgainstReference } = await import('./reference');
    const dir = mkdtempSync(join(tmpdir(), 'alsg-ref-report-'));
    const table = buildTable({ table: 'table1' }, [flatResult({ method: 'baseline' }, 60)]);
    writeJsonAtomic(join(dir, 'table.json'), { table });
    writeJsonAtomic(join(dir, 'checks.json'), { checks: [{ claim: 'A beats B', verdict: 'contradicted', meanDiff: -2, nSeeds: 3 }] });
    const ref = updateReferenceFromReport(dir, join(dir, 'ref.json'), 'smoke profile');
    expect(ref.cells).toHaveLength(10);
    expect(ref.checks).toEqual([{ claim: 'A beats B', verdict: 'contradicted', meanDiff: -2, nSeeds: 3 }]);
    expect(checkReportAgainstReference(dir, join(dir, 'ref.json'), 0).ok).toBe(true);
    writeJsonAtomic(join(dir, 'checks.json'), { passed: 1, total: 1, checks: [{ claim: 'A beats B', status: 'PASS' }] });
    expect(() => checkReportAgainstReference(dir, join(dir, 'ref.json'), 0)).toThrow(/checks.json: its checks have no "verdict" \(written by an older report stage with PASS\/FAIL\)/);
    expect(() => checkReportAgainstReference(join(dir, 'nope'), join(dir, 'ref.json'), 0)).toThrow(/table.json: not found/);
  });
});
