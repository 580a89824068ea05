import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthfer } from './generate';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('worker pool', () => {
  it('gives the same bytes as in-thread generation (3 chunks, 2 workers)', async () => {
    const opts = { profile: 'smoke' as const, seed: 3, datasets: ['raf-syn' as const], sizes: { 'raf-syn/train': 1100, 'raf-syn/test': 60 }, render: false };
    const a = mkdtempSync(join(tmpdir(), 'synthfer-pool-'));
    const b = mkdtempSync(join(tmpdir(), 'synthfer-pool-'));
    dirs.push(a, b);
    const ra = await generateSynthfer({ ...opts, workers: 0 }, a);
    const rb = await generateSynthfer({ ...opts, workers: 2 }, b);
    expect(ra.workers).toBe(0);
    // tsx is a dev dependency, so workers must start here (elsewhere the pool falls back to in-thread generation).
    expect(rb.workers).toBe(2);
    for (const f of ['manifest.csv', 'distribution.npy', 'truth/au.npy', 'truth/landmarks.npy', 'truth/annotations.csv']) {
      expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    }
  });
});
