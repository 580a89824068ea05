/**
 * CI reproduction checks: a committed reference of a pipeline's results (e.g. `pipelines/reference/<pipeline>.json`)
 * and a diff that flags every cell that moved beyond a tolerance, disappeared, or appeared, and every claim whose
 * verdict changed (verdicts compare exactly; the mean difference within the tolerance). Updating the reference is a
 * deliberate act ({@link writeReference}, called by the `alsg` reference command), never a side effect of a run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import type { ClaimResult } from './claims';
import type { TableId } from './paper-values';
import type { Verdict } from './stats';
import type { BuiltTable } from './table';

/** Written since claims got verdicts; @1 (cells only) is still read, as a reference without verdicts. */
export const REFERENCE_SCHEMA = 'ldl-alsg/reference@2';
export const REFERENCE_SCHEMA_V1 = 'ldl-alsg/reference@1';

/** One reference cell: our mean over seeds (percent) and how many seeds. */
export interface ReferenceCell {
  row: string;
  /** Column group label ('' without column fields). */
  column: string;
  metric: string;
  mean: number;
  n: number;
}

/** One reference claim: its verdict and mean paired difference (null when it could not be evaluated). */
export interface ReferenceCheck {
  claim: string;
  verdict: Verdict;
  meanDiff: number | null;
  nSeeds: number;
}

/** The committed reference file. */
export interface ReferenceFile {
  schema: typeof REFERENCE_SCHEMA | typeof REFERENCE_SCHEMA_V1;
  table: TableId;
  /** Free-form: which pipeline/profile, when, on what backend. */
  note?: string;
  cells: ReferenceCell[];
  /** The claims' verdicts (absent in @1 files, written before verdicts existed). */
  checks?: ReferenceCheck[];
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

/**
 * Status of one claim in a diff: ok, `verdict` (the verdict changed), `moved` (same verdict, mean difference beyond
 * tolerance), missing / new (claim text in one only), `unverified` (the reference has no verdicts: needs --update).
 */
export type ReferenceCheckStatus = 'ok' | 'verdict' | 'moved' | 'missing' | 'new' | 'unverified';

export interface ReferenceDiffCheck {
  claim: string;
  reference: Verdict | null;
  ours: Verdict | null;
  referenceDiff: number | null;
  oursDiff: number | null;
  status: ReferenceCheckStatus;
  /** Why it is not ok, in words. */
  message?: string;
}

/** reference-diff.json. */
export interface ReferenceDiff {
  /** True when every cell is within tolerance, none is missing or new, and every claim's verdict is unchanged. */
  ok: boolean;
  file: string;
  /** Whether the reference file existed. */
  found: boolean;
  /** Allowed |ours - reference| in percentage points. */
  tolerance: number;
  counts: Record<ReferenceStatus, number>;
  /** Every compared cell (ok ones included, so the file shows what was checked). */
  cells: ReferenceDiffCell[];
  /** Every compared claim. */
  checks: ReferenceDiffCheck[];
  checkCounts: Record<ReferenceCheckStatus, number>;
  hint?: string;
}

/** The cells of a built table that hold results (ours non-null); ceiling rows are not results and are left out. */
export function referenceCells(table: BuiltTable): ReferenceCell[] {
  const out: ReferenceCell[] = [];
  for (const row of table.rows) {
    if (row.ceiling) continue;
    row.cells.forEach((cells, g) => {
      cells.forEach((cell) => {
        if (cell.ours) out.push({ row: row.label, column: table.groups[g].label, metric: cell.metric, mean: cell.ours.mean, n: cell.ours.n });
      });
    });
  }
  return out;
}

/** The claims as a reference stores them. */
export function referenceChecks(checks: readonly Pick<ClaimResult, 'claim' | 'verdict' | 'meanDiff' | 'nSeeds'>[]): ReferenceCheck[] {
  return checks.map((c) => ({ claim: c.claim, verdict: c.verdict, meanDiff: c.meanDiff, nSeeds: c.nSeeds }));
}

/** Writes (creates or replaces) a reference file from a built table and its claims: the deliberate "update the reference" step. */
export function writeReference(file: string, table: BuiltTable, note?: string, checks: readonly Pick<ClaimResult, 'claim' | 'verdict' | 'meanDiff' | 'nSeeds'>[] = []): ReferenceFile {
  const ref: ReferenceFile = { schema: REFERENCE_SCHEMA, table: table.table, ...(note ? { note } : {}), cells: referenceCells(table), checks: referenceChecks(checks) };
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
  if ((ref.schema !== REFERENCE_SCHEMA && ref.schema !== REFERENCE_SCHEMA_V1) || !Array.isArray(ref.cells)) {
    throw new AlsgError('E_ARTIFACT', `${file}: schema must be "${REFERENCE_SCHEMA}" (or "${REFERENCE_SCHEMA_V1}") with a cells array, but got ${JSON.stringify(ref.schema)}`, { file });
  }
  if (ref.checks !== undefined && !(Array.isArray(ref.checks) && ref.checks.every((c) => typeof c?.claim === 'string' && typeof c?.verdict === 'string'))) {
    throw new AlsgError('E_ARTIFACT', `${file}: "checks" must be a list of {claim, verdict, meanDiff, nSeeds}`, { file });
  }
  return ref;
}

/**
 * Compares a built table and its claims with a reference. A cell is `moved` when |ours - reference| > tolerance
 * (+1e-9 for float printing), `missing` when the reference has it and we do not, `new` when we have it and the
 * reference does not. A claim (matched by its text) is `verdict` when its verdict changed (compared exactly), `moved`
 * when the verdict held but the mean difference moved beyond the tolerance, and `unverified` when the reference holds
 * no verdicts at all (an @1 file, written before claims had verdicts): that needs a deliberate --update.
 * @param tolerance allowed absolute difference in percentage points (>= 0).
 */
export function diffAgainstReference(
  table: BuiltTable,
  reference: ReferenceFile | null,
  tolerance: number,
  file: string,
  checks: readonly Pick<ClaimResult, 'claim' | 'verdict' | 'meanDiff' | 'nSeeds'>[] = [],
): ReferenceDiff {
  if (!(tolerance >= 0)) throw new AlsgError('E_CONFIG', `report: reference tolerance must be >= 0, but got ${tolerance}`);
  const counts: Record<ReferenceStatus, number> = { ok: 0, moved: 0, missing: 0, new: 0 };
  const checkCounts: Record<ReferenceCheckStatus, number> = { ok: 0, verdict: 0, moved: 0, missing: 0, new: 0, unverified: 0 };
  const cells: ReferenceDiffCell[] = [];
  const diffChecks: ReferenceDiffCheck[] = [];
  const ours = referenceCells(table);
  const update = 'alsg reference <pipeline.yaml> --profile <profile> --update (then commit the file)';
  if (!reference) {
    for (const c of ours) cells.push({ row: c.row, column: c.column, metric: c.metric, reference: null, ours: c.mean, delta: null, status: 'new' });
    for (const c of checks) diffChecks.push({ claim: c.claim, reference: null, ours: c.verdict, referenceDiff: null, oursDiff: c.meanDiff, status: 'new' });
    counts.new = cells.length;
    checkCounts.new = diffChecks.length;
    return { ok: false, file, found: false, tolerance, counts, cells, checks: diffChecks, checkCounts, hint: `no reference file at ${file}; create it deliberately: ${update}` };
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

  const hints: string[] = [];
  if (!reference.checks) {
    for (const c of checks) {
      diffChecks.push({ claim: c.claim, reference: null, ours: c.verdict, referenceDiff: null, oursDiff: c.meanDiff, status: 'unverified', message: 'the reference has no claim verdicts' });
    }
    if (checks.length) hints.push(`reference ${file} holds no claim verdicts (${reference.schema}, written before claims had verdicts); regenerate it deliberately: ${update}`);
  } else {
    const mineChecks = new Map(checks.map((c) => [c.claim, c]));
    for (const r of reference.checks) {
      const o = mineChecks.get(r.claim);
      mineChecks.delete(r.claim);
      if (!o) {
        diffChecks.push({ claim: r.claim, reference: r.verdict, ours: null, referenceDiff: r.meanDiff, oursDiff: null, status: 'missing', message: 'claim in the reference, not in this report' });
        continue;
      }
      const base = { claim: r.claim, reference: r.verdict, ours: o.verdict, referenceDiff: r.meanDiff, oursDiff: o.meanDiff };
      if (o.verdict !== r.verdict) {
        diffChecks.push({ ...base, status: 'verdict', message: `verdict changed: reference ${r.verdict}, now ${o.verdict}` });
      } else if ((r.meanDiff === null) !== (o.meanDiff === null) || (r.meanDiff !== null && o.meanDiff !== null && Math.abs(o.meanDiff - r.meanDiff) > tolerance + 1e-9)) {
        diffChecks.push({ ...base, status: 'moved', message: `mean difference ${o.meanDiff?.toFixed(3) ?? '-'} vs reference ${r.meanDiff?.toFixed(3) ?? '-'} (tolerance ${tolerance})` });
      } else {
        diffChecks.push({ ...base, status: 'ok' });
      }
    }
    for (const o of mineChecks.values()) diffChecks.push({ claim: o.claim, reference: null, ours: o.verdict, referenceDiff: null, oursDiff: o.meanDiff, status: 'new', message: 'claim not in the reference' });
  }
  for (const c of diffChecks) checkCounts[c.status]++;
  const cellsOk = counts.moved === 0 && counts.missing === 0 && counts.new === 0;
  const checksOk = diffChecks.every((c) => c.status === 'ok');
  if (!cellsOk || (!checksOk && reference.checks)) hints.push('results differ from the committed reference; if the change is intended, update the reference deliberately');
  const ok = cellsOk && checksOk;
  return { ok, file, found: true, tolerance, counts, cells, checks: diffChecks, checkCounts, ...(hints.length ? { hint: hints.join('; ') } : {}) };
}

/** Reads the built table a finished report wrote (`<reportDir>/table.json`). */
export function readReportTable(reportDir: string): BuiltTable {
  const file = `${reportDir}/table.json`;
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected the output of a report stage)`, { file });
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { table?: BuiltTable };
  if (!doc.table || !Array.isArray(doc.table.rows)) throw new AlsgError('E_ARTIFACT', `${file}: has no "table" with rows`, { file });
  return doc.table;
}

/** Reads the claims a finished report wrote (`<reportDir>/checks.json`); an older checks.json without verdicts is an error. */
export function readReportChecks(reportDir: string): ClaimResult[] {
  const file = `${reportDir}/checks.json`;
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected the output of a report stage)`, { file });
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { checks?: ClaimResult[] };
  if (!Array.isArray(doc.checks)) throw new AlsgError('E_ARTIFACT', `${file}: has no "checks" list`, { file });
  if (doc.checks.some((c) => typeof c.verdict !== 'string')) {
    throw new AlsgError('E_ARTIFACT', `${file}: its checks have no "verdict" (written by an older report stage with PASS/FAIL); re-run the report`, { file });
  }
  return doc.checks;
}

/**
 * The deliberate "update the reference" step for the `alsg` reference command: writes `referenceFile` from a finished
 * report's table.json and checks.json. Returns the reference written.
 */
export function updateReferenceFromReport(reportDir: string, referenceFile: string, note?: string): ReferenceFile {
  return writeReference(referenceFile, readReportTable(reportDir), note, readReportChecks(reportDir));
}

/** Compares a finished report's table and claims with a reference file (what CI runs when the report itself was cached). */
export function checkReportAgainstReference(reportDir: string, referenceFile: string, tolerance: number): ReferenceDiff {
  return diffAgainstReference(readReportTable(reportDir), readReference(referenceFile), tolerance, referenceFile, readReportChecks(reportDir));
}
