import { describe, expect, it } from 'vitest';
import type { ExpandedInstance } from '../definition/expand-pipeline';
import { expandPipeline } from '../definition/expand-pipeline';
import type { PipelineSpec } from '../definition/pipeline-spec';
import { canonicalJson, explainChange, keyInstances, paramsForKey, schemaDefaults, type PlannedInstance } from './plan';

const base: PipelineSpec = {
  seed: 1,
  stages: {
    data: { stage: 'source', params: { label: 'a', size: 3 } },
    other: { stage: 'source', params: { label: 'b' } },
    twice: { stage: 'double', params: { factor: 2 }, inputs: { data: 'data' } },
    total: { stage: 'sum', inputs: { parts: ['twice'] } },
  },
};

// The fixture stages' defaults (src/fixtures/stages/*/src/stage.ts): source size 3, double factor 2 and method plain.
const fixtureDefaults: Record<string, Record<string, unknown>> = { source: { size: 3, dir: '' }, double: { factor: 2, method: 'plain' } };

function keys(spec: PipelineSpec, code: Record<string, string> = {}, defaults?: Record<string, Record<string, unknown>>): Record<string, string> {
  const { instances } = expandPipeline(spec);
  const planned = keyInstances('p', instances as ExpandedInstance[], {
    storeDir: '/store',
    codeVersionOf: (s) => code[s] ?? `code-${s}`,
    paramDefaultsOf: defaults ? (s) => defaults[s] : undefined,
  });
  return Object.fromEntries(planned.map((p) => [p.name, p.key]));
}

const clone = (s: PipelineSpec): PipelineSpec => structuredClone(s);

describe('content keys', () => {
  it('are stable: same definition, same keys; key order in the file does not matter', () => {
    const k = keys(base);
    expect(keys(clone(base))).toEqual(k);
    const reordered = clone(base);
    reordered.stages.data.params = { size: 3, label: 'a' };
    expect(keys(reordered)).toEqual(k);
    expect(k.data).toMatch(/^[0-9a-f]{20}$/);
  });

  it('change with params, and downstream with them, and nowhere else', () => {
    const k = keys(base);
    const s = clone(base);
    (s.stages.data.params as Record<string, unknown>).size = 4;
    const k2 = keys(s);
    expect(k2.data).not.toBe(k.data);
    expect(k2.twice).not.toBe(k.twice);
    expect(k2.total).not.toBe(k.total);
    expect(k2.other).toBe(k.other);
  });

  it('change with inputs', () => {
    const k = keys(base);
    const s = clone(base);
    s.stages.twice.inputs = { data: 'other' };
    const k2 = keys(s);
    expect(k2.twice).not.toBe(k.twice);
    expect(k2.total).not.toBe(k.total);
    expect(k2.data).toBe(k.data);
  });

  it('change with the stage code version, for that stage and downstream only', () => {
    const k = keys(base);
    const k2 = keys(base, { double: 'new-code' });
    expect(k2.twice).not.toBe(k.twice);
    expect(k2.total).not.toBe(k.total);
    expect(k2.data).toBe(k.data);
    expect(k2.other).toBe(k.other);
  });

  it('do not change with descriptions, instance names or the pipeline name (instances are shared)', () => {
    const k = keys(base);
    const s = clone(base);
    s.stages.data.description = 'hello';
    s.name = 'another';
    expect(keys(s).data).toBe(k.data);
    const renamed: PipelineSpec = { seed: 1, stages: { d: base.stages.data } };
    expect(keys(renamed).d).toBe(k.data);
  });

  it('do not change when a param is written with its default value (given the defaults), and do otherwise', () => {
    const omitted = clone(base);
    delete (omitted.stages.data.params as Record<string, unknown>).size; // base writes size: 3, the default
    delete (omitted.stages.twice.params as Record<string, unknown>).factor; // and factor: 2, the default
    const k = keys(base, {}, fixtureDefaults);
    expect(keys(omitted, {}, fixtureDefaults)).toEqual(k);
    // the same through a matrix axis and a profile that spell the default out (table4.yaml's `backbone: small-cnn`)
    const viaMatrix = clone(omitted);
    viaMatrix.stages.twice.matrix = { method: ['plain', 'fancy'] };
    const km = keys(viaMatrix, {}, fixtureDefaults);
    expect(km['twice@method=plain']).toBe(k.twice);
    expect(km['twice@method=fancy']).not.toBe(k.twice);
    const viaProfile = clone(omitted);
    viaProfile.stages.data.params = { label: 'a', size: 7 };
    viaProfile.profiles = { back: { data: { params: { size: 3 } } } };
    expect(keys(viaProfile, {}, fixtureDefaults).data).not.toBe(k.data);
    const { instances } = expandPipeline(viaProfile, 'back');
    const planned = keyInstances('p', instances, { storeDir: '/store', codeVersionOf: (s) => `code-${s}`, paramDefaultsOf: (s) => fixtureDefaults[s] });
    expect(planned.find((i) => i.name === 'data')?.key).toBe(k.data);
    // a value other than the default still counts, and without defaults params count exactly as written
    const other = clone(base);
    (other.stages.data.params as Record<string, unknown>).size = 4;
    expect(keys(other, {}, fixtureDefaults).data).not.toBe(k.data);
    expect(keys(omitted).data).not.toBe(keys(base).data);
  });

  it('schemaDefaults reads top-level defaults only; paramsForKey compares values as canonical JSON', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'number', default: 1 }, b: { type: 'string' }, o: { type: 'object', default: {}, properties: { x: { default: 5 } } } },
    };
    expect(schemaDefaults(schema)).toEqual({ a: 1, o: {} });
    expect(schemaDefaults(undefined)).toEqual({});
    const defaults = { a: 1, o: { p: 1, q: [1, 2] } };
    expect(paramsForKey({ a: 1, b: 'x', o: { q: [1, 2], p: 1 } }, defaults)).toEqual({ b: 'x' });
    expect(paramsForKey({ a: 2, o: { p: 1, q: [2, 1] } }, defaults)).toEqual({ a: 2, o: { p: 1, q: [2, 1] } });
    expect(paramsForKey({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('explainChange treats a param left out as its default, and names real changes', () => {
    const now = {
      stage: 'train', params: { lr: 0.01 }, codeVersion: 'c', inputKeys: {}, seed: 1, paramDefaults: { epochs: 10, lr: 0.001 },
    } as unknown as PlannedInstance;
    const record = (writtenParams: Record<string, unknown>) => ({ codeVersion: 'c', writtenParams, inputKeys: {}, seed: 1 });
    // written with its default before, left out now: not a change (only lr is)
    expect(explainChange(record({ epochs: 10, lr: 0.001 }), now)).toBe('param lr: 0.001 -> 0.01');
    // a written non-default value that is now left out is a change back to the default
    expect(explainChange(record({ epochs: 20, lr: 0.01 }), now)).toBe('param epochs: 20 -> 10');
    // without defaults, params compare exactly as written
    const bare = { ...now, paramDefaults: undefined } as unknown as PlannedInstance;
    expect(explainChange(record({ epochs: 10, lr: 0.01 }), bare)).toBe('param epochs: 10 -> (not written)');
  });

  it('canonicalJson sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"x":2,"y":1}]},"b":1}');
  });
});

describe('content keys from real stage files', () => {
  it('change for the edited stage and its dependents only', async () => {
    const { appendFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { createFixtureWorkspace } = await import('../fixtures/fixture-workspace');
    const { createStageRegistry } = await import('../definition/stage-registry');
    const { resolveWorkspaceLayout } = await import('../definition/workspace');
    const { planPipeline } = await import('./plan');
    const ws = createFixtureWorkspace();
    const plan = () => {
      const registry = createStageRegistry(resolveWorkspaceLayout({ root: ws.root, env: {} }));
      return Object.fromEntries(planPipeline({ name: 'p', file: 'p.yaml', spec: base }, { storeDir: registry.layout.storeDir, codeVersionOf: (s) => registry.codeVersion(s).version }).instances.map((i) => [i.name, i.key]));
    };
    const before = plan();
    expect(plan()).toEqual(before);
    appendFileSync(join(ws.root, 'stages/double/src/stage.ts'), '// edited\n');
    const after = plan();
    expect(after.data).toBe(before.data);
    expect(after.other).toBe(before.other);
    expect(after.twice).not.toBe(before.twice);
    expect(after.total).not.toBe(before.total);
  });
});
