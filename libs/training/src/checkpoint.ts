/**
 * Epoch checkpoints of a training phase, kept in the stage's scratch folder so a killed run resumes. One JSON file names
 * one binary file holding every weight, extra variable and optimiser velocity (float32, concatenated); the JSON is written
 * last and atomically, so a kill mid-write leaves the previous checkpoint valid.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { writeFileAtomic, writeJsonAtomic } from '@ldl-alsg/artifacts';

export interface CheckpointState {
  /** Training configuration fingerprint; a checkpoint written under another configuration is not resumed. */
  fingerprint: string;
  /** Epochs completed. */
  epochsDone: number;
  /** Optimisation steps completed. */
  step: number;
  /** Size of the training log (bytes) when the checkpoint was written: the log is truncated to it on resume. */
  logBytes: number;
  /** Weight groups, each a list of float32 arrays with shapes (model weights, extra variables, velocities). */
  groups: Record<string, { data: Float32Array; shape: number[] }[]>;
  /** Method-specific JSON state (e.g. NAL's phase). */
  extra?: Record<string, unknown>;
}

const META = 'checkpoint.json';

/** Writes `state` into `dir` (replacing the previous checkpoint). */
export function saveCheckpoint(dir: string, state: CheckpointState): void {
  const binName = `checkpoint-e${state.epochsDone}.bin`;
  const layout: Record<string, { shape: number[]; offset: number; length: number }[]> = {};
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const [name, arrays] of Object.entries(state.groups)) {
    layout[name] = arrays.map((a) => {
      const entry = { shape: a.shape, offset, length: a.data.length };
      offset += a.data.length;
      parts.push(a.data);
      return entry;
    });
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  writeFileAtomic(join(dir, binName), new Uint8Array(all.buffer));
  const { groups: _groups, ...rest } = state;
  writeJsonAtomic(join(dir, META), { ...rest, bin: binName, layout });
  for (const f of readdirSync(dir)) if (/^checkpoint-e\d+\.bin$/.test(f) && f !== binName) rmSync(join(dir, f), { force: true });
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export function loadCheckpoint(dir: string): CheckpointState | undefined {
  const metaFile = join(dir, META);
  if (!existsSync(metaFile)) return undefined;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Omit<CheckpointState, 'groups'> & {
    bin: string;
    layout: Record<string, { shape: number[]; offset: number; length: number }[]>;
  };
  const binFile = join(dir, meta.bin);
  if (!existsSync(binFile)) throw new AlsgError('E_ARTIFACT', `${metaFile}: names ${meta.bin}, which is missing`, { file: metaFile });
  const buf = readFileSync(binFile);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const groups: CheckpointState['groups'] = {};
  for (const [name, entries] of Object.entries(meta.layout)) {
    groups[name] = entries.map((e) => ({ shape: e.shape, data: all.slice(e.offset, e.offset + e.length) }));
  }
  const { bin: _bin, layout: _layout, ...rest } = meta;
  return { ...rest, groups };
}
