import { describe, expect, it } from 'vitest';
import { expandEnvVars } from './env-vars';
import { readYamlSource } from './yaml-source';

const TEXT = `stages:
  raf:
    stage: ingest
    params: { format: raf-db, root: "\${RAF_ROOT}" }
  sfew:
    stage: ingest
    params: { format: sfew, root: "\${DATA:-/data}/SFEW_2.0", note: "costs $\${5}" }
`;

describe('expandEnvVars', () => {
  it('replaces ${NAME} and ${NAME:-fallback} in values, keeps $${ literal, and lists the variables read', () => {
    const source = readYamlSource('p.yaml', TEXT);
    const { data, issues, variables } = expandEnvVars(source, { RAF_ROOT: '/mnt/raf' });
    expect(issues).toEqual([]);
    const stages = (data as { stages: Record<string, { params: Record<string, string> }> }).stages;
    expect(stages.raf.params.root).toBe('/mnt/raf');
    expect(stages.sfew.params.root).toBe('/data/SFEW_2.0');
    expect(stages.sfew.params.note).toBe('costs ${5}');
    expect(variables).toEqual(['RAF_ROOT', 'DATA']);
    expect((source.data as typeof data) === data).toBe(false); // the parsed document is not modified
  });

  it('names the file, path, line and how to set an unset or empty variable', () => {
    const source = readYamlSource('p.yaml', TEXT);
    expect(expandEnvVars(source, {}).issues.map((i) => i.message)).toEqual([
      'p.yaml stages.raf.params.root: environment variable RAF_ROOT must be set (export RAF_ROOT=/path/to/your/copy, or write ${RAF_ROOT:-fallback}), but got nothing (line 4)',
    ]);
    expect(expandEnvVars(source, { RAF_ROOT: '' }).issues[0].message).toContain('but got an empty value (line 4)');
  });

  it('reports a reference that is not a variable name', () => {
    const source = readYamlSource('p.yaml', 'stages:\n  a: { stage: ingest, params: { root: "${1x}/y" } }\n');
    expect(expandEnvVars(source, {}).issues[0].message).toBe(
      'p.yaml stages.a.params.root: ${...} must hold a variable name (letters, digits, _), optionally with :-fallback, but got "${1x}" (line 2)',
    );
  });

  it('leaves a document without references as the same object', () => {
    const source = readYamlSource('p.yaml', 'stages:\n  a: { stage: ingest }\n');
    expect(expandEnvVars(source, {}).data).toBe(source.data);
  });
});

describe('readYamlSource merge keys', () => {
  it('merges `<<: *anchor` so shared overrides are written once', () => {
    const source = readYamlSource('p.yaml', 'x: &base { a: 1, b: 2 }\ny: { <<: *base, b: 3 }\n');
    expect(source.issues).toEqual([]);
    expect(source.data).toEqual({ x: { a: 1, b: 2 }, y: { a: 1, b: 3 } });
  });
});
