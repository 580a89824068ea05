import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunInfo } from './run-info';

function dir(files: Record<string, unknown>): string {
  const d = mkdtempSync(join(tmpdir(), 'alsg-runinfo-'));
  for (const [name, v] of Object.entries(files)) writeFileSync(join(d, name), JSON.stringify(v));
  return d;
}

describe('readRunInfo', () => {
  it('reads the train stage summary: spaces from the wired graphs with lambda > 0, noise from the labels folder', () => {
    const noise = dir({ 'stage.json': { params: { mode: 'symmetric', rate: 0.1 } } });
    const model = dir({
      'train-summary.json': {
        method: 'ldl-alsg', backbone: 'mlp', backend: { name: 'wasm', version: '4.22.0' }, seed: 5,
        params: { inputSize: 32, backend: 'auto', lambda: { au: 0.0005, landmarks: 0.0005 }, k: { au: 4, landmarks: 4 } },
        graphs: [{ space: 'au', k: 4, lambda: 0.0005 }],
        labels: { source: join(noise, 'labels.csv') },
      },
      'stage.json': { key: 'abc123', seed: 5 },
    });
    expect(readRunInfo(model)).toEqual({
      method: 'ldl-alsg', spaces: ['au'], backbone: 'mlp', inputSize: 32, backend: 'wasm', k: { au: 4 }, lambda: { au: 0.0005 },
      noise: { mode: 'symmetric', rate: 0.1 }, seed: 5, trainKey: 'abc123',
    });
  });

  it('baseline on manifest labels is noise-free; tags are kept; a missing summary is named', () => {
    const model = dir({ 'train-summary.json': { method: 'baseline', backbone: 'mlp', labels: { source: 'manifest' }, graphs: [] } });
    expect(readRunInfo(model, undefined, { data: 'clean' })).toMatchObject({ method: 'baseline', spaces: [], noise: { mode: 'none' }, seed: null, tags: { data: 'clean' } });
    const empty = mkdtempSync(join(tmpdir(), 'alsg-runinfo-'));
    mkdirSync(join(empty, 'model'));
    expect(() => readRunInfo(empty)).toThrow(/neither train-summary.json nor stage.json/);
  });
});
