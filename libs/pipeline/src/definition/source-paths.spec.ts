import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expandPipeline } from './expand-pipeline';
import type { PipelineSpec } from './pipeline-spec';
import { checkSourcePaths } from './source-paths';
import { readYamlSource } from './yaml-source';

const TEXT = `stages:
  here: { stage: source, params: { dir: data } }
  gone: { stage: source, params: { dir: /no/such/folder } }
  none: { stage: source }
profiles:
  other:
    here: { params: { dir: elsewhere } }
`;

describe('checkSourcePaths', () => {
  it('reports every source path that does not exist, with the line that sets it (profile overrides included)', () => {
    const root = mkdtempSync(join(tmpdir(), 'alsg-sources-'));
    mkdirSync(join(root, 'data'));
    const source = readYamlSource('p.yaml', TEXT);
    const spec = parse(TEXT) as PipelineSpec;
    const check = (profile: string) =>
      checkSourcePaths({ file: 'p.yaml', instances: expandPipeline(spec, profile).instances, sourceParamsOf: (s) => (s === 'source' ? ['dir'] : undefined), root, profile, lineOf: source.lineOf.bind(source) }).map((i) => i.message);
    expect(check('default')).toEqual([
      "p.yaml stages.gone.params.dir: dir must name an existing file or folder (stage source reads its data there), but got '/no/such/folder', which does not exist (line 3)",
    ]);
    expect(check('other')[0]).toBe(
      `p.yaml profiles.other.here.params.dir: dir must name an existing file or folder in profile other (stage source reads its data there), but got 'elsewhere' (${join(root, 'elsewhere')}), which does not exist (line 7)`,
    );
  });
});

describe('keys of instances that read a dataset folder', () => {
  it('change with the folder\'s content and with its path (manifests record absolute image paths), not otherwise', async () => {
    const { writeFileSync, utimesSync } = await import('node:fs');
    const { keyInstances } = await import('../planning/plan');
    const { sourceFingerprinter } = await import('../planning/source-fingerprint');
    const base = mkdtempSync(join(tmpdir(), 'alsg-mounts-'));
    for (const copy of ['a', 'b']) {
      mkdirSync(join(base, copy));
      writeFileSync(join(base, copy, 'x.png'), 'x');
      utimesSync(join(base, copy, 'x.png'), 1_700_000_000, 1_700_000_000); // a copy that keeps modification times (cp -p, rsync -a)
    }
    const keyAt = (dir: string): string => {
      const spec = parse(`stages:\n  data: { stage: source, params: { dir: ${dir} } }\n`) as PipelineSpec;
      const fp = sourceFingerprinter((s) => (s === 'source' ? ['dir'] : undefined), base);
      return keyInstances('p', expandPipeline(spec).instances, { storeDir: '/store', codeVersionOf: () => 'code', sourcesOf: fp })[0].key;
    };
    const before = keyAt(join(base, 'a'));
    expect(keyAt(join(base, 'a'))).toBe(before);
    // the same files elsewhere: another key, since ingest's manifest would point into the first folder
    expect(keyAt(join(base, 'b'))).not.toBe(before);
    writeFileSync(join(base, 'a', 'y.png'), 'y');
    expect(keyAt(join(base, 'a'))).not.toBe(before);
  });
});
