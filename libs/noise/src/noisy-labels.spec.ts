import { describe, expect, it } from 'vitest';
import type { ManifestRow } from '@ldl-alsg/datasets';
import { CLASSES } from '@ldl-alsg/labels';
import { makeNoisyLabels } from './noisy-labels';

const row = (id: string, label: number, split: string): ManifestRow =>
  ({ id, path: `${id}.png`, label: CLASSES[label], labelIndex: label, dataset: 'd', split } as ManifestRow);

describe('noise mode truth (clean labels from the true distributions)', () => {
  it('replaces train labels by the true argmax, leaves other splits, reports every change', () => {
    const rows = [row('a', 0, 'train'), row('b', 1, 'train'), row('c', 2, 'test'), row('d', 3, 'train')];
    const truth = Int32Array.from([0, 4, 5, 6]);
    const noisy = makeNoisyLabels(rows, { mode: 'truth' }, 1, truth);
    expect(noisy.records.map((r) => r.label)).toEqual([CLASSES[0], CLASSES[4], CLASSES[2], CLASSES[6]]);
    const set = noisy.report.sets[0];
    expect(set.flipped).toBe(2);
    expect(set.rate).toBeCloseTo(2 / 3, 12);
    expect(set.flips.map((f) => f.id)).toEqual(['b', 'd']);
  });

  it('says what it needs when the truth is missing', () => {
    expect(() => makeNoisyLabels([row('a', 0, 'train')], { mode: 'truth' }, 1)).toThrow(/distribution\.npy/);
  });
});
