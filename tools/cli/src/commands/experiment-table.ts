/**
 * Experiment rows (`@ldl-alsg/pipeline` readExperiments) as a table: named columns, row filters, column selection,
 * "only changed" and the three outputs of `alsg exp show` (aligned text, CSV, JSON). Pure: no disk, tested alone.
 *
 * Column names: `pipeline`, `profile`, `instance`, `stage`, `status`, `seed`, `seconds`, `finished`, `key`, the
 * descriptors `variant` / `backend` / `noise`, `params.<name>` (dotted: `params.lambda.au`) and `metrics.<name>`
 * (`metrics.all`, `metrics.acc.raf-syn`, `metrics.val.acc`). A filter or a column list may use the part after
 * `params.` / `metrics.` when that names one column (`method=baseline`, `all>50`).
 */
import { AlsgError } from '@ldl-alsg/common';
import type { ExperimentRow } from '@ldl-alsg/pipeline';

export type Cell = string | number | boolean | null | undefined;

export interface ExperimentTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, Cell>>>;
}

const BASE_COLUMNS = ['pipeline', 'profile', 'instance', 'stage', 'status', 'seed', 'seconds', 'finished', 'key', 'variant', 'backend', 'noise'];

export interface TableOptions {
  /** Include every resolved parameter (schema defaults too), not only those a pipeline file set. */
  allParams?: boolean;
}

const cellOf = (v: unknown): Cell => (v === null || v === undefined || ['string', 'number', 'boolean'].includes(typeof v) ? (v as Cell) : JSON.stringify(v));

/** Rows to cells; columns: the base ones, then params (sorted), then metrics (averages first, then sorted). */
export function experimentTable(rows: readonly ExperimentRow[], options: TableOptions = {}): ExperimentTable {
  const params = new Set<string>();
  const metrics = new Set<string>();
  const cells = rows.map((r) => {
    const out: Record<string, Cell> = {
      pipeline: r.pipeline, profile: r.profile, instance: r.instance, stage: r.stage, status: r.status, seed: r.seed,
      seconds: r.seconds, finished: r.finished, key: r.key, variant: r.info.variant, backend: r.info.backend, noise: r.info.noise,
    };
    const shown = options.allParams ? Object.keys(r.params) : r.written;
    // The seed has its own column (for an evaluation, its model's seed).
    for (const k of shown.filter((name) => name !== 'seed')) {
      params.add(k);
      out[`params.${k}`] = cellOf(r.params[k]);
    }
    for (const [k, v] of Object.entries(r.metrics)) {
      metrics.add(k);
      out[`metrics.${k}`] = v;
    }
    return out;
  });
  const base = BASE_COLUMNS.filter((c) => cells.some((row) => row[c] !== undefined));
  return { columns: [...base, ...[...params].sort().map((p) => `params.${p}`), ...[...metrics].sort(metricOrder).map((m) => `metrics.${m}`)], rows: cells };
}

/** Resolves a user's column name: exact, else the one column it ends (after `params.` / `metrics.`); undefined when none. */
export function resolveColumn(columns: readonly string[], name: string): string | undefined {
  if (columns.includes(name)) return name;
  const matches = columns.filter((c) => c === `params.${name}` || c === `metrics.${name}`);
  if (matches.length > 1) throw new AlsgError('E_USAGE', `column '${name}' is ambiguous: ${matches.join(', ')}; write one in full`);
  return matches[0];
}

/** `*` as "any characters" in an otherwise literal pattern. */
function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** A parsed `--filter`: column, operator and value. */
export interface RowFilter {
  readonly column: string;
  readonly op: '=' | '!=' | '>=' | '<=' | '>' | '<' | '~';
  readonly value: string;
}

/** Parses `name OP value` (OP one of = != >= <= > < ~; `~` = contains; `=` and `!=` take `*` wildcards). */
export function parseFilter(text: string): RowFilter {
  const m = /^([^=!<>~]+?)\s*(!=|>=|<=|=|>|<|~)\s*(.*)$/.exec(text);
  if (!m) throw new AlsgError('E_USAGE', `--filter must read <column><op><value> with op one of = != >= <= > < ~ (e.g. stage=train, all>50), but got '${text}'`);
  return { column: m[1].trim(), op: m[2] as RowFilter['op'], value: m[3].trim() };
}

function matches(cell: Cell, f: RowFilter): boolean {
  const text = cell === undefined || cell === null ? '' : String(cell);
  const a = Number(cell), b = Number(f.value);
  const numeric = typeof cell === 'number' && f.value !== '' && Number.isFinite(b);
  switch (f.op) {
    case '=': return numeric ? a === b : globRegExp(f.value).test(text);
    case '!=': return numeric ? a !== b : !globRegExp(f.value).test(text);
    case '~': return text.includes(f.value);
    default: {
      if (!numeric) return false;
      return f.op === '>' ? a > b : f.op === '<' ? a < b : f.op === '>=' ? a >= b : a <= b;
    }
  }
}

/** Keeps the rows every filter accepts (a filter on an unknown column is a usage error naming the columns). */
export function filterRows(table: ExperimentTable, filters: readonly RowFilter[]): ExperimentTable {
  const resolved = filters.map((f) => {
    const column = resolveColumn(table.columns, f.column);
    // A column no row has (e.g. metrics.val.acc on old results) matches nothing rather than failing.
    if (!column && !/^(params|metrics)\./.test(f.column)) {
      throw new AlsgError('E_USAGE', `--filter: no column '${f.column}'; columns are ${table.columns.join(', ')}`);
    }
    return { ...f, column: column ?? f.column };
  });
  return { columns: table.columns, rows: table.rows.filter((row) => resolved.every((f) => matches(row[f.column], f))) };
}

/**
 * Drops every column whose value is the same in every row (DVC's --only-changed, extended to pipeline, profile, stage,
 * status and seed so a narrow selection fits a terminal); the instance and key always stay, they name the row.
 */
export function onlyChanged(table: ExperimentTable): ExperimentTable {
  const fixed = new Set(['instance', 'key']);
  const keep = table.columns.filter((c) => fixed.has(c) || new Set(table.rows.map((r) => JSON.stringify(r[c] ?? null))).size > 1);
  return { columns: keep, rows: table.rows };
}

/** Keeps the listed columns, in that order; each entry a column name (short forms allowed) or a `*` pattern. */
export function selectColumns(table: ExperimentTable, list: readonly string[]): ExperimentTable {
  const chosen: string[] = [];
  for (const entry of list) {
    const found = entry.includes('*') ? table.columns.filter((c) => globRegExp(entry).test(c)) : [resolveColumn(table.columns, entry)].filter((c): c is string => !!c);
    // Written in full, a params / metrics column no row has yet is shown empty (e.g. metrics.val.acc of older results).
    if (!found.length && /^(params|metrics)\./.test(entry)) found.push(entry);
    if (!found.length && !entry.includes('*')) {
      throw new AlsgError('E_USAGE', `--columns: no column '${entry}' (write params.<name> or metrics.<name> for one no row has); columns are ${table.columns.join(', ')}`);
    }
    for (const c of found) if (!chosen.includes(c)) chosen.push(c);
  }
  return { columns: chosen, rows: table.rows };
}

/** Sorts by a column (prefix `-` for descending); empty cells last. */
export function sortRows(table: ExperimentTable, spec: string): ExperimentTable {
  const desc = spec.startsWith('-');
  const column = resolveColumn(table.columns, desc ? spec.slice(1) : spec);
  if (!column) throw new AlsgError('E_USAGE', `--sort: no column '${spec}'; columns are ${table.columns.join(', ')}`);
  const rows = [...table.rows].sort((x, y) => {
    const a = x[column], b = y[column];
    if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
    if (b === undefined || b === null) return -1;
    const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    return desc ? -c : c;
  });
  return { columns: table.columns, rows };
}

/** A cell as text: accuracies (percent) with 2 decimals, other metrics 4 significant digits, seconds whole. */
export function formatCell(column: string, cell: Cell): string {
  if (cell === undefined || cell === null) return '-';
  if (typeof cell !== 'number') return String(cell);
  if (column === 'seconds') return cell.toFixed(0);
  if (/^metrics\.(all|wild|lab|acc\..*|val\.acc|train\.acc)$/.test(column)) return cell.toFixed(2);
  if (column.startsWith('metrics.')) return formatNumber(cell);
  return String(cell);
}

/** 4 significant digits without trailing zeros; tiny magnitudes in exponent form (a change of 2.6e-6, not 0.000002555). */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
}

/** Metric names in reading order: the averages first (all, wild, lab), then alphabetical. */
export function metricOrder(a: string, b: string): number {
  const first = ['all', 'wild', 'lab'];
  const ia = first.indexOf(a), ib = first.indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 9 : ia) - (ib < 0 ? 9 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Header text: the column without its `params.` / `metrics.` group when that stays unique. */
function headerOf(columns: readonly string[], c: string): string {
  const short = c.replace(/^(params|metrics)\./, '');
  return short !== c && columns.filter((o) => o.replace(/^(params|metrics)\./, '') === short).length > 1 ? c : short;
}

/** Aligned text, one row per line, numbers right-aligned. */
export function renderText(table: ExperimentTable): string {
  if (!table.rows.length) return '';
  const head = table.columns.map((c) => headerOf(table.columns, c));
  const body = table.rows.map((r) => table.columns.map((c) => formatCell(c, r[c])));
  const widths = table.columns.map((_, i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const numeric = table.columns.map((c) => table.rows.some((r) => typeof r[c] === 'number'));
  const line = (cells: string[]): string => cells.map((t, i) => (numeric[i] ? t.padStart(widths[i]) : t.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

/** RFC 4180 CSV with the full column names; numbers unrounded. */
export function renderCsv(table: ExperimentTable): string {
  const quote = (t: string): string => (/[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
  const cell = (v: Cell): string => (v === undefined || v === null ? '' : quote(String(v)));
  return [table.columns.map(quote).join(','), ...table.rows.map((r) => table.columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

/** JSON: one object per row with the selected columns (full names), numbers unrounded. */
export function renderJson(table: ExperimentTable): string {
  return `${JSON.stringify(table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [c, r[c] ?? null]))), null, 2)}\n`;
}
