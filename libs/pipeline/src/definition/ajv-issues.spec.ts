import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateRemembered } from './ajv-issues';

describe('validateRemembered', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const passDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'alsg-passes-'));
    dirs.push(d);
    return join(d, 'passes');
  };
  const schema = { type: 'object', properties: { lr: { type: ['number', 'null'], maximum: 1 } }, additionalProperties: false };

  it('remembers passes only, and a hit answers for exactly the same schema and data', () => {
    const dir = passDir();
    expect(validateRemembered(schema, { lr: 0.1 }, dir)).toBeNull();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(validateRemembered(schema, { lr: 0.1 }, dir)).toBeNull(); // from the marker
    expect(readdirSync(dir)).toHaveLength(1);
    // other data, other schema: checked, and a failure is reported every time, never remembered
    for (let i = 0; i < 2; i++) expect(validateRemembered(schema, { lr: 2 }, dir)?.[0]?.keyword).toBe('maximum');
    expect(validateRemembered({ ...schema, properties: { lr: { type: 'number', maximum: 0.01 } } }, { lr: 0.1 }, dir)?.[0]?.keyword).toBe('maximum');
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('does not mistake a non-finite number (YAML .inf) for the null that JSON would make of it', () => {
    const dir = passDir();
    expect(validateRemembered(schema, { lr: null }, dir)).toBeNull();
    expect(validateRemembered(schema, { lr: Number.POSITIVE_INFINITY }, dir)?.[0]?.keyword).toBe('maximum');
  });

  it('validates without remembering when given no folder', () => {
    expect(validateRemembered(schema, { lr: 0.5 })).toBeNull();
    expect(validateRemembered(schema, { extra: 1 })?.[0]?.keyword).toBe('additionalProperties');
  });
});
