/**
 * `alsg report`: flags and --help come from the stage's params schema (tools/cli/src/stage-cli). The hooks read the
 * claims (--expect) and the reference (--reference, --tolerance, --no-fail-on-mismatch) from files, which a pipeline
 * writes inline, and keep the older spellings --resamples and --no-tsne.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AlsgError, type StageCliHooks } from '@ldl-alsg/common';

function readClaims(file: string): unknown[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new AlsgError('E_INPUT', `${file}: cannot read the claims: ${(err as Error).message}`, { file, cause: err });
  }
  const claims = Array.isArray(doc) ? doc : (doc as { expect?: unknown } | null)?.expect;
  if (!Array.isArray(claims)) throw new AlsgError('E_USAGE', `alsg report: ${file} must hold a list of claims or an expect: list`);
  return claims;
}

export const cli: StageCliHooks = {
  usage: ['alsg report --results <evaluate dir> [--results <dir> ...] --table <table1..table7> [options] --out <dir>'],
  about:
    "Writes <out>/report.md with its figures as fig-*.svg beside it, report.html (self-contained, the same SVG inline), table.csv, table.json, checks.json and, with --reference, reference-diff.json. Every cell shows ours (mean ± sd (n=seeds) for several seeds) and the paper's value.",
  flags: {
    expect: { placeholder: '<file>', description: "YAML or JSON list of claims (the pipeline's expect: block), or a file with an expect: key." },
    reference: { placeholder: '<file>', description: 'Compare with this reference JSON; mismatches fail unless --no-fail-on-mismatch.' },
    tolerance: { placeholder: '<pp>', description: 'With --reference: allowed difference in percentage points. Default 0.' },
    'no-fail-on-mismatch': { description: 'With --reference: report mismatches without failing.' },
    resamples: { param: 'bootstrap.resamples', description: 'paired bootstrap resamples for the claims.' },
    'no-tsne': { param: 'tsne.enabled', value: false, description: 'skip the t-SNE maps.' },
  },
  prepare({ params, own, fail }) {
    const last = (name: string): string | undefined => (own[name] as string[] | undefined)?.at(-1);
    const expect = last('expect');
    if (expect !== undefined) params.expect = readClaims(expect);
    const reference = last('reference');
    const toleranceText = last('tolerance');
    const tolerance = toleranceText === undefined ? 0 : Number(toleranceText);
    if (toleranceText !== undefined && (toleranceText.trim() === '' || !(tolerance >= 0))) fail(`--tolerance must be a number >= 0, but got "${toleranceText}"`);
    if (reference !== undefined) params.reference = { file: reference, tolerance, failOnMismatch: own['no-fail-on-mismatch'] !== true };
  },
};
