import { describe, expect, it } from 'vitest';
import { argmaxRows } from '@ldl-alsg/labels';
import { accuracyPercent, confusionMatrix, paperAverages } from './accuracy';

describe('paperAverages', () => {
  it("reproduces the paper's baseline averages 63.99 / 73.34 / 69.33 from its per-set row", () => {
    const names = ['affectnet', 'raf', 'sfew', 'ckplus', 'cfee', 'mmi', 'oulu'];
    const acc = [57.97, 81.81, 52.19, 88.99, 77.22, 67.79, 59.35];
    const a = paperAverages(names.map((dataset, i) => ({ dataset, domain: i < 3 ? 'wild' : 'lab', accuracy: acc[i] })));
    expect(a.wild!.toFixed(2)).toBe('63.99');
    expect(a.lab!.toFixed(2)).toBe('73.34');
    expect(a.all!.toFixed(2)).toBe('69.33');
    expect(a.counts).toEqual({ wild: 3, lab: 4, all: 7 });
    // All is the mean of the seven sets, not the mean of Wild and Lab (which would be 68.66).
    expect(((a.wild! + a.lab!) / 2).toFixed(2)).toBe('68.66');
  });

  it('gives null for a domain without sets and rejects NaN accuracies', () => {
    const a = paperAverages([{ dataset: 'x', domain: 'lab', accuracy: 50 }]);
    expect(a.wild).toBeNull();
    expect(a.lab).toBe(50);
    expect(() => paperAverages([{ dataset: 'empty', domain: 'wild', accuracy: NaN }])).toThrow(/empty/);
  });
});

describe('accuracy and confusion', () => {
  it('counts hand-checked rows', () => {
    const probs = [0.9, 0.1, 0, 0, 0, 0, 0, /* */ 0.1, 0.2, 0.7, 0, 0, 0, 0, /* */ 0.5, 0.5, 0, 0, 0, 0, 0];
    const pred = argmaxRows(probs);
    expect([...pred]).toEqual([0, 2, 0]); // tie 0.5/0.5 goes to the first class
    expect(accuracyPercent([0, 1, 0], pred)).toBeCloseTo(200 / 3, 10);
    const m = confusionMatrix([0, 1, 0], pred);
    expect(m[0][0]).toBe(2);
    expect(m[1][2]).toBe(1);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(3);
    expect(accuracyPercent([], [])).toBeNaN();
    expect(() => accuracyPercent([1], [])).toThrow(/1 rows/);
  });
});
