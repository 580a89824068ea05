/**
 * CI reproduction checks: a committed reference of a pipeline's results (e.g. `pipelines/reference/<pipeline>.json`)
 * and a diff that flags every cell that moved beyond a tolerance, disappeared, or appeared. Updating the reference is a
 * deliberate act ({@link writeReference}, called by the `alsg` reference command), never a side effect of a run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import type { TableId } from './paper-values';
import type { BuiltTable } from './table';

export const REFERENCE_SCHEMA = 'ldl-alsg/reference@1';

/** One reference cell: our mean over seeds (percent) and how many seeds. */
export interface ReferenceCell {
  row: string;
  /** Column group label ('' without column fields). */
  column: string;
  metric: string;
  mean: number;
  n: number;
}

/** The committed reference file. */
export interface ReferenceFile {
  schema: typeof REFERENCE_SCHEMA;
  table: TableId;
  /** Free-form: which pipeline/profile, when, on what backend. */
  note?: string;
  cells: ReferenceCell[];
}

/** Status of one cell in a diff. */
export type ReferenceStatus = 'ok' | 'moved' | 'missing' | 'new';

/** Allowed |ours - reference| (percentage points) when a pipeline's `reference` names none. */
export const DEFAULT_REFERENCE_TOLERANCE = 0;

export interface ReferenceDiffCell {
  row: string;
  column: string;
  metric: string;
  reference: number | null;
  ours: number | null;
  /** ours - reference (percentage points), null when either is absent. */
  delta: number | null;
  status: ReferenceStatus;
}

/** reference-diff.json. */
export interface ReferenceDiff {
  /** True when every cell is within tolerance and none is missing or new. */
  ok: boolean;
  file: string;
  /** Whether the reference file existed. */
  found: boolean;
  /** Allowed |ours - reference| in percentage points. */
  tolerance: number;
  counts: Record<ReferenceStatus, number>;
  /** Every compared cell (ok ones included, so the file shows what was checked). */
  cells: ReferenceDiffCell[];
  hint?: string;
}

/** The cells of a built table that hold results (ours non-null). */
export function referenceCells(table: BuiltTable): ReferenceCell[] {
  const out: ReferenceCell[] = [];
  for (const row of table.rows) {
    row.cells.forEach((cells, g) => {
      cells.forEach((cell) => {
        if (cell.ours) out.push({ row: row.label, column: table.groups[g].label, metric: cell.metric, mean: cell.ours.mean, n: cell.ours.n });
      });
    });
  }
  return out;
}

/** Writes (creates or replaces) a reference file from a built table: the deliberate "update the reference" step. */
export function writeReference(file: string, table: BuiltTable, note?: string): ReferenceFile {
  const ref: ReferenceFile = { schema: REFERENCE_SCHEMA, table: table.table, ...(note ? { note } : {}), cells: referenceCells(table) };
  writeJsonAtomic(file, ref);
  return ref;
}

/** Reads a reference file, or null when it does not exist. */
export function readReference(file: string): ReferenceFile | null {
  if (!existsSync(file)) return null;
  let ref: ReferenceFile;
  try {
    ref = JSON.parse(readFileSync(file, 'utf8')) as ReferenceFile;
  } catch (cause) {
    throw new AlsgError('E_ARTIFACT', `${file}: reference is not valid JSON`, { file, cause });
  }
  if (ref.schema !== REFERENCE_SCHEMA || !Array.isArray(ref.cells)) {
    throw new AlsgError('E_ARTIFACT', `${file}: schema must be "${REFERENCE_SCHEMA}" with a cells array, but got ${JSON.stringify(ref.schema)}`, { file });
  }
  return ref;
}

/**
 * Compares a built table with a reference. A cell is `moved` when |ours - reference| > tolerance (+1e-9 for float
 * printing), `missing` when the reference has it and we do not, `new` when we have it and the reference does not.
 * @param tolerance allowed absolute difference in percentage points (>= 0).
 */
export function diffAgainstReference(table: BuiltTable, reference: ReferenceFile | null, tolerance: number, file: string): ReferenceDiff {
  if (!(tolerance >= 0)) throw new AlsgError('E_CONFIG', `report: reference tolerance must be >= 0, but got ${tolerance}`);
  const counts: Record<ReferenceStatus, number> = { ok: 0, moved: 0, missing: 0, new: 0 };
  const cells: ReferenceDiffCell[] = [];
  const ours = referenceCells(table);
  if (!reference) {
    for (const c of ours) cells.push({ row: c.row, column: c.column, metric: c.metric, reference: null, ours: c.mean, delta: null, status: 'new' });
    counts.new = cells.length;
    return { ok: false, file, found: false, tolerance, counts, cells, hint: `no reference file at ${file}; create it deliberately: alsg reference <pipeline.yaml> --profile <profile> --update (then commit the file)` };
  }
  const id = (c: { row: string; column: string; metric: string }): string => `${c.row}\u0000${c.column}\u0000${c.metric}`;
  const mine = new Map(ours.map((c) => [id(c), c]));
  for (const r of reference.cells) {
    const o = mine.get(id(r));
    mine.delete(id(r));
    if (!o) {
      cells.push({ row: r.row, column: r.column, metric: r.metric, reference: r.mean, ours: null, delta: null, status: 'missing' });
      continue;
    }
    const delta = o.mean - r.mean;
    cells.push({ row: r.row, column: r.column, metric: r.metric, reference: r.mean, ours: o.mean, delta, status: Math.abs(delta) <= tolerance + 1e-9 ? 'ok' : 'moved' });
  }
  for (const o of mine.values()) cells.push({ row: o.row, column: o.column, metric: o.metric, reference: null, ours: o.mean, delta: null, status: 'new' });
  for (const c of cells) counts[c.status]++;
  const ok = counts.moved === 0 && counts.missing === 0 && counts.new === 0;
  return { ok, file, found: true, tolerance, counts, cells, ...(ok ? {} : { hint: 'results differ from the committed reference; if the change is intended, update the reference deliberately' }) };
}

/** Reads the built table a finished report wrote (`<reportDir>/table.json`). */
export function readReportTable(reportDir: string): BuiltTable {
  const file = `${reportDir}/table.json`;
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected the output of a report stage)`, { file });
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { table?: BuiltTable };
  if (!doc.table || !Array.isArray(doc.table.rows)) throw new AlsgError('E_ARTIFACT', `${file}: has no "table" with rows`, { file });
  return doc.table;
}

/**
 * The deliberate "update the reference" step for the `alsg` reference command: writes `referenceFile` from a finished
 * report's table.json. Returns the reference written.
 */
export function updateReferenceFromReport(reportDir: string, referenceFile: string, note?: string): ReferenceFile {
  return writeReference(referenceFile, readReportTable(reportDir), note);
}

/** Compares a finished report's table with a reference file (what CI runs when the report itself was cached). */
export function checkReportAgainstReference(reportDir: string, referenceFile: string, tolerance: number): ReferenceDiff {
  return diffAgainstReference(readReportTable(reportDir), readReference(referenceFile), tolerance, referenceFile);
}
