import { describe, expect, it } from 'vitest';
import { addCeilingRows } from './ceilings';
import { evaluateClaims, type Claim } from './claims';
import { combineVerdicts, intervalVerdict, percentileInterval, quantileSorted, tCdf, tInterval, tQuantile } from './stats';
import { buildTable } from './table';
import { firstK, flatResult, predictedResult } from './fixtures/report-results';

const ALSG = { method: 'ldl-alsg', spaces: ['au', 'landmarks'], k: { au: 4, landmarks: 4 }, lambda: { au: 0.0005, landmarks: 0.0005 } };
const noise = (rate: number) => ({ mode: rate ? 'symmetric' : 'none', rate });

describe('statistics', () => {
  it('t quantiles match printed tables', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.3027, 4);
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(tQuantile(0.95, 3)).toBeCloseTo(2.3534, 4);
    expect(tQuantile(0.025, 2)).toBeCloseTo(-4.3027, 4);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 12);
  });

  it('t interval by hand: differences 1, 2, 3 -> 2 -+ 4.3027 * 1 / sqrt(3)', () => {
    const t = tInterval([1, 2, 3])!;
    expect(t.mean).toBe(2);
    expect(t.sd).toBeCloseTo(1, 12);
    expect(t.df).toBe(2);
    expect(t.low).toBeCloseTo(2 - 4.302653 / Math.sqrt(3), 5); // -0.48414
    expect(t.high).toBeCloseTo(4.48414, 4);
    expect(tInterval([5])).toBeNull();
  });

  it('percentile interval uses type-7 quantiles', () => {
    expect(quantileSorted([0, 10, 20, 30, 40], 0.25)).toBe(10);
    expect(quantileSorted([0, 10], 0.975)).toBeCloseTo(9.75, 12);
    const iv = percentileInterval(Array.from({ length: 101 }, (_, i) => 100 - i));
    expect(iv.low).toBeCloseTo(2.5, 12);
    expect(iv.high).toBeCloseTo(97.5, 12);
  });

  it('verdict of an interval: strict sides, ties never supported', () => {
    expect(intervalVerdict({ low: 0.1, high: 2 }, '>', 0)).toBe('supported');
    expect(intervalVerdict({ low: 0.1, high: 2 }, '>', 0.5)).toBe('inconclusive');
    expect(intervalVerdict({ low: -2, high: -0.1 }, '>', 0)).toBe('contradicted');
    expect(intervalVerdict({ low: 0, high: 0 }, '>', 0)).toBe('inconclusive');
    expect(intervalVerdict({ low: 0, high: 0 }, '>=', 0)).toBe('inconclusive');
    expect(intervalVerdict({ low: 0, high: 0 }, '<', 0)).toBe('inconclusive');
    expect(intervalVerdict({ low: -2, high: -1 }, '<', 0.5)).toBe('supported');
    expect(intervalVerdict({ low: -0.2, high: 0.3 }, '==', 0.5)).toBe('supported');
    expect(intervalVerdict({ low: 0.6, high: 0.9 }, '==', 0.5)).toBe('contradicted');
    expect(intervalVerdict({ low: 0.4, high: 0.9 }, '==', 0.5)).toBe('inconclusive');
    expect(combineVerdicts('supported', 'supported')).toBe('supported');
    expect(combineVerdicts('supported', 'inconclusive')).toBe('inconclusive');
    expect(combineVerdicts('contradicted', 'supported')).toBe('inconclusive');
  });
});

describe('evaluateClaims over seeds (t interval; no predictions.csv)', () => {
  // all = every set's value; three seeds per cell.
  const cell = (run: object, values: number[], tag: string) => values.map((v, i) => flatResult({ ...run, seed: i + 1 }, v, `${tag}-s${i + 1}`));
  const results = [
    ...cell({ method: 'baseline', noise: noise(0) }, [70, 71, 72], 'b0'),
    ...cell({ method: 'baseline', noise: noise(0.15) }, [62, 63, 63], 'b15'),
    ...cell({ ...ALSG, noise: noise(0) }, [72, 73.5, 74], 'a0'),
    ...cell({ ...ALSG, noise: noise(0.15) }, [69, 70, 71], 'a15'),
  ];
  const table = buildTable({ table: 'table2' }, results);
  const drop = (method: string) => ({ minus: [{ row: { noise: '0%', method }, metric: 'all' }, { row: { noise: '15%', method }, metric: 'all' }] }) as Claim['left'];
  const beats: Claim = { claim: 'LDL-ALSG beats baseline at 0%', left: { row: '0% / LDL-ALSG(AU+FL)', metric: 'all' }, op: '>', right: { row: '0% / Baseline', metric: 'all' } };

  it('supported: per-seed differences 2, 2.5, 2 give a t interval above 0 (hand-computed)', () => {
    const [r] = evaluateClaims(table, [beats]);
    expect(r.verdict).toBe('supported');
    expect(r.decidedBy).toBe('t only (no predictions.csv)');
    expect(r.seeds).toEqual(['1', '2', '3']);
    expect(r.perSeedDiff).toEqual([2, 2.5, 2]);
    expect(r.meanDiff).toBeCloseTo(13 / 6, 12);
    expect(r.sdDiff).toBeCloseTo(Math.sqrt(1 / 12), 12);
    // 2.1667 -+ 4.302653 * 0.288675 / sqrt(3) = 2.1667 -+ 0.71711
    expect(r.tInterval!.low).toBeCloseTo(1.44956, 4);
    expect(r.tInterval!.high).toBeCloseTo(2.88378, 4);
    expect(r.tInterval!.df).toBe(2);
    expect(r.bootstrap).toBeNull();
    expect(r.left).toBeCloseTo(73.1667, 4);
    expect(r.right).toBe(71);
    expect(r.detail).toBe('+2.17 points, 95% t-interval [+1.45, +2.88] over 3 seeds; no paired bootstrap (no predictions.csv)');
  });

  it('evaluates a difference of differences per seed, and contradicts a false claim', () => {
    const [dd, contra] = evaluateClaims(table, [
      { claim: 'baseline drops more', left: drop('Baseline'), op: '>', right: drop('LDL-ALSG(AU+FL)') },
      { claim: 'baseline beats LDL-ALSG at 15%', left: { row: { noise: '15%', method: 'Baseline' }, metric: 'all' }, op: '>', right: { row: { noise: '15%', method: 'LDL-ALSG(AU+FL)' }, metric: 'all' } },
    ]);
    // drops: baseline 8, 8, 9; LDL-ALSG 3, 3.5, 3
    expect(dd.perSeedDiff).toEqual([5, 4.5, 6]);
    expect(dd.verdict).toBe('supported');
    expect(dd.terms).toHaveLength(4);
    expect(contra.perSeedDiff).toEqual([-7, -7, -8]);
    expect(contra.verdict).toBe('contradicted');
  });

  it('inconclusive when the interval straddles the margin; a tie is never supported', () => {
    const [straddle, tie, tieLess, equal] = evaluateClaims(table, [
      { ...beats, claim: 'by 2 points', margin: 2 },
      { claim: 'baseline beats itself', left: { row: '0% / Baseline', metric: 'all' }, op: '>', right: { row: '0% / Baseline', metric: 'wild' } },
      { claim: 'baseline below itself', left: { row: '0% / Baseline', metric: 'all' }, op: '<=', right: { row: '0% / Baseline', metric: 'wild' } },
      { claim: 'baseline equals itself', left: { row: '0% / Baseline', metric: 'all' }, op: '==', right: { row: '0% / Baseline', metric: 'wild' } },
    ]);
    expect(straddle.verdict).toBe('inconclusive');
    expect(straddle.detail).toMatch(/^\+2\.17 points \(margin 2\), 95% t-interval/);
    expect(tie.tInterval).toEqual({ low: 0, high: 0, df: 2 });
    expect(tie.verdict).toBe('inconclusive');
    expect(tieLess.verdict).toBe('inconclusive');
    expect(equal.verdict).toBe('supported');
  });

  it('excludes a seed that some cell lacks, with a note', () => {
    const t = buildTable({ table: 'table2' }, results.filter((r) => r.dir !== 'b0-s3'));
    const [r] = evaluateClaims(t, [beats]);
    expect(r.seeds).toEqual(['1', '2']);
    expect(r.notes).toEqual(['seed 3 excluded: not in 0% / Baseline | all']);
    expect(r.perSeedDiff).toEqual([2, 2.5]);
  });

  it('is inconclusive (never skipped) when a cell was not run or does not exist', () => {
    const r = evaluateClaims(table, [
      { claim: 'IPA2LT row', left: { row: { noise: '0%', method: 'IPA2LT (LTNet)' }, metric: 'all' }, op: '<', right: { value: 100 } },
      { claim: 'typo', left: { row: 'Basline', metric: 'all' }, op: '<', right: { value: 100 } },
      { claim: 'ambiguous', left: { row: { method: 'Baseline' }, metric: 'all' }, op: '<', right: { value: 100 } },
    ]);
    expect(r.map((x) => x.verdict)).toEqual(['inconclusive', 'inconclusive', 'inconclusive']);
    expect(r.map((x) => x.decidedBy)).toEqual(['none', 'none', 'none']);
    expect(r[0].reason).toMatch(/not run/);
    expect(r[1].reason).toMatch(/no row matches "Basline"/);
    expect(r[2].reason).toMatch(/matches 4 rows/); // 0% and 15% run, 5% and 10% listed from the paper
    expect(() => evaluateClaims(table, [{ ...beats, op: '>>' as Claim['op'] }])).toThrow(/op must be one of/);
  });

  it('addresses column groups when noise rates sit side by side', () => {
    const wide = buildTable({ table: 'table2', rows: ['method'], columns: ['noise'] }, results);
    const r = evaluateClaims(wide, [
      {
        claim: 'baseline drops more (wide layout)',
        left: { minus: [{ row: 'Baseline', column: '0%', metric: 'all' }, { row: 'Baseline', column: '15%', metric: 'all' }] },
        op: '>',
        right: { minus: [{ row: 'LDL-ALSG(AU+FL)', column: { noise: '0%' }, metric: 'all' }, { row: 'LDL-ALSG(AU+FL)', column: { noise: '15%' }, metric: 'all' }] },
      },
      { claim: 'no column named', left: { row: 'Baseline', metric: 'all' }, op: '>', right: { value: 0 } },
    ]);
    expect(r[0]).toMatchObject({ verdict: 'supported', perSeedDiff: [5, 4.5, 6] });
    expect(r[1].verdict).toBe('inconclusive');
    expect(r[1].reason).toMatch(/matches 2 column groups/);
  });
});

describe('evaluateClaims with the paired bootstrap over test images', () => {
  const N = 40;
  const sets = (k: number, ids?: (set: string) => string[], order?: (c: number[]) => number[]) =>
    (['raf-syn', 'ckplus-syn'] as const).map((dataset) => {
      const correct = firstK(N, k);
      return { dataset, domain: dataset === 'raf-syn' ? ('wild' as const) : ('lab' as const), correct: order ? order(correct) : correct, ...(ids ? { ids: ids(dataset) } : {}) };
    });
  const model = (run: object, seed: number, k: number) => predictedResult({ ...run, seed }, sets(k), `${JSON.stringify(run)}-${seed}`);
  const claim: Claim = { claim: 'LDL-ALSG(AU+FL) beats the baseline overall', left: { row: 'LDL-ALSG(AU+FL)', metric: 'all' }, op: '>', right: { row: 'Baseline', metric: 'all' } };
  const judge = (results: ReturnType<typeof model>[], options = {}) => evaluateClaims(buildTable({ table: 'table1' }, results), [claim], results, { resamples: 400, ...options })[0];

  it('supported by both intervals when LDL-ALSG is right on 10 more images of each set for every seed', () => {
    const results = [1, 2, 3].flatMap((s) => [model({ method: 'baseline' }, s, 20 + s), model(ALSG, s, 30 + s)]);
    const r = judge(results);
    expect(r.perSeedDiff).toEqual([25, 25, 25]);
    expect(r.tInterval).toEqual({ low: 25, high: 25, df: 2 });
    expect(r.bootstrap).toMatchObject({ resamples: 400, images: 80, seed: 0 });
    expect(r.bootstrap!.low).toBeGreaterThan(0);
    expect(r.bootstrap!.high).toBeGreaterThan(25);
    expect(r.verdict).toBe('supported');
    expect(r.decidedBy).toBe('t+bootstrap');
    expect(r.detail).toMatch(/^\+25\.00 points, 95% t-interval \[\+25\.00, \+25\.00\] over 3 seeds; paired bootstrap over 80 test images \[\+\d+\.\d\d, \+\d+\.\d\d\]$/);
    expect(r.method).toMatch(/t interval over 3 paired seeds \(df 2\) and 95% percentile interval of a paired bootstrap over 80 test images \(400 resamples/);
  });

  it('identical models tie on every resample: [0, 0], inconclusive', () => {
    const results = [1, 2].flatMap((s) => [model({ method: 'baseline' }, s, 20), model(ALSG, s, 20)]);
    const r = judge(results);
    expect(r.bootstrap).toMatchObject({ low: 0, high: 0 });
    expect(r.verdict).toBe('inconclusive');
  });

  it('inconclusive when the seeds agree but one extra image is too little for the bootstrap', () => {
    const results = [1, 2, 3].flatMap((s) => [model({ method: 'baseline' }, s, 20), model(ALSG, s, 21)]);
    const r = judge(results);
    expect(r.tInterval).toEqual({ low: 2.5, high: 2.5, df: 2 }); // t alone would say supported
    expect(r.bootstrap!.low).toBe(0); // P(image 20 of a set never drawn) = (39/40)^40 = 0.36 per set
    expect(r.verdict).toBe('inconclusive');
  });

  it('contradicted by both when the baseline is better', () => {
    const results = [1, 2].flatMap((s) => [model({ method: 'baseline' }, s, 32 + s), model(ALSG, s, 18)]);
    expect(judge(results).verdict).toBe('contradicted');
  });

  it('with one seed, decides by the bootstrap alone and says so', () => {
    const r = judge([model({ method: 'baseline' }, 1, 20), model(ALSG, 1, 30)]);
    expect(r.tInterval).toBeNull();
    expect(r.decidedBy).toBe('bootstrap only (1 seed)');
    expect(r.verdict).toBe('supported');
    expect(r.detail).toMatch(/^\+25\.00 points, 1 seed: bootstrap only; paired bootstrap over 80 test images/);
  });

  it('is deterministic given its seed, and the seed matters', () => {
    const results = [model({ method: 'baseline' }, 1, 18), model(ALSG, 1, 22)];
    const a = judge(results, { seed: 7 });
    const b = judge(results, { seed: 7 });
    const c = judge(results, { seed: 8 });
    expect(a.bootstrap).toEqual(b.bootstrap);
    expect([c.bootstrap!.low, c.bootstrap!.high]).not.toEqual([a.bootstrap!.low, a.bootstrap!.high]);
  });

  it('pairs images by id, whatever the row order, and refuses different test images', () => {
    const base = model({ method: 'baseline' }, 1, 18);
    const alsg = model(ALSG, 1, 22);
    const reversedIds = (set: string) => Array.from({ length: N }, (_, i) => `${set}-${N - 1 - i}`);
    const reversed = predictedResult({ ...ALSG, seed: 1 }, sets(22, reversedIds, (c) => [...c].reverse()), 'reversed');
    expect(judge([base, reversed], { seed: 3 }).bootstrap).toEqual(judge([base, alsg], { seed: 3 }).bootstrap);
    const renamed = predictedResult({ ...ALSG, seed: 1 }, sets(22, (set) => Array.from({ length: N }, (_, i) => (i === 5 ? 'stranger' : `${set}-${i}`))), 'renamed');
    const smaller = predictedResult({ ...ALSG, seed: 1 }, [{ dataset: 'raf-syn', domain: 'wild', correct: firstK(30, 20) }, { dataset: 'ckplus-syn', domain: 'lab', correct: firstK(N, 20) }], 'smaller');
    expect(() => judge([base, smaller])).toThrow(/claim "LDL-ALSG\(AU\+FL\) beats the baseline overall": smaller and .* were evaluated on different test sets \(ckplus-syn:40\|raf-syn:30 vs ckplus-syn:40\|raf-syn:40\)/);
    expect(() => judge([base, renamed])).toThrow(/image "ckplus-syn-5" of test set "ckplus-syn" is in .*baseline.* but not in renamed; all models must be evaluated on the same test images/);
  });

  it('ceiling rows are constants that claims reach only by their exact label', () => {
    const results = [model({ method: 'baseline' }, 1, 20), model({ method: 'baseline' }, 2, 22)];
    const table = addCeilingRows(buildTable({ table: 'table1' }, results), { schema: 'alsg-ceilings/1', oracle: { description: 'oracle', perSet: { 'raf-syn': 90, 'ckplus-syn': 80 } } }, results);
    const [below, anyRow] = evaluateClaims(table, [
      { claim: 'baseline below the oracle', left: { row: 'Baseline', metric: 'all' }, op: '<', right: { row: 'Ceiling: oracle', metric: 'all' } },
      { claim: 'fields never match a ceiling', left: { row: { method: 'Ceiling: oracle' }, metric: 'all' }, op: '>', right: { value: 0 } },
    ], results, { resamples: 200 });
    // baseline all = 20/40 and 22/40 = 50 and 55 -> differences to the oracle's (90 + 80) / 2 = 85: -35, -30
    expect(below.perSeedDiff).toEqual([-35, -30]);
    expect(below.verdict).toBe('supported');
    expect(below.terms.find((t) => t.ref === 'Ceiling: oracle | all')).toEqual({ ref: 'Ceiling: oracle | all', value: 85, n: 0 });
    expect(anyRow.reason).toMatch(/no row matches/);
  });
});
