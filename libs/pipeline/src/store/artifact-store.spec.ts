import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireKeyLock, cleanStaleTemps, createTempDir, describeLockHolder, lockIsStale, parseTempName } from './artifact-store';
import { currentOwner, hostTag, ownerIsDead, processStartTime } from './process-owner';

const KEY = 'abcdef0123456789abcd';
const loc = { stage: 'train', key: KEY };

/** A pid that certainly ran on this host and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(r.stdout));
}

function store(): string {
  const dir = mkdtempSync(join(tmpdir(), 'alsg-store-'));
  mkdirSync(join(dir, 'train'), { recursive: true });
  return dir;
}

describe('process owners', () => {
  it('a local dead pid is dead; a live pid is not; another host is never provably dead', () => {
    expect(ownerIsDead({ host: hostname(), pid: deadPid() })).toBe(true);
    expect(ownerIsDead(currentOwner())).toBe(false);
    expect(ownerIsDead({ host: 'some-other-host.example', pid: deadPid() })).toBe(false);
  });

  it('a pid reused by a process that started at another time is dead (start time recorded in the lock)', () => {
    const start = processStartTime(process.pid);
    if (start === undefined) return; // no /proc: start times are not recorded, pid liveness alone decides
    expect(ownerIsDead({ host: hostname(), pid: process.pid, pidStart: start })).toBe(false);
    expect(ownerIsDead({ host: hostname(), pid: process.pid, pidStart: start + 12345 })).toBe(true);
  });
});

describe('key locks', () => {
  it('are not broken while the child of a dead holder still lives', () => {
    const holder = { host: hostname(), pid: deadPid() };
    expect(lockIsStale(holder)).toBe(true);
    expect(lockIsStale({ ...holder, child: currentOwner() })).toBe(false);
    expect(lockIsStale({ ...holder, child: { host: hostname(), pid: deadPid() } })).toBe(true);
    expect(lockIsStale({ host: 'other-host', pid: deadPid() })).toBe(false);
  });

  it('record host, pid, start time and the child, and wait for a live holder instead of breaking its lock', async () => {
    const dir = store();
    const lock = await acquireKeyLock(dir, loc);
    expect(lock).toBeDefined();
    const file = join(dir, 'train', `.lock-${KEY}`);
    const rec = JSON.parse(readFileSync(file, 'utf8'));
    expect(rec).toMatchObject({ host: hostname(), pid: process.pid });
    expect(typeof rec.startedAt).toBe('string');
    lock?.setChild(process.pid);
    expect(JSON.parse(readFileSync(file, 'utf8')).child).toMatchObject({ host: hostname(), pid: process.pid });
    lock?.release();
    expect(existsSync(file)).toBe(false);

    // A holder on another host: waited for (never broken), named with the way out.
    writeFileSync(file, JSON.stringify({ host: 'gpu-node-7', pid: 1, startedAt: '2026-01-01T00:00:00Z' }));
    const waits: string[] = [];
    const lines: string[] = [];
    let polls = 0;
    const other = await acquireKeyLock(dir, loc, { pollMs: 10, shouldStop: () => ++polls > 3, onWait: (h, f) => {
        waits.push(h.host);
        lines.push(describeLockHolder(h, f));
      },
    });
    expect(other).toBeUndefined();
    expect(waits).toEqual(['gpu-node-7']);
    expect(lines).toEqual([`pid 1 on host gpu-node-7 since 2026-01-01T00:00:00Z; if that run is gone, delete ${file}`]);
    expect(existsSync(file)).toBe(true);

    // A dead local holder whose stage process still runs: waited for, named with both pids (docs/reliability.md).
    const dead = deadPid();
    writeFileSync(file, JSON.stringify({ host: hostname(), pid: dead, startedAt: '2026-01-02T03:04:05Z', child: currentOwner() }));
    const orphanLines: string[] = [];
    let orphanPolls = 0;
    const blocked = await acquireKeyLock(dir, loc, { pollMs: 10, shouldStop: () => ++orphanPolls > 3, onWait: (h, f) => orphanLines.push(describeLockHolder(h, f)) });
    expect(blocked).toBeUndefined();
    expect(orphanLines).toEqual([`pid ${dead} (stage process ${process.pid}) since 2026-01-02T03:04:05Z`]);
    expect(existsSync(file)).toBe(true);

    // A dead local holder whose child also died: broken.
    writeFileSync(file, JSON.stringify({ host: hostname(), pid: deadPid(), child: { host: hostname(), pid: deadPid() } }));
    const taken = await acquireKeyLock(dir, loc, { pollMs: 10 });
    expect(taken).toBeDefined();
    taken?.release();
  });
});

describe('breaking a stale lock', () => {
  it('lets exactly one of many waiting acquirers in at a time (breakers re-check under a guard)', async () => {
    const dir = store();
    const file = join(dir, 'train', `.lock-${KEY}`);
    for (let round = 0; round < 5; round++) {
      writeFileSync(file, JSON.stringify({ host: hostname(), pid: deadPid() }));
      let inside = 0;
      let most = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const lock = await acquireKeyLock(dir, loc, { pollMs: 5 });
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 10));
          inside--;
          done++;
          lock?.release();
        }),
      );
      expect(done).toBe(8);
      expect(most).toBe(1);
      expect(existsSync(file)).toBe(false);
      expect(readdirSync(join(dir, 'train'))).toEqual([]); // no guard or private lock file left behind
    }
  });

  it('removes a damaged (unreadable) lock file', async () => {
    const dir = store();
    writeFileSync(join(dir, 'train', `.lock-${KEY}`), '{"host": "x", "pi');
    const lock = await acquireKeyLock(dir, loc, { pollMs: 5 });
    expect(JSON.parse(readFileSync(join(dir, 'train', `.lock-${KEY}`), 'utf8')).pid).toBe(process.pid);
    lock?.release();
  });
});

describe('temporary folders', () => {
  it('carry host and pid; only provably dead local ones are removed, other hosts are left alone with a note when old', () => {
    const dir = store();
    const mine = createTempDir(dir, loc);
    const name = mine.split('/').pop() as string;
    expect(parseTempName(name)).toEqual({ key: KEY, host: hostTag(), pid: process.pid });
    const deadLocal = `.tmp-${KEY}-${hostTag()}-${deadPid()}-aaaaaa`;
    const otherKeyDead = `.tmp-1111111111aaaaaaaaaa-${hostTag()}-${deadPid()}-bbbbbb`;
    const foreign = `.tmp-${KEY}-gpu-node-7-${process.pid}-cccccc`;
    const foreignOld = `.tmp-2222222222aaaaaaaaaa-gpu_node_8-${deadPid()}-dddddd`;
    for (const n of [deadLocal, otherKeyDead, foreign, foreignOld]) mkdirSync(join(dir, 'train', n));
    const old = new Date(Date.now() - 3 * 86400_000);
    utimesSync(join(dir, 'train', foreignOld), old, old);

    const { removed, notes } = cleanStaleTemps(dir, loc);
    expect(removed.sort()).toEqual([deadLocal, otherKeyDead].sort());
    expect(readdirSync(join(dir, 'train')).sort()).toEqual([name, foreign, foreignOld].sort());
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/gpu_node_8 and is 3\.0 days old; left alone/);
  });

  it('still understands the older host-less names (same key under the lock, or dead pid)', () => {
    const dir = store();
    const sameKey = `.tmp-${KEY}-${process.pid}-aaaaaa`;
    const otherLive = `.tmp-1111111111aaaaaaaaaa-${process.pid}-bbbbbb`;
    for (const n of [sameKey, otherLive]) mkdirSync(join(dir, 'train', n));
    expect(cleanStaleTemps(dir, loc).removed).toEqual([sameKey]);
  });
});
