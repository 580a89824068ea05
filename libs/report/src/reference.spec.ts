import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffAgainstReference, readReference, writeReference } from './reference';
import { buildTable } from './table';
import { flatResult } from './test-fixtures';

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

describe('reference from a finished report', () => {
  it('updates and checks from table.json', async () => {
    const { writeJsonAtomic } = await import('@ldl-alsg/artifacts');
    const { updateReferenceFromReport, checkReportAgainstReference } = await import('./reference');
    const dir = mkdtempSync(join(tmpdir(), 'alsg-ref-report-'));
    const table = buildTable({ table: 'table1' }, [flatResult({ method: 'baseline' }, 60)]);
    writeJsonAtomic(join(dir, 'table.json'), { table });
    const ref = updateReferenceFromReport(dir, join(dir, 'ref.json'), 'smoke profile');
    expect(ref.cells).toHaveLength(10);
    expect(checkReportAgainstReference(dir, join(dir, 'ref.json'), 0).ok).toBe(true);
    expect(() => checkReportAgainstReference(join(dir, 'nope'), join(dir, 'ref.json'), 0)).toThrow(/table.json: not found/);
  });
});
