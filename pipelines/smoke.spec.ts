/**
 * CI reproduction checks: every table pipeline runs end to end on its `smoke` profile (real stages: synthetic data,
 * OpenFace-format CSVs, FAISS graphs, TF.js training on wasm, evaluation, report) in a fresh store, and each report
 * compares its table with the committed reference results (`pipelines/reference/*-smoke.json`, tolerance in the
 * YAML). A change that silently alters results fails here; accepting it is a deliberate
 * `alsg reference <pipeline.yaml> --profile smoke --update`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const STORE = mkdtempSync(join(tmpdir(), 'alsg-smoke-'));
const TABLES = ['table1', 'table2', 'table3', 'table4', 'table5', 'table6', 'table7'];

// Asynchronous on purpose: a synchronous child would block this worker's event loop for minutes and vitest's RPC
// with it ("Timeout calling onTaskUpdate").
function run(table: string): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/alsg.mjs'), 'run', `pipelines/${table}.yaml`, '--profile', 'smoke', '--jobs', '2'], {
      cwd: ROOT,
      env: { ...process.env, ALSG_STORE: STORE },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('smoke pipelines reproduce their committed reference results', () => {
  afterAll(() => rmSync(STORE, { recursive: true, force: true }));
  for (const table of TABLES) {
    it(`${table} (smoke)`, { timeout: 600_000 }, async () => {
      const { status, output } = await run(table);
      expect(status, output.split('\n').slice(-15).join('\n')).toBe(0);
      const reports = readdirSync(join(STORE, 'report')).map((k) => join(STORE, 'report', k)).filter((d) => existsSync(join(d, 'reference-diff.json')));
      const mine = reports.filter((d) => JSON.parse(readFileSync(join(d, 'stage.json'), 'utf8')).pipeline === table);
      expect(mine.length).toBeGreaterThan(0);
      for (const dir of mine) {
        const diff = JSON.parse(readFileSync(join(dir, 'reference-diff.json'), 'utf8'));
        expect(diff.ok).toBe(true);
        expect(diff.counts.moved + diff.counts.missing + diff.counts.new).toBe(0);
        expect(existsSync(join(dir, 'report.md')) && existsSync(join(dir, 'checks.json'))).toBe(true);
      }
    });
  }
});
