/**
 * Ceilings: what the synthetic benchmark's ingest knows is reachable on its test sets (`ceilings.json` beside the
 * manifests): the oracle (argmax of each face's true label distribution) and a classifier on the true AUs. They are
 * shown as two extra rows below the methods ("Ceiling: oracle", "Ceiling: AU features"), with Wild / Lab / All as
 * plain means of their per-set accuracies exactly as for results, and no paper value. They are not results: no
 * seeds, no sd, not in the reference comparison, and claims reach them only by their exact row label.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import type { ResultRecord } from './results';
import type { BuiltTable, TableCell, TableRow } from './table';

export const CEILINGS_SCHEMA = 'alsg-ceilings/1';

/** One ceiling: a description and accuracy (percent, against the test sets' given labels) per dataset name. */
export interface Ceiling {
  description: string;
  perSet: Record<string, number>;
}

/** ceilings.json. */
export interface CeilingsFile {
  schema: typeof CEILINGS_SCHEMA;
  oracle?: Ceiling;
  features?: Ceiling;
}

/** The ceiling rows, in display order: file key and row label. */
export const CEILING_ROWS = [
  { key: 'oracle', label: 'Ceiling: oracle' },
  { key: 'features', label: 'Ceiling: AU features' },
] as const;

export type CeilingKind = (typeof CEILING_ROWS)[number]['key'];

/** Reads `ceilings.json` from the first dataset folder that has one (merging per-set values across folders); null when none has. */
export function readCeilings(datasetDirs: readonly string[]): CeilingsFile | null {
  let merged: CeilingsFile | null = null;
  for (const dir of datasetDirs) {
    const file = join(dir, 'ceilings.json');
    if (!existsSync(file)) continue;
    let doc: CeilingsFile;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as CeilingsFile;
    } catch (cause) {
      throw new AlsgError('E_ARTIFACT', `${file}: not valid JSON`, { file, cause });
    }
    if (doc.schema !== CEILINGS_SCHEMA) throw new AlsgError('E_ARTIFACT', `${file}: schema must be "${CEILINGS_SCHEMA}", but got ${JSON.stringify(doc.schema)}`, { file });
    for (const { key } of CEILING_ROWS) {
      const c = doc[key];
      if (c === undefined) continue;
      if (typeof c !== 'object' || c === null || typeof c.perSet !== 'object' || c.perSet === null) {
        throw new AlsgError('E_ARTIFACT', `${file}: "${key}" must be {description, perSet: {dataset: accuracy %}}`, { file });
      }
      for (const [set, v] of Object.entries(c.perSet)) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
          throw new AlsgError('E_ARTIFACT', `${file}: ${key}.perSet["${set}"] must be an accuracy in percent (0-100), but got ${JSON.stringify(v)}`, { file });
        }
      }
    }
    if (!merged) merged = { schema: CEILINGS_SCHEMA };
    for (const { key } of CEILING_ROWS) {
      const c = doc[key];
      if (!c) continue;
      const prev = merged[key];
      merged[key] = { description: prev?.description ?? c.description ?? '', perSet: { ...(prev?.perSet ?? {}), ...c.perSet } };
    }
  }
  return merged;
}

function mean(v: number[]): number | null {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/**
 * Appends the ceiling rows to a built table (in place; returns it). Per-set cells take the file's value (by dataset
 * name); Wild / Lab / All are plain means over the test sets the results were evaluated on (domains from their
 * metrics.json), and stay empty when the file lacks one of those sets, so an average never silently covers fewer sets.
 */
export function addCeilingRows(table: BuiltTable, ceilings: CeilingsFile | null, results: readonly ResultRecord[]): BuiltTable {
  if (!ceilings) return table;
  const domains = new Map<string, string | null>();
  for (const r of results) for (const s of r.metrics.sets) if (!domains.has(s.dataset)) domains.set(s.dataset, s.domain);
  for (const { key, label } of CEILING_ROWS) {
    const c = ceilings[key];
    if (!c) continue;
    const value = (metric: string): number | null => {
      if (metric === 'wild' || metric === 'lab' || metric === 'all') {
        const sets = [...domains].filter(([, d]) => metric === 'all' || d === metric).map(([s]) => s);
        if (sets.some((s) => c.perSet[s] === undefined)) return null;
        return mean(sets.map((s) => c.perSet[s]));
      }
      return c.perSet[metric] ?? null;
    };
    const rowKey: Record<string, string> = {};
    table.rowFields.forEach((f, i) => (rowKey[f] = i === 0 ? label : ''));
    const cells: TableCell[][] = table.groups.map(() =>
      table.metrics.map((m) => {
        const v = value(m.key);
        return { metric: m.key, ours: v === null ? null : { mean: v, sd: 0, n: 1 }, values: [], seeds: [], paper: undefined, ceiling: true };
      }),
    );
    const row: TableRow = { key: rowKey, label, cells, ceiling: { kind: key, description: c.description } };
    table.rows.push(row);
  }
  return table;
}
