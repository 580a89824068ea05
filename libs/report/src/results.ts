/**
 * Reading evaluate outputs (metrics.json) for a report, and what they say about how they were produced (provenance).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { type EvaluationMetrics, METRICS_SCHEMA } from '@ldl-alsg/evaluation';
import type { GeneratorSource } from './data-sources';
import { describeRun } from './descriptors';
import { type PredictionSet, readPredictions } from './predictions';

/** One evaluate result with its descriptor fields. */
export interface ResultRecord {
  /** Folder it was read from (or a label in tests). */
  dir: string;
  metrics: EvaluationMetrics;
  /** Descriptor fields (see descriptors.ts). */
  descriptor: Record<string, string>;
  /** Per-image correctness from predictions.csv beside metrics.json (for the paired bootstrap); absent without the file. */
  predictions?: PredictionSet[] | null;
}

/** Wraps an in-memory metrics object as a record (derives its descriptor). */
export function toResultRecord(dir: string, metrics: EvaluationMetrics, predictions?: PredictionSet[] | null): ResultRecord {
  return { dir, metrics, descriptor: describeRun(metrics.run), ...(predictions ? { predictions } : {}) };
}

/** Reads `<dir>/metrics.json` (and `predictions.csv` when present) of each evaluate output, checking the layout version. */
export function readResults(dirs: readonly string[]): ResultRecord[] {
  if (dirs.length === 0) throw new AlsgError('E_INPUT', 'report: no results (evaluate outputs) were given');
  return dirs.map((dir) => {
    const file = join(dir, 'metrics.json');
    if (!existsSync(file)) throw new AlsgError('E_ARTIFACT', `${file}: not found (expected the output of an evaluate stage)`, { file });
    let metrics: EvaluationMetrics;
    try {
      metrics = JSON.parse(readFileSync(file, 'utf8')) as EvaluationMetrics;
    } catch (cause) {
      throw new AlsgError('E_ARTIFACT', `${file}: not valid JSON`, { file, cause });
    }
    if (metrics.schema !== METRICS_SCHEMA) {
      throw new AlsgError('E_ARTIFACT', `${file}: schema must be "${METRICS_SCHEMA}", but got ${JSON.stringify(metrics.schema)}`, { file });
    }
    return toResultRecord(dir, metrics, readPredictions(dir, metrics.sets));
  });
}

/** What produced a report: stated at the top of every report. */
export interface Provenance {
  /** synthetic | real | mixed (synthetic = dataset names ending in "-syn", the synthfer benchmark). */
  data: string;
  /** Test sets with their sizes (n test rows), in first-appearance order. */
  testSets: { dataset: string; domain: string | null; n: number }[];
  /** Training/validation sizes per dataset, when the report was given the ingest outputs. */
  trainSizes?: { dataset: string; train: number; val: number; test: number }[];
  /** The synthetic benchmark's generator settings (version, profile, seed), when the report was given the ingest outputs. */
  generators?: GeneratorSource[];
  backbones: string[];
  /** TF.js backends the models were trained on. */
  backends: string[];
  /** TF.js backends the evaluate stage predicted with. */
  inferenceBackends: string[];
  methods: string[];
  /** Distinct train seeds and how many results there are. */
  seeds: number[];
  results: number;
}

/** Collects provenance over all results. */
export function collectProvenance(results: readonly ResultRecord[]): Provenance {
  const sets = new Map<string, { dataset: string; domain: string | null; n: number }>();
  for (const r of results) for (const s of r.metrics.sets) if (!sets.has(s.dataset)) sets.set(s.dataset, { dataset: s.dataset, domain: s.domain, n: s.n });
  const names = [...sets.keys()];
  const syn = names.filter((n) => n.endsWith('-syn')).length;
  const uniq = <T>(v: T[]): T[] => [...new Set(v)];
  return {
    data: syn === names.length ? 'synthetic (synthfer benchmark)' : syn === 0 ? 'real' : 'mixed synthetic and real',
    testSets: [...sets.values()],
    backbones: uniq(results.map((r) => r.metrics.run.backbone ?? '?')),
    backends: uniq(results.map((r) => r.metrics.run.backend ?? 'unknown')),
    inferenceBackends: uniq(results.flatMap((r) => (r.metrics.inference ? [r.metrics.inference.backend] : []))),
    methods: uniq(results.map((r) => r.descriptor.method)),
    seeds: uniq(results.map((r) => r.metrics.run.seed).filter((s): s is number => typeof s === 'number')).sort((a, b) => a - b),
    results: results.length,
  };
}
