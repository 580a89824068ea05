import { describe, expect, it } from 'vitest';
import { expandPipeline } from './expand-pipeline';
import type { PipelineSpec } from './pipeline-spec';

const spec: PipelineSpec = {
  seed: 5,
  stages: {
    data: { stage: 'ingest', params: { n: 10 } },
    noise: { stage: 'noise', inputs: { dataset: ['data'] }, matrix: { rate: [0.1, 0.2] } },
    train: { stage: 'train', inputs: { dataset: ['data'], labels: 'noise' }, matrix: { method: ['a', 'b'], seed: [1, 2] } },
    evaluate: { stage: 'evaluate', inputs: { model: 'train' } },
    report: { stage: 'report', inputs: { results: ['evaluate'] }, params: { title: 'T' } },
  },
  profiles: { smoke: { train: { matrix: { seed: [1] }, params: { epochs: 1 } } } },
  expect: [{ claim: 'x' }],
};

describe('expandPipeline', () => {
  it('expands matrices, inherits axes through single inputs and gathers through lists', () => {
    const { instances, issues } = expandPipeline(spec);
    expect(issues).toEqual([]);
    const names = instances.map((i) => i.name);
    expect(names).toContain('noise@rate=0.1');
    expect(names.filter((n) => n.startsWith('train@'))).toEqual([
      'train@method=a,seed=1,rate=0.1',
      'train@method=a,seed=1,rate=0.2',
      'train@method=a,seed=2,rate=0.1',
      'train@method=a,seed=2,rate=0.2',
      'train@method=b,seed=1,rate=0.1',
      'train@method=b,seed=1,rate=0.2',
      'train@method=b,seed=2,rate=0.1',
      'train@method=b,seed=2,rate=0.2',
    ]);
    const t = instances.find((i) => i.name === 'train@method=b,seed=2,rate=0.2');
    expect(t?.params).toEqual({ method: 'b', seed: 2 });
    expect(t?.inputs).toEqual({ dataset: ['data'], labels: ['noise@rate=0.2'] });
    expect(t?.seed).toBe(2);
    const ev = instances.find((i) => i.name === 'evaluate@method=b,seed=2,rate=0.2');
    expect(ev?.inputs.model).toEqual(['train@method=b,seed=2,rate=0.2']);
    expect(ev?.seed).toBe(5);
    const report = instances.find((i) => i.base === 'report');
    expect(report?.inputs.results).toHaveLength(8);
    expect(report?.params).toEqual({ title: 'T', expect: [{ claim: 'x' }] });
    // upstream always before downstream
    const pos = new Map(names.map((n, i) => [n, i]));
    for (const inst of instances) for (const ups of Object.values(inst.inputs)) for (const u of ups) expect(pos.get(u)).toBeLessThan(pos.get(inst.name) as number);
  });

  it('applies profile overrides of params and matrix axes', () => {
    const { instances } = expandPipeline(spec, 'smoke');
    const trains = instances.filter((i) => i.base === 'train');
    expect(trains).toHaveLength(4);
    expect(trains.every((t) => t.params.epochs === 1 && t.params.seed === 1)).toBe(true);
    expect(trains[0].paramOrigins.epochs).toBe('profiles.smoke.train.params.epochs');
    expect(trains[0].paramOrigins.seed).toBe('profiles.smoke.train.matrix.seed[0]');
  });

  it('pairs by shared axis values', () => {
    const { instances } = expandPipeline({
      stages: {
        a: { stage: 's', matrix: { seed: [1, 2] } },
        b: { stage: 's', matrix: { seed: [1, 2] }, inputs: { x: 'a' } },
      },
    });
    expect(instances.filter((i) => i.base === 'b').map((i) => [i.name, i.inputs.x])).toEqual([
      ['b@seed=1', ['a@seed=1']],
      ['b@seed=2', ['a@seed=2']],
    ]);
  });

  it('reports a consumer axis value no upstream expansion has', () => {
    const { issues } = expandPipeline(
      { stages: { a: { stage: 's', matrix: { seed: [1] } }, b: { stage: 's', matrix: { seed: [1, 3] }, inputs: { x: 'a' } } } },
      'default',
      'p.yaml',
    );
    expect(issues.map((i) => i.message)).toEqual([
      "p.yaml stages.b.inputs.x: x must have an expansion of 'a' that agrees on the shared axes, but got none for b@seed=3",
    ]);
  });
});
