/**
 * `manifest.csv`, the contract between ingest and every later stage. One row per face image; every per-image array of
 * later stages (`au.npy`, `landmarks.npy`, `neighbors.npy`, labels, predictions) is aligned with these rows, in order.
 *
 * Columns (required): id, path, label, dataset, split. Optional: domain (wild | lab), subject, source_label.
 * - path: relative to the folder holding manifest.csv, or absolute (real datasets stay where the user keeps them).
 * - label: canonical class name (see @ldl-alsg/labels CLASSES).
 * - split: train | val | test.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { formatCsv, readCsv, requireColumns, writeFileAtomic } from '@ldl-alsg/artifacts';
import { classIndex, CLASSES } from '@ldl-alsg/labels';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];
export const MANIFEST_COLUMNS = ['id', 'path', 'label', 'dataset', 'split', 'domain', 'subject', 'source_label'] as const;
export const REQUIRED_MANIFEST_COLUMNS = ['id', 'path', 'label', 'dataset', 'split'] as const;

export interface ManifestRow {
  id: string;
  /** Absolute path of the image once read through {@link readManifest}. */
  path: string;
  label: string;
  /** Index of `label` in CLASSES. */
  labelIndex: number;
  dataset: string;
  split: Split;
  domain?: 'wild' | 'lab';
  subject?: string;
  source_label?: string;
}

export interface Manifest {
  /** Folder the manifest(s) came from (the first one when concatenated). */
  dir: string;
  rows: ManifestRow[];
}

/** Reads `<dir>/manifest.csv`, resolving paths and validating labels, splits and unique ids. */
export function readManifest(dir: string): Manifest {
  const file = join(dir, 'manifest.csv');
  if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: manifest not found (expected the output of an ingest stage)`, { file });
  const table = readCsv(file);
  requireColumns(table, REQUIRED_MANIFEST_COLUMNS, file);
  const seen = new Set<string>();
  const rows = table.rows.map((r, k): ManifestRow => {
    const line = table.lines[k];
    const labelIndex = classIndex(r.label);
    if (labelIndex < 0) {
      throw new AlsgError('E_INPUT', `${file}:${line}: label must be one of ${CLASSES.join(', ')}, but got "${r.label}"`, { file, line });
    }
    if (!(SPLITS as readonly string[]).includes(r.split)) {
      throw new AlsgError('E_INPUT', `${file}:${line}: split must be one of ${SPLITS.join(', ')}, but got "${r.split}"`, { file, line });
    }
    if (seen.has(r.id)) throw new AlsgError('E_INPUT', `${file}:${line}: duplicate id "${r.id}"`, { file, line });
    seen.add(r.id);
    const domain = r.domain === 'wild' || r.domain === 'lab' ? r.domain : undefined;
    return {
      id: r.id,
      path: isAbsolute(r.path) ? r.path : resolve(dir, r.path),
      label: r.label,
      labelIndex,
      dataset: r.dataset,
      split: r.split as Split,
      domain,
      subject: r.subject || undefined,
      source_label: r.source_label || undefined,
    };
  });
  return { dir, rows };
}

/** Reads several ingest outputs and concatenates them in order (ids must stay unique across them). */
export function readManifests(dirs: readonly string[]): Manifest {
  if (dirs.length === 0) throw new AlsgError('E_INPUT', 'at least one dataset (ingest output) is required');
  const parts = dirs.map(readManifest);
  const seen = new Map<string, string>();
  for (const part of parts) {
    for (const row of part.rows) {
      const other = seen.get(row.id);
      if (other !== undefined) {
        throw new AlsgError('E_INPUT', `duplicate id "${row.id}" in ${join(part.dir, 'manifest.csv')} and ${join(other, 'manifest.csv')}`);
      }
      seen.set(row.id, part.dir);
    }
  }
  return { dir: dirs[0], rows: parts.flatMap((p) => p.rows) };
}

/** Writes `<dir>/manifest.csv` atomically; paths are written as given (make them relative to `dir` when they live inside it). */
export function writeManifest(dir: string, rows: readonly Omit<ManifestRow, 'labelIndex'>[]): void {
  writeFileAtomic(join(dir, 'manifest.csv'), formatCsv(MANIFEST_COLUMNS, rows as unknown as Record<string, string>[]));
}
