/**
 * Building a report table: evaluate results grouped into rows (and optional column groups) by descriptor fields,
 * each cell the mean +- sd over seeds of one metric, with the paper's value for the same cell.
 *
 * Layout (the report stage's params): `rows` = descriptor fields naming a row (e.g. [noise, method]); `columns` =
 * descriptor fields naming a column group (e.g. [noise] to put noise rates side by side), default none; `metrics` =
 * `datasets` (every test set, then Wild / Lab / All, as in Table 1) or `averages` (Wild / Lab / All, as in Tables 2-7)
 * or an explicit list of metric names (dataset names, wild, lab, all).
 */
import { AlsgError } from '@ldl-alsg/common';
import { meanSd, type MeanSd } from '@ldl-alsg/evaluation';
import { findPaperRow, PAPER_DATASETS, PAPER_TABLES, type PaperValue, type TableId } from './paper-values';
import type { ResultRecord } from './results';

/** How to lay a table out (see the module comment). */
export interface TableLayout {
  /** Which paper table this reproduces (its paper values and caption). */
  table: TableId;
  /** Descriptor fields forming a row, e.g. ['method'] or ['noise', 'method']. Default: the paper table's row fields. */
  rows?: string[];
  /** Descriptor fields forming a column group, e.g. ['noise']; default [] (one group). */
  columns?: string[];
  /** 'datasets' | 'averages' | explicit metric names. Default: 'datasets' for table1, else 'averages'. */
  metrics?: 'datasets' | 'averages' | string[];
  /** Also list the paper's rows that no result matched (ours shown as "not run"). Default true; only without column groups. */
  paperRows?: boolean;
}

/** One metric column. */
export interface MetricColumn {
  /** Metric name: a dataset name as in metrics.json, or wild | lab | all. */
  key: string;
  /** Header text (the paper's where known: AffNet, CK+, Wild, ...). */
  label: string;
  /** The paper's metric key this maps to (affectnet, ..., wild, lab, all), if any. */
  paperKey?: string;
}

/** One cell: our value over seeds and the paper's. */
export interface TableCell {
  metric: string;
  /** Mean, sample sd and n over the seeds; null when no result fills this cell. */
  ours: MeanSd | null;
  /** The per-seed values and their seeds, in result order. */
  values: number[];
  seeds: string[];
  /** The paper's value: a number, null where it printed a note ("Failed"), undefined where the paper has no such cell. */
  paper: PaperValue | undefined;
  paperNote?: string;
  /** A ceiling row's cell (ceilings.ts): a fixed value, not a result over seeds. */
  ceiling?: boolean;
}

/** A column group (one per distinct value of `columns` fields; a single empty group without column fields). */
export interface ColumnGroup {
  key: Record<string, string>;
  label: string;
}

export interface TableRow {
  key: Record<string, string>;
  /** Row label: the row field values joined by " / ". */
  label: string;
  /** The paper's printed row label, when a paper row matches. */
  paperLabel?: string;
  /** cells[g][m]: column group g, metric m. */
  cells: TableCell[][];
  /** Set on the ceiling rows (ceilings.ts), which are not methods: oracle or AU features, with the file's description. */
  ceiling?: { kind: string; description: string };
}

export interface BuiltTable {
  table: TableId;
  caption: string;
  rowFields: string[];
  columnFields: string[];
  groups: ColumnGroup[];
  metrics: MetricColumn[];
  rows: TableRow[];
}

const DATASET_ALIASES: Record<string, string> = {
  affectnet: 'affectnet', affnet: 'affectnet', raf: 'raf', rafdb: 'raf', sfew: 'sfew', sfew2: 'sfew', ck: 'ckplus',
  ckplus: 'ckplus', cfee: 'cfee', mmi: 'mmi', oulu: 'oulu', oulucasia: 'oulu',
};

/** Maps a dataset name (affectnet-syn, raf-db, CK+, oulu-casia, ...) to the paper's test-set key, or undefined. */
export function paperDatasetKey(dataset: string): string | undefined {
  const n = dataset.toLowerCase().replace(/-syn$/, '').replace(/\+/g, 'plus').replace(/[^a-z0-9]/g, '');
  return DATASET_ALIASES[n];
}

function keyText(fields: readonly string[], key: Record<string, string>): string {
  return fields.map((f) => key[f]).join(' / ');
}

function pick(descriptor: Record<string, string>, fields: readonly string[], where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    if (descriptor[f] === undefined) {
      throw new AlsgError('E_CONFIG', `report: ${where} field "${f}" is not a descriptor of result ${JSON.stringify(descriptor)}; use one of ${Object.keys(descriptor).join(', ')} (or add it with the evaluate stage's tags)`);
    }
    out[f] = descriptor[f];
  }
  return out;
}

/** The value of metric `m` (dataset accuracy, wild, lab, all) in one result, or undefined when it has no such set. */
export function metricValue(r: ResultRecord, m: string): number | undefined {
  if (m === 'wild' || m === 'lab' || m === 'all') return r.metrics.averages[m] ?? undefined;
  const set = r.metrics.sets.find((s) => s.dataset === m) ?? r.metrics.sets.find((s) => paperDatasetKey(s.dataset) === m && m !== undefined);
  return set?.accuracy;
}

function metricColumns(layout: TableLayout, results: readonly ResultRecord[]): MetricColumn[] {
  const spec = layout.metrics ?? (layout.table === 'table1' ? 'datasets' : 'averages');
  const avgLabels: Record<string, string> = { wild: 'Wild', lab: 'Lab', all: 'All' };
  const averages = ['wild', 'lab', 'all'].map((k) => ({ key: k, label: avgLabels[k], paperKey: k }));
  if (spec === 'averages') return averages;
  const named = (names: string[]): MetricColumn[] =>
    names.map((key) => {
      if (avgLabels[key]) return { key, label: avgLabels[key], paperKey: key };
      const paperKey = paperDatasetKey(key);
      const label = PAPER_DATASETS.find((d) => d.key === paperKey)?.label;
      return { key, label: label && key !== paperKey && label.toLowerCase() !== key.toLowerCase() ? `${label} [${key}]` : label ?? key, paperKey };
    });
  if (spec !== 'datasets') return named(spec);
  const seen: string[] = [];
  for (const r of results) for (const s of r.metrics.sets) if (!seen.includes(s.dataset)) seen.push(s.dataset);
  const paperOrder = (d: string): number => {
    const i = PAPER_DATASETS.findIndex((p) => p.key === paperDatasetKey(d));
    return i < 0 ? PAPER_DATASETS.length + seen.indexOf(d) : i;
  };
  // Keep the paper's seven columns even where a set was not evaluated ("not run (paper x)"), so the layout matches.
  const missing = PAPER_DATASETS.filter((p) => !seen.some((d) => paperDatasetKey(d) === p.key)).map((p) => p.key);
  return [...named([...seen, ...missing].sort((a, b) => paperOrder(a) - paperOrder(b))), ...averages];
}

/** Groups results into the table (see the module comment); throws when two results in one cell share a seed. */
export function buildTable(layout: TableLayout, results: readonly ResultRecord[]): BuiltTable {
  const paper = PAPER_TABLES[layout.table];
  if (!paper) throw new AlsgError('E_CONFIG', `report: table must be one of table1..table7, but got "${layout.table}"`);
  const rowFields = layout.rows ?? paper.rowFields;
  const columnFields = layout.columns ?? [];
  const metrics = metricColumns(layout, results);

  const groups: ColumnGroup[] = [];
  const rows: { key: Record<string, string>; members: ResultRecord[][] }[] = [];
  const groupIndex = (key: Record<string, string>): number => {
    let g = groups.findIndex((x) => keyText(columnFields, x.key) === keyText(columnFields, key));
    if (g < 0) {
      groups.push({ key, label: keyText(columnFields, key) });
      g = groups.length - 1;
    }
    return g;
  };
  const placed: { row: Record<string, string>; g: number; r: ResultRecord }[] = [];
  for (const r of results) {
    placed.push({ row: pick(r.descriptor, rowFields, 'rows'), g: groupIndex(pick(r.descriptor, columnFields, 'columns')), r });
  }
  if (groups.length === 0) groups.push({ key: {}, label: '' });
  for (const p of placed) {
    let row = rows.find((x) => keyText(rowFields, x.key) === keyText(rowFields, p.row));
    if (!row) {
      row = { key: p.row, members: [] };
      rows.push(row);
    }
    while (row.members.length < groups.length) row.members.push([]);
    row.members[p.g].push(p.r);
  }

  const built: TableRow[] = rows.map((row) => {
    const label = keyText(rowFields, row.key);
    const cells = groups.map((group, g) => {
      const members = row.members[g] ?? [];
      const seeds = members.map((m) => m.descriptor.seed);
      const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
      if (dup !== undefined) {
        const differing = Object.keys(members[0].descriptor).filter((f) => new Set(members.map((m) => m.descriptor[f])).size > 1);
        throw new AlsgError(
          'E_CONFIG',
          `report: results ${members.map((m) => m.dir).join(', ')} fall into row "${label}"${group.label ? ` column "${group.label}"` : ''} with the same seed ${dup}; ` +
            `add a field to rows or columns to tell them apart (they differ in: ${differing.join(', ') || 'nothing - the same run twice'})`,
        );
      }
      const paperRow = findPaperRow(layout.table, { ...row.key, ...group.key });
      return metrics.map((m): TableCell => {
        const pairs = members.map((x) => [metricValue(x, m.key), x.descriptor.seed] as const).filter((v) => v[0] !== undefined && Number.isFinite(v[0]));
        const values = pairs.map((v) => v[0] as number);
        const paperValue = paperRow && m.paperKey ? paperRow.values[m.paperKey] : undefined;
        return {
          metric: m.key,
          ours: values.length ? meanSd(values) : null,
          values,
          seeds: pairs.map((v) => v[1]),
          paper: paperValue,
          ...(paperRow?.note && paperValue === null ? { paperNote: paperRow.note } : {}),
        };
      });
    });
    const paperRow = columnFields.length === 0 ? findPaperRow(layout.table, row.key) : undefined;
    return { key: row.key, label, ...(paperRow ? { paperLabel: paperRow.label } : {}), cells };
  });

  // Paper rows that no result matched, so the table keeps the paper's shape ("not run" beside the paper's numbers).
  const usePaperRows = (layout.paperRows ?? true) && columnFields.length === 0 && paper.rowFields.every((f) => rowFields.includes(f));
  if (usePaperRows) {
    for (const pr of paper.rows) {
      if (built.some((b) => Object.entries(pr.key).every(([f, v]) => b.key[f] === v))) continue;
      const key: Record<string, string> = {};
      for (const f of rowFields) key[f] = pr.key[f] ?? '';
      built.push({
        key,
        label: keyText(rowFields, key),
        paperLabel: pr.label,
        cells: [metrics.map((m) => ({ metric: m.key, ours: null, values: [], seeds: [], paper: m.paperKey ? pr.values[m.paperKey] : undefined, ...(pr.note ? { paperNote: pr.note } : {}) }))],
      });
    }
  }
  return { table: layout.table, caption: paper.caption, rowFields, columnFields, groups, metrics, rows: orderRows(built, layout.table, rowFields) };
}

/**
 * The paper's rows in the paper's order (the reader compares against the printed table), our extra rows after them in
 * result order. Where the paper's rows come in blocks of the first row field (Table 2: one block per noise rate), an
 * extra row joins the block of its value instead (a sweep's 10% LDL-ALSG(AU) after the paper's 10% rows), and values
 * the paper does not have form blocks after the paper's, in result order (20%, 30%, 40%). Extra rows within a block
 * follow the other fields' values in the order the paper lists them, then in result order, so every block of a sweep
 * lists its methods alike.
 */
function orderRows(built: TableRow[], table: TableId, rowFields: readonly string[]): TableRow[] {
  const paperRows = PAPER_TABLES[table].rows;
  const paperIndex = (row: TableRow): number => {
    const matched = findPaperRow(table, row.key);
    return matched ? paperRows.indexOf(matched) : paperRows.length;
  };
  const valueOrder = (f: string): string[] => {
    const order: string[] = [];
    for (const v of [...paperRows.map((pr) => pr.key[f]), ...built.map((r) => r.key[f])]) if (v !== undefined && !order.includes(v)) order.push(v);
    return order;
  };
  const [lead, ...rest] = rowFields;
  const paperLeads = paperRows.map((pr) => pr.key[lead]);
  // Blocks only when every paper row names the first field and each of its values is one contiguous run.
  const blocked = paperLeads.every((v, i) => v !== undefined && (i === 0 || v === paperLeads[i - 1] || !paperLeads.slice(0, i).includes(v)));
  let rank = (r: TableRow, i: number): number[] => [paperIndex(r), i];
  if (blocked) {
    const blockOrder = valueOrder(lead);
    const restOrders = rest.map(valueOrder);
    rank = (r, i) => [blockOrder.indexOf(r.key[lead]), paperIndex(r), ...rest.map((f, j) => restOrders[j].indexOf(r.key[f])), i];
  }
  const compare = (a: number[], b: number[]): number => {
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
    return 0;
  };
  return built
    .map((r, i) => ({ r, key: rank(r, i) }))
    .sort((a, b) => compare(a.key, b.key))
    .map((x) => x.r);
}

/** Formats one cell as "58.30 (paper 58.32)", "58.30 ± 0.41 (n=3) (paper 58.32)", "not run (paper 54.23)", "58.30 (paper: Failed)", "58.30 (paper —)". */
export function formatCell(cell: TableCell, digits = 2): string {
  let ours: string;
  if (!cell.ours) ours = cell.ceiling ? '—' : 'not run';
  else if (cell.ours.n === 1 || cell.ceiling) ours = cell.ours.mean.toFixed(digits);
  else ours = `${cell.ours.mean.toFixed(digits)} ± ${cell.ours.sd.toFixed(digits)} (n=${cell.ours.n})`;
  const paper = cell.paper === undefined ? '(paper —)' : cell.paper === null ? `(paper: ${cell.paperNote ?? 'n/a'})` : `(paper ${cell.paper.toFixed(2)})`;
  return `${ours} ${paper}`;
}
