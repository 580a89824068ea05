/**
 * The `expect:` claims of a pipeline: the paper's statements, judged by paired multi-seed statistics over the
 * report's results. Each claim compares two operands; an operand is a table cell, a constant, or arithmetic over
 * operands:
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
 * `metric` = a dataset name, the paper's dataset key (affectnet, ckplus, ...), or wild | lab | all. Ceiling rows
 * ("Ceiling: oracle", "Ceiling: AU features") are reachable only by their exact label and count as constants.
 *
 * Verdicts. For every seed s present in all the claim's cells, the whole expression is evaluated on that seed's
 * results: d_s = left_s - right_s. Two 95% intervals of the mean difference:
 * (a) t interval over the d_s (t quantile with n-1 df; needs >= 2 seeds);
 * (b) paired bootstrap over test images: resample images with replacement within each test set (seeded), recompute
 *     every operand (per-set accuracies; wild / lab / all as plain means of them) for left and right on the SAME
 *     resample, average left - right over seeds; percentile interval.
 * Supported only if both lie strictly on the claimed side beyond `margin`; contradicted only if both lie on the other
 * side; otherwise inconclusive (stats.ts: intervalVerdict). With one seed the bootstrap decides alone; without
 * predictions.csv the t interval decides alone. A seed missing from some cell is excluded from that claim with a note.
 * A claim that cannot be evaluated (cell not run, no such row, no common seed) is inconclusive with the reason.
 */
import { AlsgError } from '@ldl-alsg/common';
import { bootstrapAccuracies, type BootstrapDraws } from './predictions';
import type { ResultRecord } from './results';
import { combineVerdicts, intervalVerdict, percentileInterval, tInterval, type Verdict } from './stats';
import type { BuiltTable, TableCell, TableRow, ColumnGroup } from './table';
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


/** A term that entered a claim: which cell and what it held (mean over the claim's paired seeds). */
export interface ClaimTerm {
  ref: string;
  value: number | null;
  /** Seeds averaged. */
  n: number;
}

/** Settings of the statistics (recorded in checks.json). */
export interface ClaimStatsOptions {
  /** Bootstrap resamples, default 2000. */
  resamples?: number;
  /** Bootstrap seed, default 0. */
  seed?: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 2000, seed: 0 } as const;
/** Two-sided level of both intervals. */
export const CLAIM_LEVEL = 0.95;

/** How the verdict was reached. */
export type DecidedBy = 't+bootstrap' | 'bootstrap only (1 seed)' | 't only (no predictions.csv)' | 'exact (no results)' | 'none';

/** The outcome of one claim (one entry of checks.json). */
export interface ClaimResult {
  claim: string;
  verdict: Verdict;
  op: ClaimOperator;
  margin: number;
  /** Mean over the paired seeds of the left / right operand; null when not evaluable. */
  left: number | null;
  right: number | null;
  /** Mean and sample sd of the per-seed differences left_s - right_s. */
  meanDiff: number | null;
  sdDiff: number | null;
  nSeeds: number;
  seeds: string[];
  perSeedDiff: number[];
  /** 95% t interval over the per-seed differences (null with fewer than 2 seeds). */
  tInterval: { low: number; high: number; df: number } | null;
  /** 95% percentile interval of the paired bootstrap (null without predictions.csv for some cell). */
  bootstrap: { low: number; high: number; resamples: number; images: number; seed: number } | null;
  decidedBy: DecidedBy;
  /** One line: what the intervals are and the rule. */
  method: string;
  /** The numbers in words (as printed in report.md after the verdict), or why the claim could not be evaluated. */
  detail: string;
  reason?: string;
  /** E.g. seeds excluded because some cell lacks them. */
  notes: string[];
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
    description: "The pipeline's expect: claims, each checked over the table and judged supported, contradicted or inconclusive by paired statistics over seeds and test images.",
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

/** Finds the cell a reference names; throws MissingCell (a reason) when there is none or it is ambiguous. */
function lookup(table: BuiltTable, ref: CellRef): { row: TableRow; group: ColumnGroup; cell: TableCell } {
  // Ceiling rows are not methods: only their exact label reaches them, never descriptor fields or "any row".
  const rows = table.rows.filter((r) =>
    r.ceiling ? typeof ref.row === 'string' && ref.row === r.label : ref.row === undefined || matches(ref.row, r.key, r.label, r.paperLabel),
  );
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
  return { row: rows[0], group: groups[0].g, cell: cells[m] };
}

/** A result cell inside a claim: its per-seed values (from the table) and per-seed results (for the bootstrap). */
interface CellLeaf {
  ref: string;
  cell: TableCell;
  /** Seed -> the result that filled this cell for that seed. */
  records: Map<string, ResultRecord>;
  term: number;
}

/** An operand compiled to a function of its leaves' values (so it runs per seed and per resample alike). */
type Compiled = (leafValue: (leaf: number) => number) => number;

function compile(table: BuiltTable, results: readonly ResultRecord[], op: Operand, leaves: CellLeaf[], terms: ClaimTerm[]): Compiled {
  if ('value' in op) {
    const x = op.value;
    return () => x;
  }
  if ('minus' in op) {
    const [a, b] = op.minus.map((o) => compile(table, results, o, leaves, terms));
    return (v) => a(v) - b(v);
  }
  if ('plus' in op) {
    const parts = op.plus.map((o) => compile(table, results, o, leaves, terms));
    return (v) => parts.reduce((a, p) => a + p(v), 0);
  }
  if ('mean' in op) {
    const parts = op.mean.map((o) => compile(table, results, o, leaves, terms));
    return (v) => parts.reduce((a, p) => a + p(v), 0) / parts.length;
  }
  if (!('metric' in op)) throw new AlsgError('E_CONFIG', `report: claim operand ${JSON.stringify(op)} must be a cell {row, column, metric}, {value}, {minus}, {plus} or {mean}`);
  const { row, group, cell } = lookup(table, op);
  const text = refText(op);
  if (!cell.ours) {
    terms.push({ ref: text, value: null, n: 0 });
    throw new MissingCell(`${text}: not run`);
  }
  if (row.ceiling) {
    const x = cell.ours.mean;
    terms.push({ ref: text, value: x, n: 0 });
    return () => x;
  }
  const records = new Map<string, ResultRecord>();
  for (const r of results) {
    if (table.rowFields.every((f) => r.descriptor[f] === row.key[f]) && table.columnFields.every((f) => r.descriptor[f] === group.key[f])) records.set(r.descriptor.seed, r);
  }
  const i = leaves.length;
  leaves.push({ ref: text, cell, records, term: terms.length });
  terms.push({ ref: text, value: null, n: 0 });
  return (v) => v(i);
}

/** The test sets a metric of one result averages (a dataset, or the plain-mean sets of wild / lab / all). */
function metricSets(r: ResultRecord, metric: string): string[] {
  if (metric === 'wild' || metric === 'lab') return r.metrics.sets.filter((s) => s.domain === metric).map((s) => s.dataset);
  if (metric === 'all') return r.metrics.sets.map((s) => s.dataset);
  const set = r.metrics.sets.find((s) => s.dataset === metric) ?? r.metrics.sets.find((s) => paperDatasetKey(s.dataset) === metric);
  return set ? [set.dataset] : [];
}

function compareSeeds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** "+1.23" / "-0.41". */
export function signed(x: number, digits = 2): string {
  const t = x.toFixed(digits);
  return x >= 0 && !t.startsWith('-') ? `+${t}` : t;
}

function interval(iv: { low: number; high: number }): string {
  return `[${signed(iv.low)}, ${signed(iv.high)}]`;
}

interface Prepared {
  claim: Claim;
  margin: number;
  terms: ClaimTerm[];
  leaves: CellLeaf[];
  left?: Compiled;
  right?: Compiled;
  reason?: string;
}

function unevaluable(p: Prepared, reason: string, extra: Partial<ClaimResult> = {}): ClaimResult {
  return {
    claim: p.claim.claim, verdict: 'inconclusive', op: p.claim.op, margin: p.margin, left: null, right: null, meanDiff: null, sdDiff: null, nSeeds: 0, seeds: [],
    perSeedDiff: [], tInterval: null, bootstrap: null, decidedBy: 'none', method: 'not evaluated', detail: `cannot evaluate: ${reason}`, reason, notes: [], terms: p.terms, ...extra,
  };
}

/**
 * Judges every claim (see the module comment). Never throws for a missing cell (that claim is inconclusive with the
 * reason); throws for a malformed claim or when the results' test images cannot be paired (different sets or ids).
 * @param results the results the table was built from; without them (or without their predictions.csv) there is no
 *   bootstrap and the t interval decides alone.
 */
export function evaluateClaims(table: BuiltTable, claims: readonly Claim[], results: readonly ResultRecord[] = [], options: ClaimStatsOptions = {}): ClaimResult[] {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const bootSeed = options.seed ?? DEFAULT_BOOTSTRAP.seed;
  const prepared: Prepared[] = claims.map((claim) => {
    if (!(CLAIM_OPERATORS as readonly string[]).includes(claim.op)) {
      throw new AlsgError('E_CONFIG', `report: claim "${claim.claim}": op must be one of ${CLAIM_OPERATORS.join(' ')}, but got ${JSON.stringify(claim.op)}`);
    }
    const margin = claim.margin ?? 0;
    if (!(margin >= 0)) throw new AlsgError('E_CONFIG', `report: claim "${claim.claim}": margin must be >= 0, but got ${claim.margin}`);
    const p: Prepared = { claim, margin, terms: [], leaves: [] };
    try {
      p.left = compile(table, results, claim.left, p.leaves, p.terms);
      p.right = compile(table, results, claim.right, p.leaves, p.terms);
    } catch (err) {
      if (!(err instanceof MissingCell)) throw err;
      p.reason = err.message;
    }
    return p;
  });

  // Seeds each claim pairs on: those present in every one of its cells.
  const pairedSeeds = prepared.map((p) => {
    const lists = p.leaves.map((l) => l.cell.seeds);
    const all = [...new Set(lists.flat())].sort(compareSeeds);
    return { common: all.filter((s) => lists.every((l) => l.includes(s))), all };
  });

  // One bootstrap per family of results evaluated on the same test sets (normally all of them): the draws depend only
  // on the seed and the sets' sizes, so every claim sees the same resamples whichever other claims there are.
  const signature = (r: ResultRecord): string => r.predictions!.map((s) => `${s.dataset}:${s.ids.length}`).sort().join('|');
  const families = new Map<string, { members: ResultRecord[]; index: Map<ResultRecord, number>; draws?: BootstrapDraws }>();
  const familyOf: (string | null)[] = prepared.map(() => null);
  const bootstrappable = prepared.map((p, k) => {
    if (p.reason || p.leaves.length === 0) return false;
    return pairedSeeds[k].common.every((s) => p.leaves.every((l) => l.records.get(s)?.predictions));
  });
  prepared.forEach((p, k) => {
    if (!bootstrappable[k]) return;
    const records = pairedSeeds[k].common.flatMap((s) => p.leaves.map((l) => l.records.get(s)!));
    const sig = signature(records[0]);
    const other = records.find((r) => signature(r) !== sig);
    if (other) {
      throw new AlsgError('E_INPUT', `report: claim "${p.claim.claim}": ${records[0].dir} and ${other.dir} were evaluated on different test sets (${sig} vs ${signature(other)}); a paired comparison needs the same test images`);
    }
    let family = families.get(sig);
    if (!family) families.set(sig, (family = { members: [], index: new Map() }));
    for (const r of records) {
      if (!family.index.has(r)) {
        family.index.set(r, family.members.length);
        family.members.push(r);
      }
    }
    familyOf[k] = sig;
  });
  for (const family of families.values()) family.draws = bootstrapAccuracies(family.members.map((r) => ({ name: r.dir, sets: r.predictions! })), resamples, bootSeed);

  return prepared.map((p, k): ClaimResult => {
    const { claim, margin, leaves } = p;
    if (p.reason || !p.left || !p.right) return unevaluable(p, p.reason ?? 'no operands');
    const left = p.left;
    const right = p.right;
    if (leaves.length === 0) {
      // Constants (and ceilings) only: nothing varies, the comparison is exact.
      const l = left(() => NaN);
      const r = right(() => NaN);
      const d = l - r;
      const verdict = intervalVerdict({ low: d, high: d }, claim.op, margin);
      return {
        claim: claim.claim, verdict, op: claim.op, margin, left: l, right: r, meanDiff: d, sdDiff: null, nSeeds: 0, seeds: [], perSeedDiff: [], tInterval: null, bootstrap: null,
        decidedBy: 'exact (no results)', method: 'constants only: the difference is exact', detail: `${signed(d)} points (exact: no results involved)`, notes: [], terms: p.terms,
      };
    }
    const { common, all } = pairedSeeds[k];
    const notes = all
      .filter((s) => !common.includes(s))
      .map((s) => `seed ${s} excluded: not in ${leaves.filter((l) => !l.cell.seeds.includes(s)).map((l) => l.ref).join('; ')}`);
    if (common.length === 0) return unevaluable(p, `no seed is present in every cell (${leaves.map((l) => `${l.ref}: ${l.cell.seeds.join(',') || '-'}`).join('; ')})`, { notes });

    const valueAt = (leaf: CellLeaf, s: string): number => leaf.cell.values[leaf.cell.seeds.indexOf(s)];
    const lefts = common.map((s) => left((i) => valueAt(leaves[i], s)));
    const rights = common.map((s) => right((i) => valueAt(leaves[i], s)));
    const diffs = common.map((_, j) => lefts[j] - rights[j]);
    const n = common.length;
    const avg = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    leaves.forEach((l) => (p.terms[l.term] = { ref: l.ref, value: avg(common.map((s) => valueAt(l, s))), n }));
    const meanDiff = avg(diffs);
    const t = tInterval(diffs, CLAIM_LEVEL);

    let boot: ClaimResult['bootstrap'] = null;
    const family = familyOf[k] === null ? undefined : families.get(familyOf[k]!);
    if (family?.draws) {
      const draws = family.draws;
      const setIndex = new Map(draws.datasets.map((d, i) => [d, i]));
      // Per leaf and seed: the member and the set indices its metric averages.
      const plan = leaves.map((l) =>
        common.map((s) => {
          const r = l.records.get(s)!;
          const sets = metricSets(r, l.cell.metric).map((d) => setIndex.get(d)!);
          return { m: family.index.get(r)!, sets };
        }),
      );
      const used = new Set(plan.flatMap((pl) => pl.flatMap((x) => x.sets)));
      const stats = new Float64Array(draws.resamples);
      for (let b = 0; b < draws.resamples; b++) {
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const v = (i: number): number => {
            const { m, sets } = plan[i][j];
            let a = 0;
            for (const s of sets) a += draws.accuracy(b, m, s);
            return a / sets.length;
          };
          sum += left(v) - right(v);
        }
        stats[b] = sum / n;
      }
      const iv = percentileInterval(stats, CLAIM_LEVEL);
      boot = { low: iv.low, high: iv.high, resamples: draws.resamples, images: [...used].reduce((a, s) => a + draws.sizes[s], 0), seed: draws.seed };
    }

    const tv = t ? intervalVerdict(t, claim.op, margin) : null;
    const bv = boot ? intervalVerdict(boot, claim.op, margin) : null;
    let verdict: Verdict = 'inconclusive';
    let decidedBy: DecidedBy = 'none';
    if (tv && bv) [verdict, decidedBy] = [combineVerdicts(tv, bv), 't+bootstrap'];
    else if (bv) [verdict, decidedBy] = [bv, 'bootstrap only (1 seed)'];
    else if (tv) [verdict, decidedBy] = [tv, 't only (no predictions.csv)'];

    const level = `${Math.round(CLAIM_LEVEL * 100)}%`;
    const parts = [`${signed(meanDiff)} points${margin ? ` (margin ${margin})` : ''}`];
    parts.push(t ? `${level} t-interval ${interval(t)} over ${n} seeds` : `${n} seed: ${boot ? 'bootstrap only' : 'no t-interval'}`);
    const detail = `${parts.join(', ')}; ${boot ? `paired bootstrap over ${boot.images.toLocaleString('en-US')} test images ${interval(boot)}` : 'no paired bootstrap (no predictions.csv)'}`;
    const method = [
      t ? `${level} t interval over ${n} paired seeds (df ${n - 1})` : null,
      boot ? `${level} percentile interval of a paired bootstrap over ${boot.images} test images (${boot.resamples} resamples stratified by set, seed ${boot.seed})` : null,
    ].filter((s) => s).join(' and ') + (decidedBy === 't+bootstrap' ? '; supported / contradicted only when both lie on one side of the margin' : decidedBy === 'none' ? '; no interval: inconclusive' : `; decided by the ${decidedBy}`);
    return {
      claim: claim.claim, verdict, op: claim.op, margin, left: avg(lefts), right: avg(rights), meanDiff, sdDiff: t ? t.sd : null, nSeeds: n, seeds: common, perSeedDiff: diffs,
      tInterval: t ? { low: t.low, high: t.high, df: t.df } : null, bootstrap: boot, decidedBy, method, detail,
      ...(decidedBy === 'none' ? { reason: '1 seed and no predictions.csv: no interval' } : {}), notes, terms: p.terms,
    };
  });
}
