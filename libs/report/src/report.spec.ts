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
import { readGeneratorSources } from './data-sources';
import { fakeResult } from './fixtures/report-results';

/** The figures of the fixture report, in order (table1: no sweep; no landmarks.npy: one t-SNE map). */
const FIGURES = ['accuracy', 'confusion', 'training', 'tsne-au'];

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
    // confusion.csv (one set, mostly right) for the confusion figure.
    const confusion = ['dataset,label,' + CLASSES.join(','), ...CLASSES.map((c, t) => `raf-syn,${c},${CLASSES.map((_, p) => (p === t ? 8 + i : 1)).join(',')}`)];
    writeFileSync(join(dir, 'confusion.csv'), confusion.join('\n') + '\n');
    // The engine's stage.json naming the model, whose train-log.jsonl gives the training curves.
    const train = join(root, `train-${i}`);
    mkdirSync(train);
    writeFileSync(join(train, 'train-log.jsonl'), [1, 2, 3].map((e) => JSON.stringify({ phase: 'main', epoch: e, epochEnd: true, total: 2 / e, trainLoss: 2 / e, trainAccuracy: 40 + 5 * e, valLoss: 2.2 / e, valAccuracy: 38 + 4 * e })).join('\n') + '\n');
    writeFileSync(join(dir, 'stage.json'), JSON.stringify({ inputs: { model: [{ instance: 'train', key: `k${i}`, dir: train }] } }));
    return dir;
  });
  // 60 CK+-like rows in three classes with separable AU features.
  const dataset = join(root, 'ingest');
  const rng = new Rng(1, 'report-spec');
  const rows = Array.from({ length: 60 }, (_, i) => ({ id: `ck${i}`, path: `images/${i}.png`, label: CLASSES[i % 3], dataset: 'ckplus-syn', split: 'test' as const, domain: 'lab' as const }));
  writeManifest(dataset, rows);
  // The head of a synthfer ingest report: the generator settings the provenance names.
  writeFileSync(join(dataset, 'ingest-report.json'), JSON.stringify({ format: 'synthfer', generator: { name: '@ldl-alsg/synthfer', version: '1.0.1' }, options: { profile: 'default', seed: 7 }, n: 60 }));
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
    // Union types as the product's validator allows them (libs/pipeline ajv-issues.ts); strict otherwise, so any other
    // schema slip still warns. Without it ajv printed ~40 strict-mode warnings per run into the CI log.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, allowUnionTypes: true });
    const validate = ajv.compile(REPORT_PARAMS_SCHEMA);
    expect(validate(JSON.parse(JSON.stringify(params))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ table: 'table1', expect: [{ claim: 'x', left: { row: 'a' }, op: '>', right: { value: 1 } }] })).toBe(false);
    expect(validate({ table: 'table9' })).toBe(false);
  });

  it('writes the tables, checks and a self-contained HTML report', async () => {
    const out = join(root, 'out');
    mkdirSync(out);
    const r = await runReport({ params, results, features: [features], datasets: [dataset], outDir: out });
    expect(r.files).toEqual(['report.md', 'report.html', ...FIGURES.map((f) => `fig-${f}.svg`), 'table.csv', 'table.json', 'checks.json']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| Baseline | 51.00 ± 1.41 (n=2) (paper 57.97) |');
    expect(md).toContain('not run (paper 54.23)');
    // Ceilings: wild = mean(80, 81, 82) = 81, lab = mean(83..86) = 84.5, all = mean(80..86) = 83; no paper value.
    expect(md).toContain('| Ceiling: oracle | 80.00 (paper —) | 81.00 (paper —) | 82.00 (paper —) | 83.00 (paper —) | 84.00 (paper —) | 85.00 (paper —) | 86.00 (paper —) | 81.00 (paper —) | 84.50 (paper —) | 83.00 (paper —) |');
    expect(md).toContain('| Ceiling: AU features | 70.00 (paper —) |');
    expect(md.indexOf('| LDL-ALSG(AU+FL) |')).toBeLessThan(md.indexOf('| Ceiling: oracle |'));
    expect(md).toContain('Data: synthetic (synthfer benchmark) (@ldl-alsg/synthfer 1.0.1, profile default, seed 7); test sets:');
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
    // Self-contained: nothing is fetched (no scripts, links, imports, external hrefs; url() only to the page's own ids).
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:|\/\/|file:|data:)/i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    // Every figure is inline in the HTML and a file beside report.md that report.md embeds.
    expect(html.match(/<svg /g)!.length).toBe(FIGURES.length); // no sweep for table1, no landmarks.npy given
    for (const f of FIGURES) {
      const svg = readFileSync(join(out, `fig-${f}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(html).toContain(`<figure id="${f}">${svg}<figcaption>`);
      expect(md).toMatch(new RegExp(`!\\[[^\\]]+\\]\\(fig-${f}\\.svg\\)`));
    }
    // The training curves come from the models' per-epoch records (found through each result's stage.json).
    expect(readFileSync(join(out, 'fig-training.svg'), 'utf8')).toContain('validation');
    expect(md).toContain('Confusion matrices, one per row: counts of confusion.csv summed over the row\'s seeds and all its test sets (3 evaluated models)');
    expect(html).toContain('t-SNE of action units (AU space), ckplus-syn: 59 of 59 rows');
    expect(md).toMatch(/View: the 1st-99th percentile of each axis plus a 10% margin; (no point lies beyond it|\d+ points? beyond it drawn at its edge)/);
    expect(html).toContain('<span class="supported">supported</span> LDL-ALSG(AU+FL) beats the baseline overall: +5.14 points');
    expect(html).toContain('<b>contradicted</b>: both lie on the other side');
  });

  it('draws the noise curves of a sweep table, and leaves out figures whose files the results lack', async () => {
    const dirs = [0, 0.1, 0.15].flatMap((rate) =>
      (['baseline', 'ldl-alsg'] as const).map((method) => {
        const r = fakeResult({ method, spaces: method === 'ldl-alsg' ? ['au', 'landmarks'] : [], seed: 1, noise: rate ? { mode: 'symmetric', rate } : { mode: 'none' } }, new Array(7).fill(60 - 40 * rate));
        const dir = join(root, `noise-${method}-${rate}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'metrics.json'), JSON.stringify(r.metrics));
        return dir;
      }),
    );
    const out = join(root, 'out-noise');
    mkdirSync(out);
    const r = await runReport({ params: { table: 'table2', title: 'Table 2 (test)', paperRows: true, failOnClaims: false, expect: [], tsne: params.tsne }, results: dirs, outDir: out });
    expect(r.files.filter((f) => f.endsWith('.svg'))).toEqual(['fig-accuracy.svg', 'fig-sweep-noise.svg']); // no confusion.csv, no stage.json
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(md).toContain('](fig-sweep-noise.svg)');
    expect(md).toContain('Wild, Lab and All accuracy (%) against noise, one line per method');
    expect(html).toContain(`<figure id="sweep-noise">${readFileSync(join(out, 'fig-sweep-noise.svg'), 'utf8')}`);
  });

  it('writes the same bytes when run twice on the same inputs', async () => {
    const a = join(root, 'det-a');
    const b = join(root, 'det-b');
    mkdirSync(a);
    mkdirSync(b);
    const ra = await runReport({ params, results, features: [features], datasets: [dataset], outDir: a });
    await runReport({ params, results, features: [features], datasets: [dataset], outDir: b });
    for (const f of ra.files) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it('fails the stage on a reference mismatch when asked to, and passes against its own reference', async () => {
    const refFile = join(root, 'ref.json');
    const loaded = readResults(results);
    const table = buildTable({ table: 'table1' }, loaded);
    writeReference(refFile, table, undefined, evaluateClaims(table, params.expect, loaded));
    const ok = join(root, 'out-ok');
    mkdirSync(ok);
    const r = await runReport({ params: { ...params, tsne: { ...params.tsne, enabled: false }, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results, outDir: ok });
    expect(r.diff!.ok).toBe(true);
    const bad = join(root, 'out-bad');
    mkdirSync(bad);
    await expect(
      runReport({ params: { ...params, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results: results.slice(0, 2), outDir: bad }),
    ).rejects.toThrow(/differ from the reference .* missing LDL-ALSG\(AU\+FL\)/);
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
    const r = await runReport({ params: { ...params, tsne: { ...params.tsne, enabled: false }, reference: { file: refFile, tolerance: 0, failOnMismatch: true } }, results, outDir: out });
    expect(r.diff!.ok).toBe(true);
  });
});

describe('readGeneratorSources', () => {
  it('reads the synthfer settings once per distinct generator, skips real-data ingests and refuses a report without a seed', () => {
    const root = mkdtempSync(join(tmpdir(), 'alsg-sources-'));
    const write = (name: string, doc: unknown): string => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'ingest-report.json'), JSON.stringify(doc));
      return dir;
    };
    const head = { format: 'synthfer', generator: { name: '@ldl-alsg/synthfer', version: '1.0.1' } };
    const a = write('a', { ...head, options: { profile: 'default', seed: 2 } });
    const b = write('b', { ...head, options: { profile: 'default', seed: 2 } });
    const real = write('real', { format: 'rafdb' });
    expect(readGeneratorSources([a, b, real, join(root, 'no-report')])).toEqual([{ generator: '@ldl-alsg/synthfer', version: '1.0.1', profile: 'default', seed: 2 }]);
    const bad = write('bad', { ...head, options: { profile: 'default' } });
    expect(() => readGeneratorSources([bad])).toThrow(/bad\/ingest-report\.json: a synthfer ingest report must have .*an integer options\.seed/);
  });
});
