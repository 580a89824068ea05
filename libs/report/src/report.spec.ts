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
import { evaluateClaims } from './claims';
import { runReport, type ReportParams } from './report';
import { fakeResult } from './fixtures/report-results';

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
    // predictions.csv consistent with metrics.json: in each set the first `correct` images are right (same ids in
    // every model, so a better model is right on a superset of images).
    const lines = ['id,dataset,label,predicted,confidence'];
    for (const set of r.metrics.sets) for (let k = 0; k < set.n; k++) lines.push(`${set.dataset}-${k},${set.dataset},happy,${k < set.correct ? 'happy' : 'sad'},0.5`);
    writeFileSync(join(dir, 'predictions.csv'), lines.join('\n') + '\n');
    return dir;
  });
  // 60 CK+-like rows in three classes with separable AU features.
  const dataset = join(root, 'ingest');
  const rng = new Rng(1, 'report-spec');
  const rows = Array.from({ length: 60 }, (_, i) => ({ id: `ck${i}`, path: `images/${i}.png`, label: CLASSES[i % 3], dataset: 'ckplus-syn', split: 'test' as const, domain: 'lab' as const }));
  writeManifest(dataset, rows);
  const perSet = (base: number) => Object.fromEntries(['affectnet-syn', 'raf-syn', 'sfew-syn', 'ckplus-syn', 'cfee-syn', 'mmi-syn', 'oulu-syn'].map((d, i) => [d, base + i]));
  writeFileSync(
    join(dataset, 'ceilings.json'),
    JSON.stringify({ schema: 'alsg-ceilings/1', oracle: { description: 'argmax of the true distribution', perSet: perSet(80) }, features: { description: 'softmax on true AUs', perSet: perSet(70) } }),
  );
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
    // Ceilings: wild = mean(80, 81, 82) = 81, lab = mean(83..86) = 84.5, all = mean(80..86) = 83; no paper value.
    expect(md).toContain('| Ceiling: oracle | 80.00 (paper —) | 81.00 (paper —) | 82.00 (paper —) | 83.00 (paper —) | 84.00 (paper —) | 85.00 (paper —) | 86.00 (paper —) | 81.00 (paper —) | 84.50 (paper —) | 83.00 (paper —) |');
    expect(md).toContain('| Ceiling: AU features | 70.00 (paper —) |');
    expect(md.indexOf('| LDL-ALSG(AU+FL) |')).toBeLessThan(md.indexOf('| Ceiling: oracle |'));
    expect(md).toContain('Data: synthetic (synthfer benchmark)');
    expect(md).toContain('training backend: wasm; inference backend: unknown');
    expect(md).toContain('Seeds: 1, 2 (3 evaluated models)');
    // LDL-ALSG has seed 1 only: seed 2 leaves the claim, which the bootstrap decides alone.
    // all: (55+66+45+85+75+65+55)/7 - (50+60+40+80+70+60+50)/7 = 36/7 = 5.14 points.
    expect(md).toMatch(
      /- \*\*supported\*\* LDL-ALSG\(AU\+FL\) beats the baseline overall: \+5\.14 points, 1 seed: bootstrap only; paired bootstrap over 700 test images \[\+\d\.\d\d, \+\d\.\d\d\] \(seed 2 excluded: not in LDL-ALSG\(AU\+FL\) \| all\) \[LDL-ALSG\(AU\+FL\) \| all = 63\.71; Baseline \| all = 58\.57\]/,
    );
    expect(md).toMatch(/- \*\*contradicted\*\* the baseline beats LDL-ALSG\(AU\+FL\) on CK\+: -5\.00 points, 1 seed: bootstrap only; paired bootstrap over 100 test images \[-\d+\.\d\d, -\d\.\d\d\]/);
    expect(md).toContain('## Checks of the paper\'s claims (1 supported, 1 contradicted, 0 inconclusive of 2)');
    expect(md).toContain('**supported**: both intervals lie strictly on the claimed side beyond the margin');
    const checks = JSON.parse(readFileSync(join(out, 'checks.json'), 'utf8'));
    expect(checks.counts).toEqual({ supported: 1, contradicted: 1, inconclusive: 0 });
    expect(checks.statistics.bootstrap).toMatchObject({ resamples: 2000, seed: 0 });
    expect(checks.checks.map((c: { verdict: string }) => c.verdict)).toEqual(['supported', 'contradicted']);
    expect(Object.keys(checks.checks[0])).toEqual(
      expect.arrayContaining(['claim', 'verdict', 'op', 'margin', 'meanDiff', 'sdDiff', 'nSeeds', 'seeds', 'perSeedDiff', 'tInterval', 'bootstrap', 'left', 'right', 'decidedBy', 'method']),
    );
    expect(checks.checks[0]).toMatchObject({ nSeeds: 1, seeds: ['1'], decidedBy: 'bootstrap only (1 seed)', tInterval: null, bootstrap: { resamples: 2000, images: 700, seed: 0 } });
    const csv = readFileSync(join(out, 'table.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('method,column,metric,ours_mean,ours_sd,n_seeds,seeds,seed_1,seed_2,paper,cell');
    expect(csv[1]).toBe('Baseline,,affectnet-syn,51.0000,1.4142,2,1 2,50.0000,52.0000,57.97,51.00 ± 1.41 (n=2) (paper 57.97)');
    expect(csv).toContain('Ceiling: oracle,,all,83.0000,,0,,,,,83.00 (paper —)');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html.match(/<svg /g)!.length).toBe(2); // bars + the AU t-SNE map (no landmarks.npy given)
    expect(html).toContain('t-SNE of action units (AU space), ckplus-syn: 59 of 59 rows');
    expect(html).toContain('<span class="supported">supported</span> LDL-ALSG(AU+FL) beats the baseline overall: +5.14 points');
    expect(html).toContain('<b>contradicted</b>: both lie on the other side');
  });

  it('fails the stage on a reference mismatch when asked to, and passes against its own reference', () => {
    const refFile = join(root, 'ref.json');
    const loaded = readResults(results);
    const table = buildTable({ table: 'table1' }, loaded);
    writeReference(refFile, table, undefined, evaluateClaims(table, params.expect, loaded));
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
    const ref = updateReferenceFromResults(results, { table: 'table1', expect: params.expect }, refFile, 'test');
    expect(ref.cells.length).toBe(20);
    expect(ref.schema).toBe('ldl-alsg/reference@2');
    expect(ref.checks!.map((c) => c.verdict)).toEqual(['supported', 'contradicted']);
    expect(ref.checks![0].meanDiff).toBeCloseTo(36 / 7, 9);
    const out = join(root, 'out-updated');
    mkdirSync(out);
    const r = runReport({ params: { ...params, tsne: { ...params.tsne, enabled: false }, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results, outDir: out });
    expect(r.diff!.ok).toBe(true);
  });
});
