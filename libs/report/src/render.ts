/**
 * Rendering a report: the table as Markdown and CSV (ours and the paper's value in every cell), the checks, the
 * reference diff, the LDL/calibration table, the figures (report.md links its fig-<id>.svg files; report.html inlines
 * the same SVG), and the self-contained HTML page (inline CSS and SVG, no scripts, no external URLs).
 */
import { LDL_METRIC_NAMES, meanSd } from '@ldl-alsg/evaluation';
import type { ClaimResult } from './claims';
import { describeGeneratorSources } from './data-sources';
import type { ReferenceDiff } from './reference';
import type { Provenance, ResultRecord } from './results';
import type { Figure } from './plots/figures';
import { type BuiltTable, formatCell } from './table';

/** Escapes text for HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function headerCells(table: BuiltTable): string[] {
  const metricHeaders = table.groups.flatMap((g) => table.metrics.map((m) => (g.label ? `${g.label}: ${m.label}` : m.label)));
  return [...table.rowFields, ...metricHeaders];
}

function rowCells(table: BuiltTable, row: BuiltTable['rows'][number]): string[] {
  const fields = row.ceiling ? table.rowFields.map((_, i) => (i === 0 ? row.label : '')) : table.rowFields.map((f) => row.key[f] ?? '');
  const cells = table.groups.flatMap((_, g) => (row.cells[g] ?? table.metrics.map(() => null)).map((c) => (c ? formatCell(c) : 'not run')));
  return [...fields, ...cells];
}

function mdEscape(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The table as a Markdown pipe table. */
export function tableMarkdown(table: BuiltTable): string {
  const head = headerCells(table);
  const lines = [`| ${head.map(mdEscape).join(' | ')} |`, `|${head.map((_, i) => (i < table.rowFields.length ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of table.rows) lines.push(`| ${rowCells(table, row).map(mdEscape).join(' | ')} |`);
  return lines.join('\n');
}

/**
 * The table as CSV: one line per cell (row fields, column group, metric, ours mean/sd/n/seeds, one `seed_<s>` column
 * per train seed holding that seed's value, paper value), which spreadsheets and pandas pivot easily
 * (`pd.read_csv(...)[['seed_1', 'seed_2', 'seed_3']]` are numeric, empty where a cell lacks that seed) and which keeps
 * every number separate from its formatting. Ceiling rows have n_seeds 0 and no seed values.
 */
export function tableCsvRows(table: BuiltTable): { header: string[]; rows: Record<string, string | number>[] } {
  const allSeeds = [...new Set(table.rows.flatMap((row) => row.cells.flatMap((cells) => cells.flatMap((c) => c.seeds))))].sort((a, b) =>
    Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b),
  );
  const seedColumns = allSeeds.map((s) => `seed_${s}`);
  const header = [...table.rowFields, 'column', 'metric', 'ours_mean', 'ours_sd', 'n_seeds', 'seeds', ...seedColumns, 'paper', 'cell'];
  const rows: Record<string, string | number>[] = [];
  for (const row of table.rows) {
    row.cells.forEach((cells, g) => {
      cells.forEach((c) => {
        const r: Record<string, string | number> = {};
        table.rowFields.forEach((f, i) => (r[f] = row.ceiling ? (i === 0 ? row.label : '') : (row.key[f] ?? '')));
        r.column = table.groups[g].label;
        r.metric = c.metric;
        r.ours_mean = c.ours ? c.ours.mean.toFixed(4) : '';
        r.ours_sd = c.ours && !c.ceiling ? c.ours.sd.toFixed(4) : '';
        r.n_seeds = c.ceiling ? 0 : (c.ours?.n ?? 0);
        r.seeds = c.seeds.join(' ');
        allSeeds.forEach((s, k) => {
          const i = c.seeds.indexOf(s);
          r[seedColumns[k]] = i < 0 ? '' : c.values[i].toFixed(4);
        });
        r.paper = c.paper === undefined ? '' : c.paper === null ? (c.paperNote ?? 'n/a') : c.paper;
        r.cell = formatCell(c);
        rows.push(r);
      });
    });
  }
  return { header, rows };
}

/** Provenance lines (data, sizes, backbone, backend, seeds), shared by Markdown and HTML. */
export function provenanceLines(p: Provenance): string[] {
  const sets = p.testSets.map((s) => `${s.dataset} (${s.domain ?? 'no domain'}, n=${s.n})`).join(', ');
  const lines = [
    `Data: ${p.data}${p.generators?.length ? ` (${describeGeneratorSources(p.generators)})` : ''}; test sets: ${sets}.`,
    `Backbone: ${p.backbones.join(', ')}; training backend: ${p.backends.join(', ')}; inference backend: ${p.inferenceBackends.join(', ') || 'unknown'}.`,
    `Seeds: ${p.seeds.join(', ') || 'unknown'} (${p.results} evaluated model${p.results === 1 ? '' : 's'}); a cell with several seeds shows mean ± sample sd (n = seeds).`,
  ];
  if (p.trainSizes?.length) lines.push(`Dataset sizes (train/val/test): ${p.trainSizes.map((s) => `${s.dataset} ${s.train}/${s.val}/${s.test}`).join(', ')}.`);
  lines.push('Averages are plain means of per-set accuracies, as the paper computes them (All = mean of all sets, not of Wild and Lab).');
  return lines;
}

/** Per-row LDL metrics and ECE (mean over seeds of the pooled values), where results have known distributions. */
export function ldlRows(table: BuiltTable, results: readonly ResultRecord[]): { header: string[]; rows: string[][] } | null {
  if (!results.some((r) => r.metrics.pooled.ldl || r.metrics.sets.some((s) => s.ldl))) return null;
  const header = ['row', 'n rows', ...LDL_METRIC_NAMES, 'ECE'];
  const rows: string[][] = [];
  const fields = [...table.rowFields, ...table.columnFields];
  const groups = new Map<string, ResultRecord[]>();
  for (const r of results) {
    const label = fields.map((f) => r.descriptor[f]).join(' / ');
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  // Same order as the table's rows (paper order first).
  const rank = (label: string): number => {
    const i = table.rows.findIndex((r) => label === r.label || label.startsWith(`${r.label} / `));
    return i < 0 ? table.rows.length : i;
  };
  for (const [label, members] of [...groups].sort((a, b) => rank(a[0]) - rank(b[0]))) {
    const ldl = members.map((m) => m.metrics.pooled.ldl).filter((l) => l !== null);
    const fmt = (v: number[]): string => {
      const s = meanSd(v);
      return s.n === 0 ? 'n/a' : s.n === 1 ? s.mean.toFixed(4) : `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}`;
    };
    rows.push([
      label,
      ldl.length ? String(ldl[0]!.n) : '0',
      ...LDL_METRIC_NAMES.map((name) => (ldl.length ? fmt(ldl.map((l) => l![name])) : 'n/a')),
      fmt(members.map((m) => m.metrics.pooled.ece).filter((e) => Number.isFinite(e))),
    ]);
  }
  return { header, rows };
}

function mdTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`)].join('\n');
}

/** Everything a report shows. */
export interface ReportContent {
  title: string;
  table: BuiltTable;
  provenance: Provenance;
  checks: ClaimResult[];
  diff: ReferenceDiff | null;
  ldl: { header: string[]; rows: string[][] } | null;
  /** Rendered figures: files beside report.md, inline SVG in report.html. */
  figures: Figure[];
}

function termsText(c: ClaimResult): string {
  return c.terms.map((t) => `${t.ref} = ${t.value === null ? 'not run' : t.value.toFixed(2)}${t.n > 1 ? ` (n=${t.n})` : ''}`).join('; ');
}

function checkLine(c: ClaimResult): string {
  const notes = c.notes.length ? ` (${c.notes.join('; ')})` : '';
  return `**${c.verdict}** ${c.claim}: ${c.detail}${notes}${c.terms.length ? ` [${termsText(c)}]` : ''}`;
}

/** What the verdicts mean, said once under the claims (Markdown and HTML). */
export function claimsMethodText(checks: readonly ClaimResult[]): string {
  const boot = checks.find((c) => c.bootstrap)?.bootstrap;
  return (
    'Each claim is judged on paired differences left - right (in points), with two 95% intervals of their mean: a t interval over the ' +
    'per-seed differences (every method of a seed fine-tunes the same pre-trained checkpoint; t quantile with n-1 df) and a paired ' +
    'bootstrap over test images (images resampled with replacement within each test set, every operand recomputed on the same ' +
    `resample for left and right and averaged over seeds; percentile interval${boot ? `, ${boot.resamples} resamples, seed ${boot.seed}` : ''}). ` +
    '**supported**: both intervals lie strictly on the claimed side beyond the margin; **contradicted**: both lie on the other side; ' +
    '**inconclusive**: otherwise (a tie is never supported). With one seed the bootstrap decides alone; without predictions.csv the t interval does.'
  );
}

function diffLines(d: ReferenceDiff): string[] {
  const cc = d.checkCounts;
  const claims = d.checks.length ? ` Claims: ok ${cc.ok}, verdict changed ${cc.verdict}, moved ${cc.moved}, missing ${cc.missing}, new ${cc.new}, unverified ${cc.unverified}.` : '';
  const head = `Reference ${d.file}: ${d.ok ? 'all cells within' : 'MISMATCH beyond'} tolerance ${d.tolerance} (ok ${d.counts.ok}, moved ${d.counts.moved}, missing ${d.counts.missing}, new ${d.counts.new}).${claims}`;
  const badChecks = d.checks.filter((c) => c.status !== 'ok').map((c) => `- claim ${c.status}: ${c.claim}: ${c.message ?? ''}`);
  const bad = d.cells.filter((c) => c.status !== 'ok').slice(0, 50).map((c) => `- ${c.status}: ${[c.row, c.column, c.metric].filter((s) => s).join(' | ')}: reference ${c.reference?.toFixed(4) ?? '-'}, ours ${c.ours?.toFixed(4) ?? '-'}${c.delta !== null ? `, delta ${c.delta.toFixed(4)}` : ''}`);
  return [head, ...(d.hint ? [d.hint] : []), ...badChecks, ...bad];
}

/** report.md. */
export function renderMarkdown(c: ReportContent): string {
  const out = [`# ${c.title}`, '', `Paper: ${c.table.table.replace('table', 'Table ')}. ${c.table.caption}`, '', '## Provenance', '', ...provenanceLines(c.provenance).map((l) => `- ${l}`), ''];
  out.push('## Results: ours (paper)', '', 'Each cell: our accuracy in % (mean ± sd (n=seeds) when several seeds), then the paper\'s value in parentheses; "not run" marks rows the paper has and this pipeline did not run.', '', tableMarkdown(c.table), '');
  if (c.checks.length) {
    const n = (v: string): number => c.checks.filter((x) => x.verdict === v).length;
    out.push(
      `## Checks of the paper's claims (${n('supported')} supported, ${n('contradicted')} contradicted, ${n('inconclusive')} inconclusive of ${c.checks.length})`,
      '',
      ...c.checks.map((x) => `- ${checkLine(x)}`),
      '',
      claimsMethodText(c.checks),
      '',
    );
  }
  if (c.diff) out.push('## Reference comparison', '', ...diffLines(c.diff), '');
  if (c.ldl) out.push('## Label-distribution metrics and calibration (beyond the paper)', '', 'Pooled over test rows with a known true distribution; ECE (15 bins) against the hard labels over all test rows. Lower is better except cosine and intersection.', '', mdTable(c.ldl.header, c.ldl.rows), '');
  if (c.figures.length) {
    out.push('## Figures', '');
    // The title is the alt text (without ']', which would end it); the caption follows as text a reader can copy.
    for (const f of c.figures) out.push(`![${f.title.replace(/[[\]]/g, '')}](${f.file})`, '', `*${f.caption.replace(/\*/g, '\\*')}*`, '');
  }
  return out.join('\n');
}

function htmlTable(header: string[], rows: string[][], numericFrom: number): string {
  const th = header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${escapeXml(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** report.html: one self-contained page (inline CSS, inline SVG; no scripts, no links to other hosts). */
export function renderHtml(c: ReportContent): string {
  const css = 'body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px;color:#222}table{border-collapse:collapse;font-size:13px;margin:1em 0}th,td{border:1px solid #ccc;padding:3px 6px}td.num{text-align:right;white-space:nowrap}.supported{color:#070;font-weight:bold}.contradicted{color:#b00;font-weight:bold}.inconclusive{color:#a60;font-weight:bold}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#555;max-width:900px}';
  const parts = [`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(c.title)}</title><style>${css}</style></head><body>`];
  parts.push(`<h1>${escapeXml(c.title)}</h1><p>Paper: ${escapeXml(c.table.table.replace('table', 'Table '))}. ${escapeXml(c.table.caption)}</p>`);
  parts.push(`<h2>Provenance</h2><ul>${provenanceLines(c.provenance).map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`);
  parts.push('<h2>Results: ours (paper)</h2>');
  parts.push(htmlTable(headerCells(c.table), c.table.rows.map((r) => rowCells(c.table, r)), c.table.rowFields.length));
  if (c.checks.length) {
    parts.push(`<h2>Checks of the paper's claims</h2><ul>`);
    for (const x of c.checks) {
      const terms = termsText(x);
      const notes = x.notes.length ? ` (${x.notes.join('; ')})` : '';
      parts.push(`<li><span class="${x.verdict}">${x.verdict}</span> ${escapeXml(x.claim)}: ${escapeXml(x.detail + notes)}${terms ? ` <small>[${escapeXml(terms)}]</small>` : ''}</li>`);
    }
    parts.push('</ul>');
    parts.push(`<p>${escapeXml(claimsMethodText(c.checks)).replace(/\*\*(\w+)\*\*/g, '<b>$1</b>')}</p>`);
  }
  if (c.diff) parts.push(`<h2>Reference comparison</h2><ul>${diffLines(c.diff).map((l) => `<li>${escapeXml(l.replace(/^- /, ''))}</li>`).join('')}</ul>`);
  if (c.figures.length) {
    parts.push('<h2>Figures</h2>');
    for (const f of c.figures) parts.push(`<figure id="${f.id}">${f.svg}<figcaption>${escapeXml(f.caption)}</figcaption></figure>`);
  }
  if (c.ldl) parts.push(`<h2>Label-distribution metrics and calibration (beyond the paper)</h2><p>Pooled over test rows with a known true distribution; ECE (15 bins) against the hard labels.</p>${htmlTable(c.ldl.header, c.ldl.rows, 1)}`);
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}
