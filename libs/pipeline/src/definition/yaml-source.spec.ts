import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, readPipelineText, readYamlSource } from './yaml-source';

describe('firstInvalidUtf8', () => {
  it('accepts well-formed UTF-8 and finds the first bad byte of every malformed kind', () => {
    expect(firstInvalidUtf8(Buffer.from('stages: {} # café, 表情, 😀', 'utf8'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1); // Latin-1 é
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong '/'
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // UTF-16 surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2); // cut short at the end
    expect(firstInvalidUtf8(Buffer.from([0xe2, 0x28, 0xa1]))).toBe(0); // bad continuation
  });
});

describe('readPipelineText and readYamlSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alsg-yaml-'));

  it('refuses files over the size limit or not UTF-8 with a named issue, and drops a byte-order mark', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'x'.repeat(101));
    expect(readPipelineText(big, 100).issue?.message).toBe(`${big}: a pipeline file must be at most 100 bytes, but got 101 bytes`);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, Buffer.from([0x61, 0x0a, 0x62, 0xff]));
    expect(readPipelineText(bad).issue?.message).toBe(`${bad}: a pipeline file must be UTF-8 text, but got byte 0xff at byte offset 3 (line 2)`);
    const bom = join(dir, 'bom.yaml');
    writeFileSync(bom, '\uFEFFstages: {}\n');
    expect(readPipelineText(bom).text).toBe('stages: {}\n');
  });

  it('turns an alias bomb into an issue instead of an engine error', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    const names = 'abcdefgh';
    for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`);
    const source = readYamlSource('bomb.yaml', lines.join('\n'));
    expect(source.data).toBeUndefined();
    expect(source.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^bomb\.yaml: YAML aliases must expand to at most 1000 nodes, but got /)]);
  });
});
