/**
 * The `expect:` claims of a pipeline: the paper's statements as checks over the report's table. Each claim compares two
 * operands; an operand is a table cell (its mean over seeds), a constant, or arithmetic over operands:
 *
 * ```yaml
 * expect:
 *   - claim: LDL-ALSG(AU+FL) beats the baseline overall
 *     left: {row: LDL-ALSG(AU+FL), metric: all}
 *     op: ">"
 *     right: {row: Baseline, metric: all}
 *   - claim: the baseline drops more than LDL-ALSG from 0% to 15% noise
 *     left: {minus: [{row: {noise: "0%", method: Baseline}, metric: all}, {row: {noise: "15%", method: Baseline}, metric: all}]}
 *     op: ">"
 *     right: {minus: [{row: {noise: "0%", method: LDL-ALSG(AU+FL)}, metric: all}, {row: {noise: "15%", method: LDL-ALSG(AU+FL)}, metric: all}]}
 * ```
 *
 * A cell reference: `row` = the row's label (field values joined by " / "), the paper's printed row label, or an object
 * of descriptor fields; `column` = likewise for column groups (needed only when the table has column fields);
 * `metric` = a dataset name, the paper's dataset key (affectnet, ckplus, ...), or wild | lab | all.
 * Operators: > >= < <= ==; `margin` (default 0) requires left - right > margin (for > and >=), left - right < -margin
 * (for < and <=) or |left - right| <= margin (for ==). A claim whose cell is missing (not run, no such row) is a FAIL
 * with the reason; nothing is skipped or hidden.
 */
import { AlsgError } from '@ldl-alsg/common';
import type { BuiltTable, TableCell } from './table';
import { paperDatasetKey } from './table';

/** A reference to one table cell. */
export interface CellRef {
  row?: string | Record<string, string | number>;
  column?: string | Record<string, string | number>;
  metric: string;
}

/** An operand: a cell, a constant, a difference, a sum or a mean of operands. */
export type Operand = CellRef | { value: number } | { minus: [Operand, Operand] } | { plus: Operand[] } | { mean: Operand[] };

export const CLAIM_OPERATORS = ['>', '>=', '<', '<=', '=='] as const;
export type ClaimOperator = (typeof CLAIM_OPERATORS)[number];

/** One claim as written in the pipeline's `expect:` block. */
export interface Claim {
  /** The statement in words (shown in the report). */
  claim: string;
  left: Operand;
  op: ClaimOperator;
  right: Operand;
  /** Required gap (percentage points), default 0; for == the allowed absolute difference. */
  margin?: number;
}

/** A term that entered a claim: which cell and what it held. */
export interface ClaimTerm {
  ref: string;
  value: number | null;
  /** Seeds averaged. */
  n: number;
}

/** The outcome of one claim. */
export interface ClaimResult {
  claim: string;
  status: 'PASS' | 'FAIL';
  op: ClaimOperator;
  margin: number;
  left: number | null;
  right: number | null;
  /** "72.13 > 69.33" with the numbers, or the reason it could not be evaluated. */
  detail: string;
  reason?: string;
  terms: ClaimTerm[];
}

/**
 * JSON Schema of a claim list (used by the report stage's paramsSchema for `expect`). Deliberately without `$ref`, so
 * it embeds anywhere (the engine may nest it in a pipeline schema): arithmetic nests two levels deep, e.g.
 * {minus: [{mean: [cell, cell]}, cell]}, which covers the paper's claims.
 */
export function claimsJsonSchema(): Record<string, unknown> {
  const keyOrText = { oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: ['string', 'number'] } }] };
  const cell = {
    type: 'object',
    description: 'a table cell: row (label or descriptor fields), optional column, metric (dataset, wild, lab, all)',
    properties: { row: keyOrText, column: keyOrText, metric: { type: 'string' } },
    required: ['metric'],
    additionalProperties: false,
  };
  const value = { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false };
  const ops = (inner: Record<string, unknown>): Record<string, unknown>[] => [
    { type: 'object', properties: { minus: { type: 'array', minItems: 2, maxItems: 2, items: inner } }, required: ['minus'], additionalProperties: false },
    { type: 'object', properties: { plus: { type: 'array', minItems: 1, items: inner } }, required: ['plus'], additionalProperties: false },
    { type: 'object', properties: { mean: { type: 'array', minItems: 1, items: inner } }, required: ['mean'], additionalProperties: false },
  ];
  const leaf = { oneOf: [cell, value] };
  const level1 = { oneOf: [cell, value, ...ops(leaf)] };
  const operand = { oneOf: [cell, value, ...ops(level1)] };
  return {
    type: 'array',
    description: "The pipeline's expect: claims, each checked over the table and reported PASS or FAIL with its numbers.",
    default: [],
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['claim', 'left', 'op', 'right'],
      properties: {
        claim: { type: 'string', description: 'the statement in words' },
        left: operand,
        op: { enum: [...CLAIM_OPERATORS], description: 'comparison of left with right' },
        right: operand,
        margin: { type: 'number', minimum: 0, default: 0, description: 'required gap in percentage points (== : allowed difference)' },
      },
    },
  };
}

class MissingCell extends Error {}

function matches(spec: string | Record<string, string | number>, key: Record<string, string>, label: string, paperLabel?: string): boolean {
  if (typeof spec === 'string') return spec === label || spec === paperLabel || (Object.keys(key).length === 1 && Object.values(key)[0] === spec);
  return Object.entries(spec).every(([f, v]) => key[f] === String(v));
}

function refText(ref: CellRef): string {
  const part = (v: CellRef['row']): string => (v === undefined ? '' : typeof v === 'string' ? v : Object.entries(v).map(([f, x]) => `${f}=${x}`).join(','));
  return [part(ref.row), part(ref.column), ref.metric].filter((s) => s).join(' | ');
}

/** Finds the cell a reference names; throws MissingCell (a FAIL reason) when there is none or it is ambiguous. */
function lookup(table: BuiltTable, ref: CellRef): TableCell {
  const rows = table.rows.filter((r) => ref.row === undefined || matches(ref.row, r.key, r.label, r.paperLabel));
  if (rows.length === 0) throw new MissingCell(`no row matches ${JSON.stringify(ref.row)} (rows: ${table.rows.map((r) => r.label).join('; ')})`);
  if (rows.length > 1) throw new MissingCell(`${JSON.stringify(ref.row ?? '(any)')} matches ${rows.length} rows (${rows.map((r) => r.label).join('; ')}); name more fields`);
  const groups = table.groups.map((g, i) => ({ g, i })).filter(({ g }) => ref.column === undefined || matches(ref.column, g.key, g.label));
  if (groups.length !== 1) throw new MissingCell(`column ${JSON.stringify(ref.column ?? '(none)')} matches ${groups.length} column groups (${table.groups.map((g) => g.label).join('; ')})`);
  const m = table.metrics.findIndex((c) => c.key === ref.metric) >= 0
    ? table.metrics.findIndex((c) => c.key === ref.metric)
    : table.metrics.findIndex((c) => c.paperKey === ref.metric || c.paperKey === paperDatasetKey(ref.metric) && c.paperKey !== undefined || c.label === ref.metric);
  if (m < 0) throw new MissingCell(`metric "${ref.metric}" is not a column (columns: ${table.metrics.map((c) => c.key).join(', ')})`);
  const cells = rows[0].cells[groups[0].i];
  if (!cells) throw new MissingCell(`row "${rows[0].label}" has no results in column "${groups[0].g.label}"`);
  return cells[m];
}

function evaluateOperand(table: BuiltTable, op: Operand, terms: ClaimTerm[]): number {
  if ('value' in op) return op.value;
  if ('minus' in op) return evaluateOperand(table, op.minus[0], terms) - evaluateOperand(table, op.minus[1], terms);
  if ('plus' in op) return op.plus.reduce((a, o) => a + evaluateOperand(table, o, terms), 0);
  if ('mean' in op) return op.mean.reduce((a, o) => a + evaluateOperand(table, o, terms), 0) / op.mean.length;
  if (!('metric' in op)) throw new AlsgError('E_CONFIG', `report: claim operand ${JSON.stringify(op)} must be a cell {row, column, metric}, {value}, {minus}, {plus} or {mean}`);
  const cell = lookup(table, op);
  const text = refText(op);
  if (!cell.ours) {
    terms.push({ ref: text, value: null, n: 0 });
    throw new MissingCell(`${text}: not run`);
  }
  terms.push({ ref: text, value: cell.ours.mean, n: cell.ours.n });
  return cell.ours.mean;
}

function compare(left: number, op: ClaimOperator, right: number, margin: number): boolean {
  const d = left - right;
  switch (op) {
    case '>': return d > margin;
    case '>=': return d >= margin;
    case '<': return -d > margin;
    case '<=': return -d >= margin;
    case '==': return Math.abs(d) <= margin;
  }
}

/** Evaluates every claim over the table; never throws for a missing cell (that claim FAILs with the reason). */
export function evaluateClaims(table: BuiltTable, claims: readonly Claim[]): ClaimResult[] {
  return claims.map((c) => {
    const margin = c.margin ?? 0;
    if (!(CLAIM_OPERATORS as readonly string[]).includes(c.op)) {
      throw new AlsgError('E_CONFIG', `report: claim "${c.claim}": op must be one of ${CLAIM_OPERATORS.join(' ')}, but got ${JSON.stringify(c.op)}`);
    }
    const terms: ClaimTerm[] = [];
    let left: number | null = null;
    let right: number | null = null;
    try {
      left = evaluateOperand(table, c.left, terms);
      right = evaluateOperand(table, c.right, terms);
    } catch (err) {
      if (!(err instanceof MissingCell)) throw err;
      return { claim: c.claim, status: 'FAIL', op: c.op, margin, left, right, detail: `cannot evaluate: ${err.message}`, reason: err.message, terms };
    }
    const ok = compare(left, c.op, right, margin);
    const gap = margin ? ` (margin ${margin})` : '';
    const rel = `${left.toFixed(2)} ${c.op} ${right.toFixed(2)}${gap}`;
    return { claim: c.claim, status: ok ? 'PASS' : 'FAIL', op: c.op, margin, left, right, detail: ok ? rel : `not ${rel}`, terms };
  });
}
