/**
 * Fingerprints of data a stage reads from outside the store (a dataset folder for ingest). A content key covers
 * parameters, inputs, seed and code; without this, adding an image to a dataset folder would leave the ingest instance
 * `done`. The fingerprint is every file's relative path, size and modification time (stat only, no reads), so it stays
 * fast on folders of hundreds of thousands of images (docs/pipelines.md gives a measurement); it joins the key and
 * stage.json, and `alsg status` says what changed. A stage names the parameters holding such paths in
 * `StageDefinition.sourceParams`; the stage's metadata (cached on disk) carries them, so planning reads no stage code.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExpandedInstance } from '../definition/expand-pipeline';

export interface SourceFingerprint {
  /** The parameter that names the source (e.g. `root`). */
  readonly param: string;
  /** The path as written in the pipeline. */
  readonly path: string;
  /** Regular files found (0 when the path is missing). */
  readonly files: number;
  /** Their total size in bytes. */
  readonly bytes: number;
  /** Whether the path exists. */
  readonly exists: boolean;
  /** sha256 (hex, 20 characters) over every file's relative path, size and mtime, in path order. */
  readonly digest: string;
}

/**
 * Fingerprint of a file or folder (followed through symbolic links; a folder reached twice is walked once). Files that
 * vanish while walking are left out, as if they had gone a moment earlier.
 */
export function fingerprintPath(path: string, label: { param: string; written: string } = { param: 'path', written: path }): SourceFingerprint {
  const hash = createHash('sha256');
  let files = 0;
  let bytes = 0;
  let top: Stats;
  try {
    top = statSync(path);
  } catch {
    return { param: label.param, path: label.written, files: 0, bytes: 0, exists: false, digest: hash.update('missing').digest('hex').slice(0, 20) };
  }
  const entries: string[] = [];
  const add = (rel: string, st: Stats): void => {
    files++;
    bytes += st.size;
    entries.push(`${rel}\0${st.size}\0${Math.round(st.mtimeMs)}`);
  };
  if (top.isFile()) add('', top);
  else {
    const seen = new Set<string>();
    const walk = (dir: string, rel: string, st: Stats): void => {
      const id = `${st.dev}:${st.ino}`;
      if (seen.has(id)) return;
      seen.add(id);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const full = join(dir, name);
        const r = rel ? `${rel}/${name}` : name;
        let s: Stats;
        try {
          s = statSync(full);
        } catch {
          continue;
        }
        if (s.isDirectory()) walk(full, r, s);
        else if (s.isFile()) add(r, s);
      }
    };
    walk(path, '', top);
  }
  entries.sort();
  for (const e of entries) hash.update(`${e}\n`);
  return { param: label.param, path: label.written, files, bytes, exists: true, digest: hash.digest('hex').slice(0, 20) };
}

/**
 * The fingerprint function planning uses: for each instance whose stage declares source parameters (from the stages'
 * metadata), the fingerprints of the paths those parameters hold (relative paths resolve against `root`, the
 * workspace, which is where stage processes run). Instances without such parameters, or with them empty, get none.
 */
export function sourceFingerprinter(
  sourceParamsOf: (stage: string) => readonly string[] | undefined,
  root: string,
): (inst: ExpandedInstance) => SourceFingerprint[] | undefined {
  return (inst) => {
    const params = sourceParamsOf(inst.stage);
    if (!params?.length) return undefined;
    const out: SourceFingerprint[] = [];
    for (const param of params) {
      const value = inst.params[param];
      if (typeof value !== 'string' || value === '') continue;
      out.push(fingerprintPath(isAbsolute(value) ? value : resolve(root, value), { param, written: value }));
    }
    return out.length ? out : undefined;
  };
}

/** What differs between two fingerprint lists, in words (empty when nothing does). */
export function describeSourceChange(before: readonly SourceFingerprint[] | undefined, now: readonly SourceFingerprint[] | undefined): string[] {
  const reasons: string[] = [];
  const prev = new Map((before ?? []).map((f) => [f.param, f]));
  for (const f of now ?? []) {
    const p = prev.get(f.param);
    prev.delete(f.param);
    if (p && p.digest === f.digest) continue;
    if (!p) reasons.push(`source ${f.param} ${f.path} is new`);
    else if (!f.exists) reasons.push(`source ${f.param} ${f.path} is missing`);
    else if (p.path !== f.path) reasons.push(`source ${f.param}: ${p.path} -> ${f.path}`);
    else if (p.files !== f.files || p.bytes !== f.bytes) reasons.push(`source ${f.param} ${f.path} changed: ${p.files} -> ${f.files} files, ${p.bytes} -> ${f.bytes} bytes`);
    else reasons.push(`source ${f.param} ${f.path} changed: same ${f.files} files and size, but names or modification times differ`);
  }
  for (const p of prev.values()) reasons.push(`source ${p.param} ${p.path} no longer read`);
  return reasons;
}
