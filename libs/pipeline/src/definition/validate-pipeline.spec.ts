import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_STAGES } from '../fixtures/fixture-workspace';
import { createStageRegistry } from './stage-registry';
import { validatePipelineText } from './validate-pipeline';
import { resolveWorkspaceLayout } from './workspace';

const registry = createStageRegistry(
  resolveWorkspaceLayout({ root: mkdtempSync(join(tmpdir(), 'alsg-validate-')), stagesDir: FIXTURE_STAGES, env: {} }),
);

async function messages(yaml: string): Promise<string[]> {
  const result = await validatePipelineText('p.yaml', yaml, registry);
  return result.issues.map((i) => i.message);
}

const GOOD = `
seed: 7
stages:
  data:
    stage: source
    params: { label: a }
  twice:
    stage: double
    params: { factor: 2 }
    inputs: { data: data }
  total:
    stage: sum
    inputs: { parts: [data, twice] }
`;

describe('validatePipelineText', () => {
  it('accepts a valid pipeline', async () => {
    const result = await validatePipelineText('p.yaml', GOOD, registry);
    expect(result.issues).toEqual([]);
    expect(result.pipeline?.name).toBe('p');
    expect(result.pipeline?.profiles).toEqual(['default']);
  });

  it('reports a YAML syntax error with its line', async () => {
    const msgs = await messages('stages:\n  data:\n    stage: source\n   params: [\n');
    expect(msgs[0]).toBe('p.yaml: YAML must be well-formed, but got "All mapping items must start at the same column" (line 4, column 1)');
  });

  it('reports an unknown stage with a suggestion', async () => {
    expect(await messages('stages:\n  x:\n    stage: dubble\n')).toEqual([
      'p.yaml stages.x.stage: stage must be one of double, fail, report, slow, source, sum (did you mean \'double\'?), but got "dubble" (line 3)',
    ]);
  });

  it('reports a wrong type, an out-of-range number and an unknown parameter in one pass', async () => {
    const msgs = await messages(`
stages:
  data:
    stage: source
    params: { label: a, size: "ten" }
  twice:
    stage: double
    params: { factor: 300, fator: 2 }
    inputs: { data: data }
`);
    expect(msgs).toEqual([
      'p.yaml stages.data.params.size: size must be an integer, but got "ten" (line 5)',
      "p.yaml stages.twice.params.fator: fator must be a parameter of stage 'double' (did you mean 'factor'?), but got 'fator' (line 8)",
      'p.yaml stages.twice.params.factor: factor must be <= 100, but got 300 (line 8)',
    ]);
  });

  it('reports a missing required field: instance stage and stage parameter', async () => {
    expect(await messages('stages:\n  data:\n    params: { label: a }\n')).toEqual([
      'p.yaml stages.data.stage: stage must be present, but got nothing (line 2)',
    ]);
    expect(await messages('stages:\n  data:\n    stage: source\n    params: { size: 2 }\n')).toEqual([
      "p.yaml stages.data.params.label: label must be present (a required parameter of stage 'source'), but got nothing (line 4)",
    ]);
  });

  it('reports a dangling input reference', async () => {
    expect(await messages('stages:\n  twice:\n    stage: double\n    inputs: { data: dta }\n  dat:\n    stage: source\n    params: { label: a }\n')).toEqual([
      "p.yaml stages.twice.inputs.data: data must name an instance of this pipeline (did you mean 'dat'?), but got 'dta' (line 4)",
    ]);
  });

  it('reports an input from the wrong stage and an unknown input slot', async () => {
    const msgs = await messages(`
stages:
  data: { stage: source, params: { label: a } }
  total: { stage: sum, inputs: { parts: [data] } }
  twice: { stage: double, inputs: { data: total, extra: data } }
`);
    expect(msgs).toEqual([
      "p.yaml stages.twice.inputs.extra: extra must be an input slot of stage 'double' (known: data), but got 'extra' (line 5)",
      "p.yaml stages.twice.inputs.data: data must name an instance of stage source or double, but got 'total' (stage sum) (line 5)",
    ]);
  });

  it('reports a cycle', async () => {
    expect(await messages('stages:\n  a: { stage: double, inputs: { data: b } }\n  b: { stage: double, inputs: { data: a } }\n')).toEqual([
      'p.yaml stages.b.inputs.data: inputs must not form a cycle, but got a -> b -> a (line 3)',
    ]);
  });

  it('reports a duplicate instance name', async () => {
    expect(await messages('stages:\n  data: { stage: source, params: { label: a } }\n  data: { stage: source, params: { label: b } }\n')).toEqual([
      "p.yaml stages.data: instance name must be unique, but got 'data' again (first at line 2) (line 3)",
    ]);
  });

  it('checks profiles: unknown instance, wrong parameter value, unknown matrix axis', async () => {
    const msgs = await messages(`${GOOD}
profiles:
  smoke:
    dta: { params: { size: 1 } }
    data: { params: { size: 0 }, matrix: { sise: [1] } }
`);
    expect(msgs).toEqual([
      "p.yaml profiles.smoke.dta: dta must name an instance of this pipeline (did you mean 'data'?), but got 'dta' (line 17)",
      'p.yaml profiles.smoke.data.params.size: size must be >= 1, but got 0 (line 18)',
      "p.yaml profiles.smoke.data.matrix.sise: sise must be a parameter of stage 'source' (did you mean 'size'?), but got 'sise' (line 18)",
    ]);
  });

  it('checks matrix values against the parameter schema and top-level keys', async () => {
    const msgs = await messages(`
seeds: 3
stages:
  data: { stage: source, params: { label: a }, matrix: { size: [1, -2] } }
`);
    expect(msgs).toEqual([
      "p.yaml seeds: seeds must be one of the known keys ($schema, name, description, seed, stages, profiles, expect); did you mean 'seed'?, but got 'seeds' (line 2)",
      'p.yaml stages.data.matrix.size[1]: size[1] must be >= 1, but got -2 (line 4)',
    ]);
  });

  it('validates the expect block against the report stage', async () => {
    const msgs = await messages(`
stages:
  data: { stage: source, params: { label: a } }
  rep: { stage: report, inputs: { results: [data] } }
expect:
  - { claim: ok }
  - { clam: typo }
`);
    expect(msgs).toEqual(['p.yaml expect[1].claim: claim must be present, but got nothing (line 7)', "p.yaml expect[1].clam: clam must be one of the known keys (claim, min); did you mean 'claim'?, but got 'clam' (line 7)"]);
  });

  it('rejects a single-input slot fed by several matrix expansions', async () => {
    const msgs = await messages(`
stages:
  data: { stage: source, params: { label: a }, matrix: { size: [1, 2] } }
  twice: { stage: double, inputs: { data: [data] } }
`);
    expect(msgs).toEqual([
      "p.yaml stages.twice.inputs.data: data must resolve to exactly one instance (stage 'double' takes one; pair them with a shared matrix axis), but got [\"data@size=1\",\"data@size=2\"] (line 4)",
    ]);
  });

  it('reports everything at once across layers', async () => {
    const msgs = await messages(`
stages:
  a: { stage: nope }
  b: { stage: double, params: { factor: -1 }, inputs: { data: zzz } }
`);
    expect(msgs.length).toBe(3);
  });
});
