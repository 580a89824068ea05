import { describe, expect, it } from 'vitest';
import { editDistance } from './edit-distance';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('', 'ab')).toBe(2);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('train', 'trian')).toBe(2);
    expect(editDistance('Images', 'images')).toBe(1);
  });

  it('is symmetric', () => {
    for (const [a, b] of [['flaw', 'lawn'], ['gumbo', 'gambol'], ['raf-db', 'rafdb']]) expect(editDistance(a, b)).toBe(editDistance(b, a));
  });
});
