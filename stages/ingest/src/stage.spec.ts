import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { readManifest } from '@ldl-alsg/datasets';
import type { StageContext } from '@ldl-alsg/pipeline';
import { applyParamsSchema } from '@ldl-alsg/pipeline';
import { PARAMS_SCHEMA, type IngestParams } from './params-schema';
import { stage } from './stage';

/** The schema's defaults filled in as the executor does; rule violations are left to runIngest's own checks. */
const withDefaults = (params: Partial<IngestParams>): IngestParams => applyParamsSchema<IngestParams>(PARAMS_SCHEMA, params as Record<string, unknown>, { file: 'ingest params' }).params;

const temp = (p: string): string => mkdtempSync(join(tmpdir(), `alsg-ingest-${p}-`));

async function folderDataset(): Promise<string> {
  const root = temp('folder');
  for (const [cls, n] of [['happy', 2], ['Angry', 1], ['contempt', 1]] as const) {
    for (let k = 0; k < n; k++) {
      mkdirSync(join(root, cls), { recursive: true });
      await sharp({ create: { width: 12, height: 12, channels: 3, background: { r: 10 * k, g: 100, b: 50 } } }).png().toFile(join(root, cls, `${k}.png`));
    }
  }
  return root;
}

function fakeContext(params: IngestParams, outDir: string): StageContext<IngestParams> & { recorded: Record<string, unknown>; logs: string[] } {
  const recorded: Record<string, unknown> = {};
  const logs: string[] = [];
  return {
    address: 'test/ingest',
    params,
    inputs: {},
    outDir,
    scratchDir: temp('scratch'),
    seed: 7,
    log: (m) => logs.push(m),
    progress: () => ({ tick() {}, update() {}, done() {} }),
    record: (info) => Object.assign(recorded, info),
    recorded,
    logs,
  };
}

describe('ingest stage', () => {
  it('documents every parameter with a description and a default', () => {
    for (const [name, prop] of Object.entries(PARAMS_SCHEMA.properties as Record<string, Record<string, unknown>>)) {
      expect(typeof prop.description, name).toBe('string');
      expect('default' in prop, name).toBe(true);
    }
    expect(PARAMS_SCHEMA.additionalProperties).toBe(false);
  });

  it('compiles under ajv strict mode and fills the same defaults as withDefaults', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, useDefaults: true });
    const validate = ajv.compile(PARAMS_SCHEMA);
    const params: Record<string, unknown> = { format: 'sfew', root: '/data/sfew' };
    expect(validate(params)).toBe(true);
    expect(params).toEqual(JSON.parse(JSON.stringify(withDefaults({ format: 'sfew', root: '/data/sfew' }))));
    expect(validate({ format: 'sfew', splitMap: { Val: 'validation' }, bogus: 1 })).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.message}`)).toEqual([' must NOT have additional properties', '/splitMap/Val must be equal to one of the allowed values']);
  });

  it('runs a folder dataset into a manifest readable by readManifest, recording counts', async () => {
    const root = await folderDataset();
    const out = temp('out');
    const ctx = fakeContext(withDefaults({ format: 'folder', root, dataset: 'tiny' }), out);
    await stage.run(ctx);
    const manifest = readManifest(out);
    expect(manifest.rows.map((r) => [r.id, r.label, r.split, r.domain])).toEqual([
      ['tiny/Angry/0', 'anger', 'test', 'lab'],
      ['tiny/happy/0', 'happy', 'test', 'lab'],
      ['tiny/happy/1', 'happy', 'test', 'lab'],
    ]);
    expect(ctx.recorded).toEqual({ ingest: { format: 'folder', dataset: 'tiny', rows: 3, splits: { test: 3 }, skipped: { contempt: 1 } } });
    expect(ctx.logs[1]).toContain('skipped 1 (contempt 1)');
  });

  it('keeps the first N rows of each split with limit, counting the rest in the report', async () => {
    const root = await folderDataset();
    const out = temp('limit');
    const ctx = fakeContext(withDefaults({ format: 'folder', root, dataset: 'tiny', limit: 2 }), out);
    await stage.run(ctx);
    expect(readManifest(out).rows.map((r) => r.id)).toEqual(['tiny/Angry/0', 'tiny/happy/0']);
    const report = JSON.parse(readFileSync(join(out, 'ingest-report.json'), 'utf8'));
    expect(report.notes.limit).toEqual({ perSplit: 2, rowsDropped: 1 });
    expect(ctx.logs.join('\n')).toContain('limit 2: kept the first 2 rows of each split, dropped 1');
    await expect(stage.run(fakeContext(withDefaults({ format: 'synthfer', limit: 5 }), temp('out')))).rejects.toThrow('ingest: limit applies to real datasets');
  });

  it('generates the synthetic benchmark with the pipeline seed when seed is null, leaving no staging folder', async () => {
    const out = temp('syn');
    const params = withDefaults({ format: 'synthfer', profile: 'smoke', datasets: ['raf-syn'], sizes: { 'raf-syn/train': 6, 'raf-syn/test': 4 }, workers: 0 });
    expect(params.seed).toBeNull();
    const ctx = fakeContext(params, out);
    await stage.run(ctx);
    const manifest = readManifest(out);
    expect(manifest.rows.length).toBe(10);
    expect(new Set(manifest.rows.map((r) => r.split))).toEqual(new Set(['train', 'test']));
    expect(ctx.recorded).toMatchObject({ ingest: { format: 'synthfer', rows: 10, profile: 'smoke', seed: 7 } });
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
    const ceilings = JSON.parse(readFileSync(join(out, 'ceilings.json'), 'utf8'));
    expect(ceilings.schema).toBe('alsg-ceilings/1');
    expect(Object.keys(ceilings.oracle.perSet)).toEqual(['raf-syn']);
    expect(Object.keys(ceilings.features.perSet)).toEqual(['raf-syn']);
    expect(ceilings.features.params.trainRows).toBe(6);
  });

  it('rejects a real format without root', async () => {
    await expect(stage.run(fakeContext(withDefaults({ format: 'raf-db' }), temp('out')))).rejects.toThrow('ingest: root must name the dataset folder for format raf-db, but it is empty');
  });
});

