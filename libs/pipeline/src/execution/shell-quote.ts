/**
 * Quoting for /bin/sh, shared by every command line alsg prints or writes: the retry command of a failed stage, Slurm
 * job scripts, and the Nx plugin's targets. Its own module (no imports) so that the planner entry can re-export it
 * without loading the executors.
 */

/** Quotes one argument for /bin/sh (single quotes; a single quote inside becomes '\''). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
