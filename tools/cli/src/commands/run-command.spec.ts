import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseJobs } from './run-command';

describe('alsg run --jobs', () => {
  it('is 1 by default, a positive integer, or auto = one per CPU core (what the Nx targets pass)', () => {
    expect(parseJobs(undefined)).toBe(1);
    expect(parseJobs('3')).toBe(3);
    expect(parseJobs('auto')).toBe(availableParallelism());
  });

  it('refuses anything else with a usage error that names the flag and what it accepts', () => {
    for (const bad of ['0', '-2', '1.5', 'all', '']) {
      expect(() => parseJobs(bad)).toThrow(`--jobs must be a positive integer or auto, but got ${bad}`);
    }
  });
});
