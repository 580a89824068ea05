/**
 * The content-addressed artifact store: `<store>/<stage>/<key>/` holds one completed instance (with stage.json).
 * A folder only ever appears under its key by a rename of a complete temporary folder (`<store>/<stage>/.tmp-<key>-*`),
 * so a killed run leaves nothing that looks complete; temporary folders of dead processes are removed on the next run.
 * `<store>/.scratch/<stage>/<key>/` survives failed attempts (checkpoints) and is removed after success.
 * A per-key lock (`<store>/<stage>/.lock-<key>`, holding the owner's pid) makes instances shared by pipelines run once
 * even when two runs (two Nx targets, two terminals) ask for them at the same time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AlsgError } from '@ldl-alsg/common';

export interface StoreLocation {
  readonly stage: string;
  readonly key: string;
}

/** Final folder of an instance. */
export function artifactDir(storeDir: string, loc: StoreLocation): string {
  return join(storeDir, loc.stage, loc.key);
}

/** Scratch folder of an instance (kept across failed attempts). */
export function scratchDirOf(storeDir: string, loc: StoreLocation): string {
  return join(storeDir, '.scratch', loc.stage, loc.key);
}

/** Whether the instance is complete: its folder exists with a stage.json (only a finished rename creates it). */
export function isComplete(storeDir: string, loc: StoreLocation): boolean {
  return existsSync(join(artifactDir(storeDir, loc), 'stage.json'));
}

/** Reads a completed instance's stage.json, or undefined when absent or unreadable. */
export function readStageRecord(storeDir: string, loc: StoreLocation): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(join(artifactDir(storeDir, loc), 'stage.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** A lock on one key; release() is idempotent. */
export interface KeyLock {
  release(): void;
}

/**
 * Takes the key's lock, waiting (polling every `pollMs`) while a live process holds it. A lock whose owner is dead (or
 * unreadable for longer than a poll) is broken. Returns undefined when `shouldStop()` turns true while waiting (e.g. the
 * other holder completed the instance).
 */
export async function acquireKeyLock(
  storeDir: string,
  loc: StoreLocation,
  options: { pollMs?: number; shouldStop?: () => boolean; onWait?: (holder: LockInfo) => void } = {},
): Promise<KeyLock | undefined> {
  const dir = join(storeDir, loc.stage);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `.lock-${loc.key}`);
  const me: LockInfo = { pid: process.pid, host: hostname() };
  let warned = false;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const holder = readLock(file);
          if (holder?.pid === me.pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(file);
    if (!holder || (holder.host === me.host && !pidAlive(holder.pid))) {
      if (!holder) await sleep(options.pollMs ?? 200); // a lock being written right now; look again
      const again = readLock(file);
      if (!again || (again.host === me.host && !pidAlive(again.pid))) rmSync(file, { force: true });
      continue;
    }
    if (options.shouldStop?.()) return undefined;
    if (!warned) {
      options.onWait?.(holder);
      warned = true;
    }
    await sleep(options.pollMs ?? 200);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Creates a fresh temporary folder for `loc` (caller holds the key's lock). */
export function createTempDir(storeDir: string, loc: StoreLocation): string {
  const dir = join(storeDir, loc.stage, `.tmp-${loc.key}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Removes temporary folders of `loc` left by earlier attempts (caller holds the key's lock, so none is in use), and
 * any temporary folder in the stage's folder whose owner process is gone.
 */
export function cleanStaleTemps(storeDir: string, loc: StoreLocation): string[] {
  const dir = join(storeDir, loc.stage);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-([0-9a-f]+)-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m) continue;
    if (m[1] === loc.key || !pidAlive(Number(m[2]))) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Moves a complete temporary folder into place (atomic rename on the same filesystem). */
export function commitTempDir(storeDir: string, loc: StoreLocation, tmpDir: string): string {
  const final = artifactDir(storeDir, loc);
  if (!existsSync(join(tmpDir, 'stage.json'))) {
    throw new AlsgError('E_ARTIFACT', `refusing to commit ${tmpDir}: it has no stage.json`, { file: tmpDir });
  }
  if (existsSync(final)) {
    // A folder without stage.json under a final name cannot come from this engine; move it aside rather than trust it.
    if (!existsSync(join(final, 'stage.json'))) renameSync(final, `${final}.broken-${Date.now()}`);
    else {
      rmSync(tmpDir, { recursive: true, force: true });
      return final;
    }
  }
  renameSync(tmpDir, final);
  return final;
}

/** Path of the small record that says which key an address last completed with (for "stale" and for explaining why). */
export function addressRecordFile(storeDir: string, pipeline: string, profile: string, instance: string): string {
  return join(storeDir, '.addresses', pipeline, profile, `${encodeURIComponent(instance)}.json`);
}

/** Remembers that `address` completed with `key`. */
export function writeAddressRecord(storeDir: string, pipeline: string, instance: string, record: { stage: string; key: string; profile: string }): void {
  const file = addressRecordFile(storeDir, pipeline, record.profile, instance);
  mkdirSync(join(storeDir, '.addresses', pipeline, record.profile), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, file);
}

/** The key an address last completed with, if any. */
export function readAddressRecord(storeDir: string, pipeline: string, profile: string, instance: string): { stage: string; key: string; profile: string } | undefined {
  try {
    return JSON.parse(readFileSync(addressRecordFile(storeDir, pipeline, profile, instance), 'utf8')) as { stage: string; key: string; profile: string };
  } catch {
    return undefined;
  }
}
