import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCsv, readNpy, writeNpy } from '@ldl-alsg/artifacts';
import { Rng, startProgress } from '@ldl-alsg/common';
import { writeManifest } from '@ldl-alsg/datasets';
import type { StageContext } from '@ldl-alsg/pipeline';
// relative path: @ldl-alsg/report's index does not export the renderer yet (the lead wires it into the report)
import { graphDiagnosticsMarkdown } from '@ldl-alsg/report';
import { stage, type GraphStageParams } from './stage';

const root = mkdtempSync(join(tmpdir(), 'graph-stage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Fixture {
  ingest: string;
  extract: string;
  n: number;
  au: Float32Array;
  splits: string[];
  statuses: string[];
}

/** 60 rows: 40 train (6 of them no-face: 34 in the graph), 10 val, 10 test; AU values continuous, landmarks present for every ok row. */
function makeFixture(name: string, mutate?: (f: Fixture) => void): Fixture {
  const rng = new Rng(7, name);
  const n = 60;
  const ingest = join(root, name, 'ingest');
  const extract = join(root, name, 'extract');
  mkdirSync(ingest, { recursive: true });
  mkdirSync(extract, { recursive: true });
  const splits = Array.from({ length: n }, (_, i) => (i % 6 === 4 ? 'val' : i % 6 === 5 ? 'test' : 'train'));
  const statuses = Array.from({ length: n }, (_, i) => (splits[i] === 'train' && i % 8 === 1 ? 'no-face' : 'ok'));
  const au = new Float32Array(n * 17);
  const landmarks = new Float32Array(n * 136);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 17; c++) au[i * 17 + c] = statuses[i] === 'ok' ? rng.range(0, 5) : Number.NaN;
    for (let c = 0; c < 136; c++) landmarks[i * 136 + c] = statuses[i] === 'ok' ? rng.range(0, 112) : Number.NaN;
  }
  const f: Fixture = { ingest, extract, n, au, splits, statuses };
  mutate?.(f);
  writeManifest(
    ingest,
    splits.map((split, i) => ({ id: `img${i}`, path: `images/img${i}.png`, label: 'happy', dataset: 'unit', split: split as 'train' })),
  );
  writeNpy(join(extract, 'au.npy'), f.au, [f.au.length / 17, 17]);
  writeNpy(join(extract, 'landmarks.npy'), landmarks, [n, 136]);
  writeFileSync(join(extract, 'status.csv'), formatCsv(['id', 'status', 'confidence'], f.statuses.map((s, i) => ({ id: `img${i}`, status: s, confidence: s === 'ok' ? 0.98 : 0 }))));
  return f;
}

function context(f: Fixture, params: GraphStageParams, outDir: string): StageContext<GraphStageParams> & { recorded: Record<string, unknown> } {
  const recorded: Record<string, unknown> = {};
  mkdirSync(outDir, { recursive: true });
  return {
    address: 'unit/graph',
    params,
    inputs: { dataset: [f.ingest], features: [f.extract] },
    outDir,
    scratchDir: join(outDir, '..', 'scratch'),
    seed: 3,
    log: () => undefined,
    progress: (label, total) => startProgress(label, total, { silent: true }),
    record: (info) => Object.assign(recorded, info),
    recorded,
  };
}

describe('graph stage', () => {
  it('builds the AU graph over train rows with status ok, aligned with the manifest (-1 elsewhere)', async () => {
    const f = makeFixture('ok');
    const out = join(root, 'ok', 'out');
    const ctx = context(f, { space: 'au', k: 3, mode: 'exact' }, out);
    await stage.run(ctx);
    const nb = readNpy(join(out, 'neighbors.npy'));
    const sim = readNpy(join(out, 'similarity.npy'));
    expect(nb.shape).toEqual([60, 3]);
    expect(nb.dtype).toBe('int32');
    expect(sim.dtype).toBe('float32');
    const inGraph = f.splits.map((s, i) => s === 'train' && f.statuses[i] === 'ok');
    const graphRows = inGraph.flatMap((g, i) => (g ? [i] : []));
    for (let i = 0; i < 60; i++) {
      const row = Array.from(nb.data.subarray(i * 3, i * 3 + 3));
      if (!inGraph[i]) {
        expect(row).toEqual([-1, -1, -1]);
        expect(Array.from(sim.data.subarray(i * 3, i * 3 + 3))).toEqual([0, 0, 0]);
        continue;
      }
      // independent brute force over the graph's rows, in manifest indices, sigma = 1 (the paper's AU default)
      const ref = graphRows
        .filter((j) => j !== i)
        .map((j) => {
          let e = 0;
          for (let c = 0; c < 17; c++) e += (f.au[i * 17 + c] - f.au[j * 17 + c]) ** 2;
          return { j, e };
        })
        .sort((a, b) => a.e - b.e || a.j - b.j)
        .slice(0, 3);
      expect(row).toEqual(ref.map((r) => r.j));
      ref.forEach((r, c) => expect(Math.abs(sim.data[i * 3 + c] - Math.exp(-r.e / 2))).toBeLessThan(1e-6));
    }
    const info = JSON.parse(readFileSync(join(out, 'graph.json'), 'utf8'));
    expect(info).toMatchObject({ space: 'au', mode: 'exact', k: 3, sigma: 1, rows: { total: 60, inGraph: graphRows.length, excluded: { 'split=val': 10, 'split=test': 10, 'status=no-face': 6 } } });
    expect(graphRows).toHaveLength(34);
    expect(info.recall.value).toBe(1);
    expect(info.timings.totalWall).toBeGreaterThan(0);
    expect(ctx.recorded.graph).toMatchObject({ space: 'au', mode: 'exact' });
  });

  it('uses the landmarks default sigma 68 and records standardisation', async () => {
    const f = makeFixture('lm');
    const out = join(root, 'lm', 'out');
    await stage.run(context(f, { space: 'landmarks', k: 2, mode: 'exact', standardize: true }, out));
    const info = JSON.parse(readFileSync(join(out, 'graph.json'), 'utf8'));
    expect(info.sigma).toBe(68);
    expect(info.standardization.enabled).toBe(true);
    expect(info.standardization.means).toHaveLength(136);
    // standardised: sigma is in standardised units, so no face-size ratio
    expect(info).toMatchObject({ landmarks: 'raw', sigmaSource: 'paper default', sigmaRelative: null });
  });

  it('records the face size and sigma relative to it for raw landmarks (the paper\'s 68 px)', async () => {
    const f = makeFixture('lmraw');
    const out = join(root, 'lmraw', 'out');
    await stage.run(context(f, { space: 'landmarks', k: 2, mode: 'exact' }, out));
    const info = JSON.parse(readFileSync(join(out, 'graph.json'), 'utf8'));
    expect(info).toMatchObject({ sigma: 68, landmarks: 'raw', sigmaSource: 'paper default', faceSize: { units: 'input units (px)' } });
    expect(info.faceSize.value).toBeGreaterThan(20); // uniform points on a 112-px square: ~46 px
    expect(info.sigmaRelative).toBeCloseTo(68 / info.faceSize.value, 12);
    expect(info.alignment).toBeUndefined();
  });

  it('aligned landmarks with sigmaRelative: sigma = sigmaRelative x the mean aligned face size (~1)', async () => {
    const f = makeFixture('lmal');
    const out = join(root, 'lmal', 'out');
    const ctx = context(f, { space: 'landmarks', k: 2, mode: 'exact', landmarks: 'aligned', sigmaRelative: 0.5 }, out);
    await stage.run(ctx);
    const info = JSON.parse(readFileSync(join(out, 'graph.json'), 'utf8'));
    expect(info).toMatchObject({ landmarks: 'aligned', sigmaSource: 'sigmaRelative', faceSize: { units: 'mean shape size' }, alignment: { iterations: 3 } });
    expect(info.sigmaRelative).toBeCloseTo(0.5, 12);
    expect(info.sigma).toBeCloseTo(0.5 * info.faceSize.value, 12);
    expect(info.faceSize.value).toBeGreaterThan(0.1); // uniform random points are unlike their mean: LS scaling shrinks them (~0.25)
    expect(info.faceSize.value).toBeLessThanOrEqual(1 + 1e-9);
    expect(info.alignment.meanShape).toHaveLength(136);
    expect(ctx.recorded.graph).toMatchObject({ landmarks: 'aligned', sigmaRelative: info.sigmaRelative });
  });

  it('writes diagnostics.json: a_ij against random pairs, label agreement, distances between true distributions', async () => {
    const f = makeFixture('diag');
    // true distributions: row i puts 0.6 on class i % 7 (unknown for row 0)
    const dist = new Float32Array(60 * 7).fill(0.4 / 6);
    for (let i = 0; i < 60; i++) dist[i * 7 + (i % 7)] = 0.6;
    dist.fill(Number.NaN, 0, 7);
    writeNpy(join(f.ingest, 'distribution.npy'), dist, [60, 7]);
    const out = join(root, 'diag', 'out');
    const ctx = context(f, { space: 'au', k: 3, mode: 'exact' }, out);
    await stage.run(ctx);
    const diag = JSON.parse(readFileSync(join(out, 'diagnostics.json'), 'utf8'));
    const sim = readNpy(join(out, 'similarity.npy'));
    const values = Array.from(sim.data).filter((_, i) => readNpy(join(out, 'neighbors.npy')).data[i] >= 0);
    expect(diag).toMatchObject({ schema: 'alsg-graph-diagnostics/1', rows: 34, k: 3, sigma: 1, seed: 3 });
    expect(diag.similarity.graph.count).toBe(34 * 3);
    expect(diag.similarity.graph.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 10);
    expect(diag.similarity.random.count).toBe(34 * 3);
    // every label is happy: full agreement, chance 1
    expect(diag.labels).toMatchObject({ graph: 1, random: 1, chance: 1 });
    // TV between two rows is 0 (same class) or 0.6 - 0.4/6 (different); the graph rows with a known distribution
    expect(diag.distribution.centres).toBe(33);
    for (const key of ['graph', 'sameLabelRandom', 'random']) {
      expect(diag.distribution[key]).toBeGreaterThan(0);
      expect(diag.distribution[key]).toBeLessThan(0.6 - 0.4 / 6 + 1e-6);
    }
    expect(ctx.recorded.diagnostics).toMatchObject({ labelAgreement: 1 });
    expect(String((ctx.recorded.diagnostics as { summary: string }).summary)).toMatch(/^diagnostics: a_ij mean/);

    // the report's renderer: one table per quantity, one row per graph; a graph without diagnostics is named
    const md = graphDiagnosticsMarkdown([
      { name: 'graph-au', diagnostics: diag },
      { name: 'old|graph', diagnostics: undefined },
    ]);
    const s = diag.similarity;
    expect(md).toContain(`| graph-au | 34 | 3 | 1.0000 | ${s.graph.mean.toFixed(3)} | ${s.graph.sd.toFixed(3)} | ${s.graph.quantiles.p5.toFixed(3)} |`);
    expect(md).toContain('| graph-au | 1.000 | 1.000 | 1.000 | n/a | 1.000 | n/a |'); // only happy centres: other classes n/a
    const t = diag.distribution;
    expect(md).toContain(`| graph-au | ${t.graph.toFixed(3)} | ${t.graphWeighted.toFixed(3)} | ${t.effectiveSlotFraction.toFixed(2)} | ${t.sameLabelRandom.toFixed(3)} |`);
    expect(md).toContain('No diagnostics (diagnostics.json missing or of another schema): old\\|graph.');
    expect(md.match(/^\| graph \|/gm)).toHaveLength(3);
  });

  it('rejects contradictory landmark / sigma options before any work', async () => {
    const f = makeFixture('opts');
    const out = join(root, 'opts', 'out');
    await expect(stage.run(context(f, { space: 'au', landmarks: 'raw' }, out))).rejects.toThrow('graph: landmarks (raw | aligned) applies to space landmarks only, but space is au; remove it');
    await expect(stage.run(context(f, { space: 'au', sigmaRelative: 0.5 }, out))).rejects.toThrow('graph: sigmaRelative (a multiple of the face size) applies to space landmarks only');
    await expect(stage.run(context(f, { space: 'landmarks', sigma: 2, sigmaRelative: 0.5 }, out))).rejects.toThrow('graph: give either sigma (2) or sigmaRelative (0.5), not both');
    await expect(stage.run(context(f, { space: 'landmarks', landmarks: 'aligned' }, out))).rejects.toThrow("graph: landmarks aligned needs sigma or sigmaRelative (the paper's 68 is in pixels");
    await expect(stage.run(context(f, { space: 'landmarks', sigmaRelative: 0.5, standardize: true }, out))).rejects.toThrow('graph: sigmaRelative cannot be combined with standardize');
  });

  it('rejects bad inputs with clear errors before any work', async () => {
    const short = makeFixture('short', (f) => {
      f.au = f.au.slice(0, 59 * 17);
    });
    await expect(stage.run(context(short, { space: 'au' }, join(root, 'short', 'out')))).rejects.toThrow(/au\.npy: has 59 rows, but the manifest\(s\) have 60 .*must be aligned with the manifest rows/);

    const nan = makeFixture('nan', (f) => {
      f.au[12 * 17 + 3] = Number.NaN; // row 12 is train, status ok
    });
    await expect(stage.run(context(nan, { space: 'au' }, join(root, 'nan', 'out')))).rejects.toThrow(
      /au\.npy: manifest row 12 \(id img12\) holds a non-finite value \(NaN in column 3\)/,
    );

    const empty = makeFixture('empty', (f) => {
      f.statuses = f.statuses.map((s, i) => (f.splits[i] === 'train' ? 'no-face' : s));
    });
    await expect(stage.run(context(empty, { space: 'au' }, join(root, 'empty', 'out')))).rejects.toThrow(
      'graph: no rows with split=train and extract status ok (empty set; left out: {"status=no-face":40,"split=val":10,"split=test":10})',
    );

    const ok = makeFixture('k');
    await expect(stage.run(context(ok, { space: 'au', k: 34 }, join(root, 'k', 'out')))).rejects.toThrow(
      'knn: k must be smaller than the number of rows in the graph (34), but got k = 34',
    );
    await expect(stage.run(context(ok, { space: 'au', sigma: -1 }, join(root, 'k', 'out2')))).rejects.toThrow('knn: sigma must be a finite number > 0, but got -1');

    const faceApi = makeFixture('noau', (f) => {
      f.au.fill(Number.NaN);
    });
    await expect(stage.run(context(faceApi, { space: 'au' }, join(root, 'noau', 'out')))).rejects.toThrow(/every train row with status ok is NaN: the extractor provided no action units/);

    const order = makeFixture('order');
    writeFileSync(join(order.extract, 'status.csv'), readFileSync(join(order.extract, 'status.csv'), 'utf8').replace('img3,', 'imgX,'));
    await expect(stage.run(context(order, { space: 'au' }, join(root, 'order', 'out')))).rejects.toThrow(/status\.csv:5: id "imgX" does not match manifest row 3 \(id "img3"\)/);
  });
});

