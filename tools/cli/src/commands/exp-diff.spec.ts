import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAsync, type SpawnResult } from '../fixtures/spawn-async';
import { readExperiments, writeAddressRecord } from '@ldl-alsg/pipeline';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';
import { experimentTable, filterRows, onlyChanged, parseFilter, renderCsv, renderText, selectColumns, sortRows } from './experiment-table';
import { compareRows, renderDiff } from './diff-command';

function alsg(root: string, env: Record<string, string>, ...args: string[]): Promise<SpawnResult> {
  return spawnAsync(process.execPath, [join(CHECKOUT_ROOT, 'bin/alsg.mjs'), ...args], { cwd: root, env: { ...process.env, ALSG_WORKSPACE: root, ALSG_STORE: '', ...env } });
}

const key = (n: number): string => n.toString(16).padStart(20, '0');

/** A store with two train results (one also kept in an older version) and their evaluations, as the stages write them. */
function fakeStore(): string {
  const store = mkdtempSync(join(tmpdir(), 'alsg-exp-'));
  const put = (stage: string, k: string, files: Record<string, unknown>): void => {
    mkdirSync(join(store, stage, k), { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(store, stage, k, name), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const train = (k: string, instance: string, method: string, seed: number, lr: number, finishedAt: string, log: string): void => {
    put('train', k, {
      'stage.json': {
        key: k, stage: 'train', pipeline: 't1', profile: 'default', instance, seed, params: { method, lr, lambda: { au: 0.001, landmarks: 0 }, epochs: 2 },
        writtenParams: { method, lr }, inputKeys: {}, timings: { finishedAt, seconds: 12.5 }, record: { variant: method === 'baseline' ? 'baseline' : 'LDL-ALSG(AU)' },
      },
      'train-summary.json': { variant: method, backend: { name: 'wasm' }, finalLosses: { total: 0.5 }, trainSeconds: 10, samples: 100, params: { epochs: 2 } },
      'train-log.jsonl': log,
    });
  };
  const epoch = (e: number, val: number): string => JSON.stringify({ phase: 'main', epoch: e, epochs: 2, epochEnd: true, total: 1, trainLoss: 1, trainAccuracy: 50, valLoss: 1.2, valAccuracy: val, valImages: 10, seconds: 1 });
  train(key(1), 'train@seed=1', 'baseline', 1, 0.01, '2026-01-01T00:00:00Z', `${JSON.stringify({ phase: 'main', epoch: 1, step: 10, total: 1 })}\n${epoch(1, 40)}\n${epoch(2, 45)}\n`);
  train(key(2), 'train-au@seed=1', 'ldl-alsg', 1, 0.01, '2026-01-01T00:10:00Z', `${epoch(1, 41)}\n${epoch(2, 47)}\n`);
  // An older result of train@seed=1 (another lr): kept in the store, no longer what its address points to.
  train(key(3), 'train@seed=1', 'baseline', 1, 0.03, '2025-12-01T00:00:00Z', '');
  const evaluate = (k: string, instance: string, model: string, all: number): void =>
    put('evaluate', k, {
      'stage.json': { key: k, stage: 'evaluate', pipeline: 't1', profile: 'default', instance, seed: 1, params: { batchSize: 128 }, writtenParams: {}, inputKeys: { model: [model] }, timings: { finishedAt: '2026-01-02T00:00:00Z', seconds: 3 } },
      'metrics.json': {
        run: { noise: { mode: 'symmetric', rate: 0.1 }, backend: 'wasm' },
        sets: [{ dataset: 'raf-syn', accuracy: all + 1 }, { dataset: 'ckplus-syn', accuracy: all - 1 }],
        averages: { wild: all + 1, lab: all - 1, all },
        pooled: { ece: 0.1, ldl: { n: 10, kl: 0.5, cosine: 0.8 } },
      },
    });
  evaluate(key(11), 'evaluate@seed=1', key(1), 56.5);
  evaluate(key(12), 'evaluate-au@seed=1', key(2), 57.25);
  for (const [instance, stage, k] of [['train@seed=1', 'train', key(1)], ['train-au@seed=1', 'train', key(2)], ['evaluate@seed=1', 'evaluate', key(11)], ['evaluate-au@seed=1', 'evaluate', key(12)]]) {
    writeAddressRecord(store, 't1', instance, { stage, key: k, profile: 'default' });
  }
  // Another pipeline reuses the ldl-alsg model's evaluation under its own address: one more row, same key.
  writeAddressRecord(store, 't7', 'evaluate-au', { stage: 'evaluate', key: key(12), profile: 'smoke' });
  return store;
}

describe('readExperiments (the store as rows)', () => {
  const store = fakeStore();
  const rows = readExperiments(store);

  it('lists every address, older results as old, and evaluations with the params and seed of the model they scored', async () => {
    expect(rows.map((r) => `${r.pipeline}/${r.instance} ${r.stage} ${r.status}`)).toEqual([
      't1/train-au@seed=1 train current',
      't1/train@seed=1 train old',
      't1/train@seed=1 train current',
      't1/evaluate-au@seed=1 evaluate current',
      't1/evaluate@seed=1 evaluate current',
      't7/evaluate-au evaluate current',
    ]);
    const evalAu = rows.find((r) => r.instance === 'evaluate-au@seed=1')!;
    expect(evalAu.params).toMatchObject({ method: 'ldl-alsg', lr: 0.01, 'lambda.au': 0.001, 'eval.batchSize': 128 });
    expect(evalAu.written).toEqual(['method', 'lr']);
    expect(evalAu.seed).toBe(1);
    expect(evalAu.info).toMatchObject({ variant: 'LDL-ALSG(AU)', noise: 'symmetric 0.1' });
    expect(evalAu.metrics).toEqual({ all: 57.25, wild: 58.25, lab: 56.25, 'acc.raf-syn': 58.25, 'acc.ckplus-syn': 56.25, ece: 0.1, kl: 0.5, cosine: 0.8 });
    const train = rows.find((r) => r.instance === 'train@seed=1' && r.status === 'current')!;
    // The last epoch record of train-log.jsonl (docs/training.md) gives the validation columns.
    expect(train.metrics).toMatchObject({ 'train.loss': 0.5, 'train.acc': 50, 'val.acc': 45, 'val.loss': 1.2, 'images/s': 20 });
    expect(rows.find((r) => r.status === 'old')!.metrics['val.acc']).toBeUndefined();
  });

  it('filters rows, picks and drops columns, sorts, and renders text and CSV', async () => {
    const table = experimentTable(rows);
    expect(table.columns).toEqual(expect.arrayContaining(['params.method', 'params.lr', 'metrics.all', 'metrics.acc.raf-syn', 'metrics.val.acc']));
    expect(table.columns).not.toContain('params.lambda.au');
    expect(experimentTable(rows, { allParams: true }).columns).toContain('params.lambda.au');
    const trains = filterRows(table, [parseFilter('stage=train'), parseFilter('status=current')]);
    expect(trains.rows.map((r) => r.instance)).toEqual(['train-au@seed=1', 'train@seed=1']);
    expect(filterRows(table, [parseFilter('method=ldl-*'), parseFilter('all>57')]).rows.map((r) => `${r.pipeline}/${r.instance}`)).toEqual(['t1/evaluate-au@seed=1', 't7/evaluate-au']);
    expect(filterRows(table, [parseFilter('instance~au')]).rows).toHaveLength(3);
    expect(() => filterRows(table, [parseFilter('nosuch=1')])).toThrow(/no column 'nosuch'/);
    expect(() => parseFilter('stage')).toThrow(/--filter must read/);
    const evals = filterRows(table, [parseFilter('stage=evaluate'), parseFilter('pipeline=t1')]);
    const changed = onlyChanged(evals);
    expect(changed.columns).toContain('metrics.all');
    expect(changed.columns).not.toContain('metrics.ece');
    const picked = selectColumns(sortRows(evals, '-all'), ['instance', 'method', 'metrics.acc.*', 'metrics.val.acc']);
    expect(picked.columns).toEqual(['instance', 'params.method', 'metrics.acc.ckplus-syn', 'metrics.acc.raf-syn', 'metrics.val.acc']);
    expect(renderText(picked)).toBe(
      [
        'instance            method    acc.ckplus-syn  acc.raf-syn  val.acc',
        'evaluate-au@seed=1  ldl-alsg           56.25        58.25  -',
        'evaluate@seed=1     baseline           55.50        57.50  -',
        '',
      ].join('\n'),
    );
    expect(renderCsv(picked).split('\n')[1]).toBe('evaluate-au@seed=1,ldl-alsg,56.25,58.25,');
  });

  it('diffs two rows: changed params, every metric with its change', async () => {
    const a = rows.find((r) => r.instance === 'evaluate@seed=1')!;
    const b = rows.find((r) => r.instance === 'evaluate-au@seed=1')!;
    const entries = compareRows(a, b);
    expect(entries.filter((e) => !e.same).map((e) => `${e.kind} ${e.name}`)).toEqual([
      'param method', 'metric all', 'metric wild', 'metric lab', 'metric acc.ckplus-syn', 'metric acc.raf-syn',
    ]);
    expect(entries.find((e) => e.name === 'all')!.change).toBeCloseTo(0.75);
    const text = renderDiff('A', 'B', entries.filter((e) => !e.same), []);
    expect(text).toContain('param   method          baseline  ldl-alsg');
    expect(text).toMatch(/metric  all\s+56\.50\s+57\.25\s+\+0\.75/);
  });
});

describe('alsg exp show / diff / run (CLI)', () => {
  it('shows the store, diffs addresses, keys, profiles and git revisions, and run says where the report is even when cached', async () => {
    const store = fakeStore();
    const show = await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'exp', 'show', 't1', '--filter', 'stage=evaluate', '--columns', 'instance,method,all', '--json');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual([
      { instance: 'evaluate-au@seed=1', 'params.method': 'ldl-alsg', 'metrics.all': 57.25 },
      { instance: 'evaluate@seed=1', 'params.method': 'baseline', 'metrics.all': 56.5 },
    ]);
    expect((await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'exp', 'show', '--profile', 'smoke')).stdout).toMatch(/^pipeline.*\nt7 +smoke +evaluate-au/);
    expect(await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'exp', 'list')).toMatchObject({ code: 1, stderr: expect.stringContaining("exp needs a subcommand: show, but got 'list'") });

    expect((await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'diff', 't1/evaluate@seed=1', 'abcdef12')).stderr).toContain('no result with key abcdef12');
    expect((await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'diff', 't1/evaluate@seed=1', '000000')).stderr).toContain('key 000000 is ambiguous');
    const byKey = await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'diff', 't1/evaluate@seed=1', `evaluate/${key(12)}`);
    expect(byKey.code).toBe(0);
    expect(byKey.stdout).toMatch(/^A: t1\/evaluate@seed=1 \(default, evaluate\/0+b\)\nB: t1\/evaluate-au@seed=1/);
    expect(byKey.stdout).toMatch(/metric\s+all\s+56\.50\s+57\.25\s+\+0\.75/);
    const missing = await alsg(CHECKOUT_ROOT, { ALSG_STORE: store }, 'diff', 't1/evaluate@seed=9', 't1/evaluate@seed=1');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no stored result for t1/evaluate@seed=9 (profile default); results of t1 under profile default: evaluate@seed=1, evaluate-au@seed=1, train@seed=1, train-au@seed=1\n');
    expect(missing.stderr).not.toContain('Usage:');

    // A real pipeline of fixture stages: profiles, git revisions, and the report location after each run.
    const ws = createFixtureWorkspace();
    const file = ws.writePipeline(
      'p',
      'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, params: { factor: 2 }, inputs: { data: data } }\n' +
        '  report: { stage: report, inputs: { results: [twice] } }\nprofiles:\n  smoke:\n    twice: { params: { factor: 3 } }\n',
    );
    const first = await alsg(ws.root, {}, 'run', file);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^p\/report: (\S+\/)?report\/[0-9a-f]{20}\n$/);
    const again = await alsg(ws.root, {}, 'run', file);
    expect(again.stderr).toContain('3 cached');
    expect(again.stdout).toBe(first.stdout);
    const profiles = await alsg(ws.root, {}, 'diff', 'pipelines/p.yaml', '--profile', 'default', '--profile', 'smoke');
    expect(profiles.code).toBe(0);
    expect(profiles.stdout).toMatch(/twice\s+param\s+factor\s+2\s+3/);
    expect(profiles.stdout).toMatch(/report\s+param\s+\(inputs\)/);
    execFileSync('git', ['init', '-q'], { cwd: ws.root });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'empty'], { cwd: ws.root });
    execFileSync('git', ['add', 'pipelines/p.yaml'], { cwd: ws.root });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'p'], { cwd: ws.root });
    ws.writePipeline('p', 'stages:\n  data: { stage: source, params: { label: b } }\n  twice: { stage: double, params: { factor: 2 }, inputs: { data: data } }\n  report: { stage: report, inputs: { results: [twice] } }\n');
    const revs = await alsg(ws.root, {}, 'diff', 'pipelines/p.yaml', 'HEAD');
    expect(revs.code).toBe(0);
    expect(revs.stdout).toMatch(/^A: pipelines\/p\.yaml at HEAD \(profile default\)\nB: pipelines\/p\.yaml \(working tree\) \(profile default\)/);
    expect(revs.stdout).toMatch(/data\s+param\s+label\s+a\s+b/);
    expect(await alsg(ws.root, {}, 'diff', 'pipelines/p.yaml', 'nosuch')).toMatchObject({ code: 1, stderr: expect.stringContaining("cannot read pipelines/p.yaml at git revision 'nosuch'") });
  }, 120_000);
});
