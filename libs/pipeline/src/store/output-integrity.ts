/**
 * Integrity of completed instances. The stage process records the size and sha256 of every output file in stage.json
 * (`outputs`) just before it writes stage.json, so the record describes exactly what is committed. Later:
 * - every run checks the sizes of the inputs it is about to read (a stat per file: cheap, catches truncation);
 * - `alsg status --verify` (and `alsg run --verify`) re-hash them (catches a file overwritten with the same size).
 * A damaged instance is named with the way to rebuild it. Instances committed before these records existed have no
 * `outputs` and are reported as unverifiable, never as damaged.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { artifactDir, readStageRecord, type StoreLocation } from './artifact-store';

/** Size in bytes and sha256 (hex) of one output file. */
export interface OutputFileRecord {
  readonly size: number;
  readonly sha256: string;
}

/** Relative path (with `/`) -> record, for every file of an instance except stage.json itself. */
export type OutputRecords = Record<string, OutputFileRecord>;

/** How deep a check goes: `size` stats each file, `hash` also re-hashes it. */
export type IntegrityMode = 'size' | 'hash';

/** Files under `dir` (relative, `/`-separated, sorted), without the top-level stage.json. */
export function listOutputFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter((f) => f !== 'stage.json').sort();
}

/** Files up to this size are read in one call: a stream per file costs more than the hashing for small images. */
const WHOLE_READ_BYTES = 4 * 1024 * 1024;

/** sha256 of a file; streamed when large (weights, feature matrices), so memory stays flat. Pass `size` if already stat'ed. */
export function hashFile(file: string, size: number = statSync(file).size): Promise<string> {
  if (size <= WHOLE_READ_BYTES) return Promise.resolve(createHash('sha256').update(readFileSync(file)).digest('hex'));
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Size and hash of every output file under `dir`. */
export async function recordOutputs(dir: string): Promise<OutputRecords> {
  const records: OutputRecords = {};
  for (const file of listOutputFiles(dir)) {
    const full = join(dir, ...file.split('/'));
    const size = statSync(full).size;
    records[file] = { size, sha256: await hashFile(full, size) };
  }
  return records;
}

/** What is wrong with an instance's files, one line each (empty when nothing is); `undefined` when it has no records. */
export async function checkOutputs(dir: string, records: OutputRecords | undefined, mode: IntegrityMode): Promise<string[] | undefined> {
  if (!records) return undefined;
  const problems: string[] = [];
  for (const [file, want] of Object.entries(records)) {
    const full = join(dir, ...file.split('/'));
    let size: number;
    try {
      size = statSync(full).size;
    } catch {
      problems.push(`${file} is missing`);
      continue;
    }
    if (size !== want.size) {
      problems.push(`${file} has ${size} bytes, but stage.json recorded ${want.size}`);
      continue;
    }
    if (mode === 'hash') {
      const sha = await hashFile(full, size);
      if (sha !== want.sha256) problems.push(`${file} has sha256 ${sha.slice(0, 12)}..., but stage.json recorded ${want.sha256.slice(0, 12)}... (same size: overwritten)`);
    }
  }
  return problems;
}

export interface InstanceIntegrity {
  /** `ok`, `damaged`, or `unrecorded` (committed before outputs were recorded: nothing to compare with). */
  readonly state: 'ok' | 'damaged' | 'unrecorded';
  readonly problems: readonly string[];
}

/** Checks a completed instance's folder against its stage.json. */
export async function verifyInstance(storeDir: string, loc: StoreLocation, mode: IntegrityMode): Promise<InstanceIntegrity> {
  const dir = artifactDir(storeDir, loc);
  if (!existsSync(join(dir, 'stage.json'))) return { state: 'damaged', problems: ['stage.json is missing'] };
  const record = readStageRecord(storeDir, loc);
  if (!record) return { state: 'damaged', problems: ['stage.json is not readable JSON'] };
  const problems = await checkOutputs(dir, record.outputs as OutputRecords | undefined, mode);
  if (problems === undefined) return { state: 'unrecorded', problems: [] };
  return { state: problems.length ? 'damaged' : 'ok', problems };
}

/** How to rebuild a damaged instance: delete its folder (nothing else refers to it by content) and run again. */
export function rebuildHint(dir: string, pipelineFile: string, profile?: string): string {
  const p = profile && profile !== 'default' ? ` --profile ${profile}` : '';
  return `rebuild it: rm -rf ${dir} && alsg run ${pipelineFile}${p}`;
}

/** The error a consumer raises when an input instance is damaged. */
export function damagedInputError(consumer: string, input: { address: string; dir: string }, problems: readonly string[], pipelineFile: string, profile?: string): AlsgError {
  const shown = problems.slice(0, 5).map((p) => `\n  - ${p}`).join('');
  const more = problems.length > 5 ? `\n  - ... and ${problems.length - 5} more` : '';
  return new AlsgError(
    'E_ARTIFACT',
    `${consumer}: input ${input.address} (${input.dir}) is damaged:${shown}${more}\n  ${rebuildHint(input.dir, pipelineFile, profile)}`,
    { stage: consumer, file: input.dir, input: input.address },
  );
}
