/**
 * Who owns a lock, a temporary folder or a job file in the store, and whether that owner is provably gone. A store may
 * be shared by several hosts (an NFS mount used by two machines), and pids are only meaningful on the host that issued
 * them, so an owner is (host, pid, process start time): it is dead only when it ran on THIS host and that pid no
 * longer runs the same process. The start time guards against pid reuse (a recycled pid of an unrelated process would
 * otherwise keep a dead run's lock forever). Anything owned by another host is never judged dead here.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessOwner {
  /** `os.hostname()` of the owner's machine. */
  readonly host: string;
  readonly pid: number;
  /** Kernel start time of the pid (clock ticks since boot, Linux `/proc/<pid>/stat` field 22), when known. */
  readonly pidStart?: number;
}

/** This host's name as it appears in store file names: characters outside [A-Za-z0-9._] become `_`. */
export function hostTag(host: string = hostname()): string {
  return host.replace(/[^A-Za-z0-9._]/g, '_') || 'unknown-host';
}

/** Start time of `pid` from /proc (Linux), or undefined where /proc is not available or the pid does not exist. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists on this host (EPERM means it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner record of this process (or of `pid`, e.g. a child this process started). */
export function currentOwner(pid: number = process.pid): ProcessOwner {
  return { host: hostname(), pid, pidStart: processStartTime(pid) };
}

/** Whether `owner` ran on this host. Host names are compared in their file-name form, so both record kinds agree. */
export function isLocalOwner(owner: { host?: string }): boolean {
  return owner.host !== undefined && hostTag(owner.host) === hostTag();
}

/**
 * True only when the owner is provably gone: it ran on this host and its pid is not alive, or the pid now belongs to a
 * process that started at another time (reused). Another host's owner is never provably dead.
 */
export function ownerIsDead(owner: { host?: string; pid: number; pidStart?: number }): boolean {
  if (!isLocalOwner(owner)) return false;
  if (!pidAlive(owner.pid)) return true;
  if (owner.pidStart === undefined) return false;
  const now = processStartTime(owner.pid);
  return now !== undefined && now !== owner.pidStart;
}
