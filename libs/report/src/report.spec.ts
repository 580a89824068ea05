import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import { Rng } from '@ldl-alsg/common';
import { writeNpy } from '@ldl-alsg/artifacts';
import { writeManifest } from '@ldl-alsg/datasets';
import { CLASSES } from '@ldl-alsg/labels';
import { REPORT_PARAMS_SCHEMA } from './params-schema';
import { buildTable } from './table';
import { readResults } from './results';
import { writeReference } from './reference';
import { runReport, type ReportParams } from './report';
import { fakeResult } from './test-fixtures';

const ALSG = { method: 'ldl-alsg', spaces: ['au', 'landmarks'], k: { au: 4, landmarks: 4 }, lambda: { au: 0.0005, landmarks: 0.0005 } };

function setup(): { root: string; results: string[]; features: string; dataset: string } {
  const root = mkdtempSync(join(tmpdir(), 'alsg-report-'));
  const runs = [
    fakeResult({ method: 'baseline', seed: 1 }, [50, 60, 40, 80, 70, 60, 50]),
    fakeResult({ method: 'baseline', seed: 2 }, [52, 62, 42, 82, 72, 62, 52]),
    fakeResult({ ...ALSG, seed: 1 }, [55, 66, 45, 85, 75, 65, 55]),
  ];
  const results = runs.map((r, i) => {
    const dir = join(root, `eval-${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(r.metrics));
    return dir;
  });
  // 60 CK+-like rows in three classes with separable AU features.
  const dataset = join(root, 'ingest');
  const rng = new Rng(1, 'report-spec');
  const rows = Array.from({ length: 60 }, (_, i) => ({ id: `ck${i}`, path: `images/${i}.png`, label: CLASSES[i % 3], dataset: 'ckplus-syn', split: 'test' as const, domain: 'lab' as const }));
  writeManifest(dataset, rows);
  const features = join(root, 'extract');
  mkdirSync(features);
  const au = new Float32Array(60 * 17).map((_, k) => (Math.floor(k / 17) % 3) * 3 * (k % 17 === (Math.floor(k / 17) % 3) ? 1 : 0) + rng.normal(0, 0.2));
  au.fill(NaN, 0, 17); // one row without features (no face)
  writeNpy(join(features, 'au.npy'), au, [60, 17]);
  return { root, results, features, dataset };
}

describe('runReport', () => {
  const { root, results, features, dataset } = setup();
  const params: ReportParams = {
    table: 'table1',
    title: 'Table 1 (test)',
    paperRows: true,
    failOnClaims: false,
    tsne: { enabled: true, dataset: '', maxPoints: 1500, perplexity: 10, iterations: 300, seed: 0 },
    expect: [
      { claim: 'LDL-ALSG(AU+FL) beats the baseline overall', left: { row: 'LDL-ALSG(AU+FL)', metric: 'all' }, op: '>', right: { row: 'Baseline', metric: 'all' } },
      { claim: 'the baseline beats LDL-ALSG(AU+FL) on CK+', left: { row: 'Baseline', metric: 'ckplus' }, op: '>', right: { row: 'LDL-ALSG(AU+FL)', metric: 'ckplus' } },
    ],
  };

  it('validates its params with ajv (and rejects a bad claim)', () => {
    const ajv = new Ajv({ allErrors: true, useDefaults: true });
    const validate = ajv.compile(REPORT_PARAMS_SCHEMA);
    expect(validate(JSON.parse(JSON.stringify(params))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ table: 'table1', expect: [{ claim: 'x', left: { row: 'a' }, op: '>', right: { value: 1 } }] })).toBe(false);
    expect(validate({ table: 'table9' })).toBe(false);
  });

  it('writes the tables, checks and a self-contained HTML report', () => {
    const out = join(root, 'out');
    mkdirSync(out);
    const r = runReport({ params, results, features: [features], datasets: [dataset], outDir: out });
    expect(r.files).toEqual(['report.md', 'report.html', 'table.csv', 'table.json', 'checks.json']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| Baseline | 51.00 ± 1.41 (n=2) (paper 57.97) |');
    expect(md).toContain('not run (paper 54.23)');
    expect(md).toContain('Data: synthetic (synthfer benchmark)');
    expect(md).toContain('training backend: wasm; inference backend: unknown');
    expect(md).toContain('Seeds: 1, 2 (3 evaluated models)');
    expect(md).toContain('**PASS** LDL-ALSG(AU+FL) beats the baseline overall: 63.71 > 59.57');
    expect(md).toContain('**FAIL** the baseline beats LDL-ALSG(AU+FL) on CK+: not 81.00 > 85.00');
    const checks = JSON.parse(readFileSync(join(out, 'checks.json'), 'utf8'));
    expect(checks.passed).toBe(1);
    expect(checks.checks.map((c: { status: string }) => c.status)).toEqual(['PASS', 'FAIL']);
    const csv = readFileSync(join(out, 'table.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('method,column,metric,ours_mean,ours_sd,n_seeds,seeds,paper,cell');
    expect(csv[1]).toBe('Baseline,,affectnet-syn,51.0000,1.4142,2,1 2,57.97,51.00 ± 1.41 (n=2) (paper 57.97)');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html.match(/<svg /g)!.length).toBe(2); // bars + the AU t-SNE map (no landmarks.npy given)
    expect(html).toContain('t-SNE of action units (AU space), ckplus-syn: 59 of 59 rows');
  });

  it('fails the stage on a reference mismatch when asked to, and passes against its own reference', () => {
    const refFile = join(root, 'ref.json');
    writeReference(refFile, buildTable({ table: 'table1' }, readResults(results)));
    const ok = join(root, 'out-ok');
    mkdirSync(ok);
    const r = runReport({ params: { ...params, tsne: { ...params.tsne, enabled: false }, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results, outDir: ok });
    expect(r.diff!.ok).toBe(true);
    const bad = join(root, 'out-bad');
    mkdirSync(bad);
    expect(() =>
      runReport({ params: { ...params, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results: results.slice(0, 2), outDir: bad }),
    ).toThrow(/differ from the reference .* missing LDL-ALSG\(AU\+FL\)/);
    const diff = JSON.parse(readFileSync(join(bad, 'reference-diff.json'), 'utf8'));
    expect(diff.counts.missing).toBe(10);
  });

  it('updates a reference deliberately from the result folders, after which the report passes', async () => {
    const { updateReferenceFromResults } = await import('./report');
    const refFile = join(root, 'ref-updated.json');
    const ref = updateReferenceFromResults(results, { table: 'table1' }, refFile, 'test');
    expect(ref.cells.length).toBe(20);
    const out = join(root, 'out-updated');
    mkdirSync(out);
    const r = runReport({ params: { ...params, tsne: { ...params.tsne, enabled: false }, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results, outDir: out });
    expect(r.diff!.ok).toBe(true);
  });
});
