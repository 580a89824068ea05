/**
 * `alsg report --results <evaluate dir> [...] --table tableN [--rows f,g] [--columns f] [--metrics datasets|averages|a,b]
 * [--expect claims.json|yaml] [--reference file --tolerance t] [--features <extract dir> --dataset <ingest dir> ...]
 * --out <dir>`: the report stage outside a pipeline.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { AlsgError, requireFlag } from '@ldl-alsg/common';
import { type Claim, DEFAULT_TSNE, type ReportParams, runReport, TABLE_IDS, type TableId } from '@ldl-alsg/report';

const HELP = `Usage: alsg report --results <evaluate dir> [--results <dir> ...] --table <table1..table7> --out <dir> [options]

Writes <out>/report.md, report.html (self-contained, inline SVG), table.csv, table.json, checks.json and, with
--reference, reference-diff.json. Every cell shows ours (mean ± sd (n=seeds) for several seeds) and the paper's value.

Options:
  --table <id>          ${TABLE_IDS.join(' | ')}
  --title <text>        report title (default "Table N reproduction")
  --rows <fields>       comma-separated descriptor fields naming a row (default: the paper table's)
  --columns <fields>    comma-separated descriptor fields naming a column group (default none)
  --metrics <spec>      datasets | averages | comma-separated dataset names / wild / lab / all
  --expect <file>       YAML or JSON list of claims (the pipeline's expect: block), or a file with an expect: key
  --fail-on-claims      exit non-zero when a claim is not supported (contradicted or inconclusive)
  --resamples <n>       paired bootstrap resamples for the claims (default 2000)
  --bootstrap-seed <n>  seed of the bootstrap (default 0)
  --reference <file>    compare with this reference JSON; mismatches fail unless --no-fail-on-mismatch
  --tolerance <pp>      allowed difference from the reference in percentage points (default 0)
  --no-fail-on-mismatch report reference mismatches without failing
  --features <dir>      extract output for the t-SNE maps (needs --dataset)
  --dataset <dir>       ingest output(s) aligned with the features (repeatable)
  --no-tsne             skip the t-SNE maps
  --out <dir>           output folder
  -h, --help            this text
`;

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter((s) => s);
}

/** Runs the report CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      results: { type: 'string', multiple: true },
      table: { type: 'string' },
      title: { type: 'string', default: '' },
      rows: { type: 'string' },
      columns: { type: 'string' },
      metrics: { type: 'string' },
      expect: { type: 'string' },
      'fail-on-claims': { type: 'boolean', default: false },
      resamples: { type: 'string', default: '2000' },
      'bootstrap-seed': { type: 'string', default: '0' },
      reference: { type: 'string' },
      tolerance: { type: 'string', default: '0' },
      'no-fail-on-mismatch': { type: 'boolean', default: false },
      features: { type: 'string' },
      dataset: { type: 'string', multiple: true },
      'no-tsne': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  requireFlag('report', '--results', '<evaluate dir>', values.results, HELP);
  requireFlag('report', '--out', '<dir>', values.out, HELP);
  if (!values.table || !(TABLE_IDS as readonly string[]).includes(values.table)) {
    throw new AlsgError('E_USAGE', `alsg report: --table must be one of ${TABLE_IDS.join(', ')}, but got ${JSON.stringify(values.table ?? null)}`);
  }
  let expect: Claim[] = [];
  if (values.expect) {
    const doc = parseYaml(readFileSync(values.expect, 'utf8')) as unknown;
    const claims = Array.isArray(doc) ? doc : (doc as { expect?: unknown })?.expect;
    if (!Array.isArray(claims)) throw new AlsgError('E_USAGE', `alsg report: ${values.expect} must hold a list of claims or an expect: list`);
    expect = claims as Claim[];
  }
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) throw new AlsgError('E_USAGE', `alsg report: --tolerance must be a number >= 0, but got "${values.tolerance}"`);
  const resamples = Number(values.resamples);
  const bootSeed = Number(values['bootstrap-seed']);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new AlsgError('E_USAGE', `alsg report: --resamples must be an integer >= 1, but got "${values.resamples}"`);
  if (!Number.isInteger(bootSeed)) throw new AlsgError('E_USAGE', `alsg report: --bootstrap-seed must be an integer, but got "${values['bootstrap-seed']}"`);
  const metricsText = values.metrics;
  const params: ReportParams = {
    table: values.table as TableId,
    title: values.title,
    rows: list(values.rows),
    columns: list(values.columns),
    metrics: metricsText === undefined ? undefined : metricsText === 'datasets' || metricsText === 'averages' ? metricsText : list(metricsText),
    paperRows: true,
    expect,
    failOnClaims: values['fail-on-claims'],
    bootstrap: { resamples, seed: bootSeed },
    reference: values.reference ? { file: values.reference, tolerance, failOnMismatch: !values['no-fail-on-mismatch'] } : null,
    tsne: { ...DEFAULT_TSNE, enabled: !values['no-tsne'] },
  };
  mkdirSync(values.out, { recursive: true });
  const outcome = runReport({
    params,
    results: values.results,
    features: values.features ? [values.features] : undefined,
    datasets: values.dataset,
    outDir: values.out,
    log: (m) => process.stderr.write(`report: ${m}\n`),
  });
  const n = (v: string): number => outcome.checks.filter((c) => c.verdict === v).length;
  process.stderr.write(`report: wrote ${outcome.files.join(', ')} to ${values.out} (claims: ${n('supported')} supported, ${n('contradicted')} contradicted, ${n('inconclusive')} inconclusive)\n`);
  return 0;
}
