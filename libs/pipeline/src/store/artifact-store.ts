/**
 * The content-addressed artifact store: `<store>/<stage>/<key>/` holds one completed instance (with stage.json).
 * A folder only ever appears under its key by a rename of a complete temporary folder
 * (`<store>/<stage>/.tmp-<key>-<host>-<pid>-<random>`), so a killed run leaves nothing that looks complete; temporary
 * folders whose owner is provably dead (this host, pid gone) are removed on the next run, and those of other hosts
 * sharing the store are left alone (process-owner.ts).
 * `<store>/.scratch/<stage>/<key>/` survives failed attempts (checkpoints) and is removed after success.
 * A per-key lock (`<store>/<stage>/.lock-<key>`, holding the owner's host, pid and process start time, and those of the
 * stage child it started) makes instances shared by pipelines run once even when two runs (two Nx targets, two
 * terminals, two hosts) ask for them at the same time. The lock's NAME is per key only, so that every contender
 * competes for the same file; who holds it is in its content.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AlsgError } from '@ldl-alsg/common';
import { currentOwner, hostTag, isLocalOwner, ownerIsDead, pidAlive, type ProcessOwner } from './process-owner';

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

/** What a lock file holds. Locks written before start times and children were recorded have only pid and host. */
export interface LockInfo extends ProcessOwner {
  /** When the lock was taken (ISO time), for messages about long-held locks. */
  readonly startedAt?: string;
  /** The stage child the holder started: the lock stays held while it lives, even if the holder itself was killed. */
  readonly child?: ProcessOwner;
}

/** A lock is stale only when its holder and its child are both provably dead (never for another host's lock). */
export function lockIsStale(holder: LockInfo): boolean {
  return ownerIsDead(holder) && (!holder.child || ownerIsDead(holder.child));
}

/** One line naming a lock's holder, with the way out when it is held by another host. */
export function describeLockHolder(holder: LockInfo, file: string): string {
  const since = holder.startedAt ? ` since ${holder.startedAt}` : '';
  const child = holder.child ? ` (stage process ${holder.child.pid})` : '';
  if (isLocalOwner(holder)) return `pid ${holder.pid}${child}${since}`;
  return `pid ${holder.pid} on host ${holder.host}${child}${since}; if that run is gone, delete ${file}`;
}

/**
 * Who is building an instance right now: the holder of its key's lock when that lock is live (not stale), else
 * undefined. For `alsg status`; reads one small file, takes nothing.
 */
export function liveKeyLock(storeDir: string, loc: StoreLocation): { holder: LockInfo; file: string } | undefined {
  const file = join(storeDir, loc.stage, `.lock-${loc.key}`);
  const holder = readLock(file);
  return holder && !lockIsStale(holder) ? { holder, file } : undefined;
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
  /** The lock file. */
  readonly file: string;
  /** Records the stage child this holder started, so the lock is not broken while the child lives. */
  setChild(pid: number): void;
  release(): void;
}

/**
 * Takes the key's lock, waiting (polling every `pollMs`) while a live process holds it. A lock is broken only when it is
 * provably stale (lockIsStale) or unreadable for longer than a poll. Returns undefined when `shouldStop()` turns true
 * while waiting (e.g. the other holder completed the instance).
 */
export async function acquireKeyLock(
  storeDir: string,
  loc: StoreLocation,
  options: { pollMs?: number; shouldStop?: () => boolean; onWait?: (holder: LockInfo, file: string) => void } = {},
): Promise<KeyLock | undefined> {
  const dir = join(storeDir, loc.stage);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `.lock-${loc.key}`);
  const me: LockInfo = { ...currentOwner(), startedAt: new Date().toISOString() };
  const mine = (holder: LockInfo | undefined): boolean => holder?.pid === me.pid && holder.host === me.host;
  let warned = false;
  for (;;) {
    if (createLockFile(file, me)) {
      let released = false;
      return {
        file,
        setChild(pid) {
          if (released || !mine(readLock(file))) return;
          // Rename over the lock: a reader sees the old or the new record, never a half-written one.
          const tmp = `${file}.${hostTag()}-${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify({ ...me, child: currentOwner(pid) }));
          renameSync(tmp, file);
        },
        release() {
          if (released) return;
          released = true;
          if (mine(readLock(file))) rmSync(file, { force: true });
        },
      };
    }
    const holder = readLock(file);
    if (!holder && !existsSync(file)) continue; // released just now
    if (!holder || lockIsStale(holder)) {
      // Lock files appear complete (createLockFile), so an unreadable one is damaged, not half-written.
      if (!breakStaleLock(file)) await sleep(Math.min(options.pollMs ?? 200, 20));
      continue;
    }
    if (options.shouldStop?.()) return undefined;
    if (!warned) {
      options.onWait?.(holder, file);
      warned = true;
    }
    await sleep(options.pollMs ?? 200);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Creates the lock file with its content in one step: written to a private file, then hard-linked to the lock name,
 * which fails when the name exists (atomic, also over NFS). A reader never sees an empty lock, so "unreadable" can only
 * mean damaged. Filesystems without hard links fall back to an exclusive create.
 */
function createLockFile(file: string, info: LockInfo): boolean {
  const text = JSON.stringify(info);
  const tmp = `${file}.${hostTag()}-${process.pid}-${randomBytes(3).toString('hex')}.new`;
  try {
    writeFileSync(tmp, text);
    linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    try {
      writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A break guard left by a process that died while holding it (it is held for microseconds) is removed after this. */
const BREAK_GUARD_MAX_AGE_MS = 10_000;

/**
 * Removes a stale lock. Breakers take a short guard first and re-read the lock under it: otherwise two processes that
 * both saw the same dead holder could both remove "the" lock, the second removing the fresh lock the first had just
 * taken, and both would build the key. Returns false when another process is breaking it right now.
 */
function breakStaleLock(file: string): boolean {
  const guard = `${file}.break`;
  if (!createLockFile(guard, currentOwner())) {
    const g = readLock(guard);
    let age = 0;
    try {
      age = Date.now() - statSync(guard).mtimeMs;
    } catch {
      return false; // released meanwhile
    }
    if ((g && ownerIsDead(g)) || age > BREAK_GUARD_MAX_AGE_MS) rmSync(guard, { force: true });
    return false;
  }
  try {
    const again = readLock(file);
    if (existsSync(file) && (!again || lockIsStale(again))) rmSync(file, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
  return true;
}

/** Creates a fresh temporary folder for `loc` (caller holds the key's lock). */
export function createTempDir(storeDir: string, loc: StoreLocation): string {
  const dir = join(storeDir, loc.stage, `.tmp-${loc.key}-${hostTag()}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The owner a temporary folder's name records: `.tmp-<key>-<host>-<pid>-<random>` (or the host-less older form). */
export function parseTempName(name: string): { key: string; host?: string; pid: number } | undefined {
  const m = /^\.tmp-([0-9a-f]+)-(.+)-(\d+)-[0-9a-f]+$/.exec(name);
  if (m) return { key: m[1], host: m[2], pid: Number(m[3]) };
  const legacy = /^\.tmp-([0-9a-f]+)-(\d+)-[0-9a-f]+$/.exec(name);
  return legacy ? { key: legacy[1], pid: Number(legacy[2]) } : undefined;
}

/** Another host's temporary folders older than this get a note (they are never removed from here). */
const FOREIGN_TEMP_NOTE_MS = 24 * 3600 * 1000;

/**
 * Removes the stage's temporary folders whose owner is provably dead: this host, pid gone. Folders of other hosts are
 * left alone (a host cannot tell whether a process elsewhere lives); those older than a day are named in `notes`.
 * Folders named in the older host-less form were only ever written by single-host versions: judged on this host, and
 * those of `loc`'s own key are removed (the caller holds the key's lock, so none is in use).
 */
export function cleanStaleTemps(storeDir: string, loc: StoreLocation): { removed: string[]; notes: string[] } {
  const dir = join(storeDir, loc.stage);
  const removed: string[] = [];
  const notes: string[] = [];
  if (!existsSync(dir)) return { removed, notes };
  for (const name of readdirSync(dir)) {
    const owner = parseTempName(name);
    if (!owner) continue;
    const dead = owner.host === undefined ? owner.key === loc.key || !pidAlive(owner.pid) : hostTag(owner.host) === hostTag() && ownerIsDead({ host: owner.host, pid: owner.pid });
    if (dead) {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } else if (owner.host !== undefined && hostTag(owner.host) !== hostTag()) {
      try {
        const age = Date.now() - statSync(join(dir, name)).mtimeMs;
        if (age > FOREIGN_TEMP_NOTE_MS) {
          notes.push(`${join(dir, name)} belongs to pid ${owner.pid} on host ${owner.host} and is ${(age / 86400000).toFixed(1)} days old; left alone (delete it by hand if that run is gone)`);
        }
      } catch {
        // removed meanwhile by its owner
      }
    }
  }
  return { removed, notes };
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
  const tmp = `${file}.${hostTag()}-${process.pid}.tmp`;
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
