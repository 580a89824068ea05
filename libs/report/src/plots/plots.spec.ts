import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@ldl-alsg/common';
import { fakeResult } from '../fixtures/report-results';
import { buildTable } from '../table';
import { accuracyData, accuracySpec } from './accuracy';
import { confusionData, confusionSpec } from './confusion';
import { compileVegaLite, prefixIds, renderVegaLiteSvg } from './render-svg';
import { sweepData, sweepScale, sweepSpec } from './sweep';
import { parseEpochRecords, readTrainingCurve, trainDirOf, trainingData, trainingSpec } from './training';
import { robustView, tsneSpec } from './tsne-map';

const RESULTS = [
  fakeResult({ method: 'baseline', seed: 1 }, [50, 60, 40, 80, 70, 60, 50], 'b1'),
  fakeResult({ method: 'baseline', seed: 2 }, [52, 62, 42, 82, 72, 62, 52], 'b2'),
  fakeResult({ method: 'ldl-alsg', spaces: ['au', 'landmarks'], seed: 1 }, [55, 66, 45, 85, 75, 65, 55], 'a1'),
];

/** A noise sweep: baseline and LDL-ALSG at 0, 10, 20% noise, two seeds each. */
function noiseResults() {
  return [0, 0.1, 0.2].flatMap((rate) =>
    (['baseline', 'ldl-alsg'] as const).flatMap((method) =>
      [1, 2].map((seed) =>
        fakeResult({ method, spaces: method === 'ldl-alsg' ? ['au', 'landmarks'] : [], seed, noise: rate ? { mode: 'symmetric', rate } : { mode: 'none' } }, new Array(7).fill(60 - 50 * rate + seed + (method === 'ldl-alsg' ? 2 : 0)), `${method}-${rate}-${seed}`),
      ),
    ),
  );
}

const IDENTITY = Array.from({ length: 7 }, (_, t) => Array.from({ length: 7 }, (_, p) => (t === p ? 8 : 1)));

describe('figures (vega-lite to SVG)', () => {
  it('renders the same spec to the same bytes, whatever was drawn before, with ids prefixed', async () => {
    const table = buildTable({ table: 'table1' }, RESULTS);
    const spec = accuracySpec(table, 'Table 1')!;
    const first = await renderVegaLiteSvg(spec, 'fig-a');
    await renderVegaLiteSvg(confusionSpec(confusionData(table, RESULTS, () => IDENTITY), 'c')!, 'fig-c');
    const again = await renderVegaLiteSvg(spec, 'fig-a');
    expect(again).toBe(first);
    expect(first.startsWith('<svg')).toBe(true);
    expect(first).toContain('Baseline');
    for (const m of first.matchAll(/\bid="([^"]+)"/g)) expect(m[1].startsWith('fig-a-')).toBe(true);
    expect(prefixIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', 'x')).toBe('<clipPath id="x-clip1"/><g clip-path="url(#x-clip1)"/>');
    await expect(renderVegaLiteSvg(spec, '1 bad')).rejects.toThrow(/figure id "1 bad"/);
  });

  it('builds every kind of figure as a spec vega-lite compiles without warnings', () => {
    const table = buildTable({ table: 'table1' }, RESULTS);
    const noise = noiseResults();
    const points = Float64Array.from({ length: 40 }, (_, i) => i * 0.37);
    const curve = () => parseEpochRecords('{"phase":"main","epoch":1,"epochEnd":true,"total":1.2,"trainLoss":1.2,"trainAccuracy":40,"valLoss":1.3,"valAccuracy":38}\n{"phase":"main","epoch":2,"epochEnd":true,"total":1,"trainLoss":1,"trainAccuracy":50,"valLoss":1.1,"valAccuracy":45}', 'log');
    const specs = [
      accuracySpec(table, 'a'),
      sweepSpec('table2', noise, { x: 'noise', series: ['method'] }, 's'),
      confusionSpec(confusionData(table, RESULTS, () => IDENTITY), 'c'),
      trainingSpec(trainingData(table, RESULTS, curve), 't'),
      tsneSpec({ title: 'm', points, classes: Array.from({ length: 20 }, (_, i) => i % 7), view: robustView(points, 20) }),
    ];
    for (const spec of specs) {
      expect(spec).not.toBeNull();
      expect(compileVegaLite(spec!).warnings).toEqual([]);
    }
  });

  it('accuracy: mean ± sd and every seed per row and column, the paper value, no ceiling or not-run rows', () => {
    const d = accuracyData(buildTable({ table: 'table1' }, RESULTS));
    expect(d.series).toEqual(['Baseline', 'LDL-ALSG(AU+FL)']);
    const bar = d.bars.find((b) => b.series === 'Baseline' && b.metric === 'All')!;
    expect(bar.n).toBe(2);
    expect(bar.high - bar.mean).toBeCloseTo(Math.SQRT2, 9); // sd of (58.571.., 60.571..)
    expect(d.seeds.filter((s) => s.series === 'Baseline' && s.metric === 'All').map((s) => s.seed)).toEqual(['1', '2']);
    const single = d.bars.find((b) => b.series === 'LDL-ALSG(AU+FL)' && b.metric === 'All')!;
    expect(single.low).toBe(single.high); // one seed: no whisker
    expect(d.paper.find((p) => p.series === 'Baseline' && p.metric === 'All')!.paper).toBe(69.33);
  });

  it('sweeps: linear noise axis, log lambda axis, categories otherwise; a baseline at lambda 0 becomes a reference line', () => {
    expect(sweepScale(['0%', '5%', '10%', '15%'])).toBe('linear');
    expect(sweepScale(['0.0001', '0.0005', '0.001', '0.01'])).toBe('log');
    expect(sweepScale(['0%', '10%', 'ABC'])).toBe('ordinal');
    const noise = sweepData('table2', noiseResults(), { x: 'noise', series: ['method'] })!;
    expect(noise.xs).toEqual(['0%', '10%', '20%']);
    const m = noise.data.find((p) => p.kind === 'mean' && p.series === 'Baseline' && p.metric === 'All' && p.x === '20%')!;
    expect(m).toMatchObject({ xv: 20, n: 2, y: 51.5 });
    expect(noise.data.filter((p) => p.kind === 'seed' && p.series === 'Baseline' && p.metric === 'All' && p.x === '20%').map((p) => p.y)).toEqual([51, 52]);
    const lambda = [0.0001, 0.001, 0.01].map((l) => fakeResult({ method: 'ldl-alsg', spaces: ['au'], lambda: { au: l, landmarks: 0 }, seed: 1 }, new Array(7).fill(60), `l${l}`));
    const base = fakeResult({ method: 'baseline', seed: 1 }, new Array(7).fill(55), 'base');
    const d = sweepData('table7', [...lambda, base], { x: 'lambda', series: ['space'] })!;
    expect(d.scale).toBe('log');
    const ref = d.data.filter((p) => p.kind === 'reference');
    expect(ref.length).toBe(3); // Wild, Lab, All
    expect(ref[0].y).toBe(55);
    expect(d.data.some((p) => p.kind === 'mean' && p.series === 'none')).toBe(false);
  });

  it('confusion: counts summed over a row\'s seeds, each true class normalised to 100%', () => {
    const table = buildTable({ table: 'table1' }, RESULTS);
    const d = confusionData(table, RESULTS, (r) => (r.dir === 'b2' ? null : IDENTITY));
    expect(d.series).toEqual(['Baseline', 'LDL-ALSG(AU+FL)']);
    expect(d.models).toBe(2);
    const diag = d.cells.find((c) => c.series === 'Baseline' && c.truth === 'happy' && c.predicted === 'happy')!;
    expect(diag.percent).toBeCloseTo(100 * 8 / 14, 9);
    for (const t of ['neutral', 'anger']) expect(d.cells.filter((c) => c.series === 'Baseline' && c.truth === t).reduce((a, c) => a + c.percent, 0)).toBeCloseTo(100, 9);
  });

  it('training curves: per-epoch records, older logs (loss terms only), and the model found through stage.json', () => {
    const old = parseEpochRecords('{"phase":"main","epoch":1,"step":10,"total":2}\n{"phase":"main","epoch":1,"step":625,"epochEnd":true,"total":1.5,"ce":1.5}\n', 'log');
    expect(old).toEqual([{ phase: 'main', epoch: 1, trainLoss: 1.5, trainAccuracy: null, valLoss: null, valAccuracy: null }]);
    expect(() => parseEpochRecords('{"epoch":1}\nnot json', 'x.jsonl')).toThrow(/x\.jsonl:2: not valid JSON/);
    // A store that moved: stage.json names a dir that is gone, the sibling train/<key> has the log.
    const store = mkdtempSync(join(tmpdir(), 'alsg-plots-'));
    const evalDir = join(store, 'evaluate', 'e1');
    const trainDir = join(store, 'train', 'k1');
    mkdirSync(evalDir, { recursive: true });
    mkdirSync(trainDir, { recursive: true });
    writeFileSync(join(evalDir, 'stage.json'), JSON.stringify({ inputs: { model: [{ instance: 'train', key: 'k1', dir: '/nowhere/train/k1' }] } }));
    writeFileSync(
      join(trainDir, 'train-log.jsonl'),
      ['{"phase":"coder","epoch":1,"epochEnd":true,"total":9}', '{"phase":"ltnet","epoch":1,"epochEnd":true,"trainLoss":1,"valLoss":1.2,"trainAccuracy":50,"valAccuracy":40}', '{"phase":"ltnet","epoch":2,"epochEnd":true,"trainLoss":0.8,"valLoss":1.1,"trainAccuracy":60,"valAccuracy":45}'].join('\n') + '\n',
    );
    expect(trainDirOf(evalDir)).toBe(trainDir);
    expect(readTrainingCurve(evalDir)!.map((e) => [e.phase, e.epoch])).toEqual([['ltnet', 1], ['ltnet', 2]]);
    expect(trainDirOf(join(store, 'nothing-here'))).toBeNull();
    const table = buildTable({ table: 'table1' }, RESULTS);
    const d = trainingData(table, RESULTS, (r) => (r.descriptor.method === 'Baseline' ? readTrainingCurve(evalDir) : null));
    expect(d.models).toBe(2);
    expect(d.points.find((p) => p.series === 'Baseline' && p.panel === 'accuracy (%)' && p.split === 'validation' && p.epoch === 2)).toMatchObject({ value: 45, n: 2 });
  });

  it('t-SNE view: one far outlier is clipped to the edge and counted, and no longer squeezes the map', () => {
    const rng = new Rng(3, 'plots-spec');
    const n = 500;
    const pts = new Float64Array(2 * n);
    for (let i = 0; i < 2 * n; i++) pts[i] = rng.normal(0, 5);
    pts[0] = 4000; // one outlier, as t-SNE sometimes leaves
    pts[1] = -3000;
    const view = robustView(pts, n);
    expect(view.outside[0]).toBe(true);
    expect(view.clipped).toBeLessThanOrEqual(3);
    expect(view.x[1] - view.x[0]).toBeCloseTo(view.y[1] - view.y[0], 9); // square
    expect(view.x[1] - view.x[0]).toBeLessThan(60); // fitted to the cloud (sd 5), not to the outlier
    // A cloud without outliers loses no point.
    const grid = Float64Array.from({ length: 2 * 100 }, (_, i) => (i % 2 ? Math.floor(i / 20) : (i / 2) % 10));
    expect(robustView(grid, 100).clipped).toBe(0);
    const spec = tsneSpec({ title: 't', points: pts, classes: new Array(n).fill(0), view }) as { data: { values: { x: number; y: number; where: string }[] } };
    expect(spec.data.values[0]).toMatchObject({ x: Number(view.x[1].toPrecision(6)), y: Number(view.y[0].toPrecision(6)), where: 'outside the view (at its edge)' });
  });
});
