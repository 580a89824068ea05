// Fault injection at the command line (docs/reliability.md, "Store, engine and command line"): what a user sees when
// the workspace is missing, a pipeline file is hostile or broken, a stored result is damaged, or the reader of the
// output goes away.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnAsync, type SpawnResult } from './fixtures/spawn-async';
import { CHECKOUT_ROOT, createFixtureWorkspace } from '@ldl-alsg/pipeline/fixtures';

const BIN = join(CHECKOUT_ROOT, 'bin/alsg.mjs');

function alsg(cwd: string, env: Record<string, string>, ...args: string[]): Promise<SpawnResult> {
  return spawnAsync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ALSG_STORE: '', ...env } });
}

describe('alsg under faults', () => {
  const ws = createFixtureWorkspace();
  const inWs = (...args: string[]) => alsg(ws.root, { ALSG_WORKSPACE: ws.root }, ...args);
  const good = ws.writePipeline('good', 'stages:\n  data: { stage: source, params: { label: a } }\n  twice: { stage: double, inputs: { data: data } }\n');

  it('outside a workspace says that no workspace was found, for pipelines and stage commands alike', async () => {
    const away = mkdtempSync(join(tmpdir(), 'alsg-nowhere-'));
    for (const args of [['validate', 'p.yaml'], ['train', '--help'], ['stages']]) {
      const r = await alsg(away, { ALSG_WORKSPACE: '' }, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`alsg: no workspace found (looked for nx.json from ${away} upward; set ALSG_WORKSPACE)`);
      expect(r.stderr).not.toMatch(/internal error|unknown command/);
    }
  }, 30_000);

  it('validate names an alias bomb, a non-UTF-8 file, an oversized file and a missing file, and still checks the others', async () => {
    const bomb = ws.writePipeline(
      'bomb',
      ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`), 'stages: *i', ''].join('\n'),
    );
    const latin1 = join(ws.root, 'pipelines', 'latin1.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nstages: {}\n')]));
    const huge = ws.writePipeline('huge', `# ${'x'.repeat(1024 * 1024)}\nstages: {}\n`);
    const t0 = Date.now();
    const r = await inWs('validate', bomb, latin1, 'pipelines/missing.yaml', huge, good);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bomb}: YAML aliases must expand to at most 1000 nodes, but got`);
    expect(r.stderr).toContain(`${latin1}: a pipeline file must be UTF-8 text, but got byte 0xe9 at byte offset 5 (line 1)`);
    expect(r.stderr).toContain('alsg: cannot read pipeline pipelines/missing.yaml: ENOENT');
    expect(r.stderr).toMatch(new RegExp(`${huge}: a pipeline file must be at most 1048576 bytes, but got 10485\\d\\d bytes`));
    expect(r.stdout).toContain(`${good}: valid`);
    expect(r.stderr).not.toMatch(/internal error|    at /);
  }, 30_000);

  it('status says building, with the holder, for an instance whose key lock a live process holds (not for a dead one)', async () => {
    const other = ws.writePipeline('held', 'stages:\n  data: { stage: source, params: { label: held } }\n');
    const [row] = JSON.parse((await inWs('status', other, '--json')).stdout) as Array<{ dir: string; status: string }>;
    expect(row.status).toBe('missing');
    const lockFile = join(dirname(row.dir), `.lock-${basename(row.dir)}`);
    mkdirSync(dirname(row.dir), { recursive: true });
    // This test process stands in for an alsg run that holds the lock (same host, live pid).
    writeFileSync(lockFile, JSON.stringify({ host: hostname(), pid: process.pid, startedAt: '2026-01-02T03:04:05Z' }));
    const held = await inWs('status', other);
    expect(held.stdout).toMatch(new RegExp(`^building +held/data +source +[0-9a-f]{20} {2}\\(pid ${process.pid} since 2026-01-02T03:04:05Z\\)$`, 'm'));
    expect(held.stdout.endsWith('held: 0 done, 0 stale, 0 missing, 1 building\n')).toBe(true);
    // A holder that is gone: the lock is stale, the instance is just missing.
    writeFileSync(lockFile, JSON.stringify({ host: hostname(), pid: 2 ** 22 + 17, startedAt: '2026-01-02T03:04:05Z' }));
    expect((await inWs('status', other)).stdout).toMatch(/^missing +held\/data /m);
    rmSync(lockFile);
  }, 30_000);

  it('status names damaged results (sizes always, hashes with --verify) with how to rebuild them, and ends with a newline', async () => {
    expect((await inWs('run', good)).code).toBe(0);
    const rows = JSON.parse((await inWs('status', good, '--json')).stdout) as Array<{ address: string; dir: string }>;
    const dataDir = rows.find((r) => r.address === 'good/data')?.dir as string;
    const file = join(dataDir, 'values.json');
    const bytes = readFileSync(file);
    const same = Buffer.from(bytes);
    same[same.length - 2] = same[same.length - 2] === 0x31 ? 0x32 : 0x31;
    writeFileSync(file, same);
    const plain = await inWs('status', good);
    expect(plain.code).toBe(0);
    expect(plain.stdout.endsWith('good: 2 done, 0 stale, 0 missing\n')).toBe(true);
    const verify = await inWs('status', good, '--verify');
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^damaged +good\/data +source +[0-9a-f]{20} {2}\(values\.json has sha256 .*\(same size: overwritten\); rebuild it: rm -rf \S+ && alsg run \S+good\.yaml\)$/m);
    expect(verify.stdout.endsWith('good: 1 done, 0 stale, 0 missing, 1 damaged\n')).toBe(true);
    truncateSync(file, 1);
    expect((await inWs('status', good)).stdout).toMatch(/^damaged +good\/data .*values\.json has 1 bytes, but stage\.json recorded \d+/m);

    rmSync(dataDir, { recursive: true }); // the rebuild the message suggests
    expect((await inWs('run', good)).code).toBe(0);
    expect(await inWs('status', good, '--verify')).toMatchObject({ code: 0 });
  }, 60_000);

  it('status into a pipe that closes early (| head) exits quietly instead of crashing with EPIPE', async () => {
    const child = spawn(process.execPath, [BIN, 'status', good], { cwd: ws.root, env: { ...process.env, ALSG_WORKSPACE: ws.root, ALSG_STORE: '' } });
    child.stdout.destroy(); // the reader is gone before the first line
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(stderr).not.toMatch(/EPIPE|internal error/);
    expect(code).toBe(0);
  }, 30_000);
});
