/**
 * Where a report's data came from, read from the ingest outputs it was given: for the synthetic benchmark, the
 * generator's version, profile and seed (ingest-report.json), so a report of a held-out seed says so at the top and two
 * reports of different seeds cannot be mistaken for one another.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';

/** One synthetic dataset's generator settings. */
export interface GeneratorSource {
  generator: string;
  version: string;
  profile: string;
  seed: number;
}

interface IngestReportHead {
  format?: string;
  generator?: { name?: string; version?: string };
  options?: { profile?: string; seed?: number };
}

/**
 * The synthfer generator settings of each dataset folder that has them (real-data ingests have none), without
 * repeats. A synthfer report lacking its generator, profile or seed is refused: it could not have come from the stage.
 */
export function readGeneratorSources(datasetDirs: readonly string[]): GeneratorSource[] {
  const out = new Map<string, GeneratorSource>();
  for (const dir of datasetDirs) {
    const file = join(dir, 'ingest-report.json');
    if (!existsSync(file)) continue;
    let doc: IngestReportHead;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8')) as IngestReportHead;
    } catch (cause) {
      throw new AlsgError('E_ARTIFACT', `${file}: not valid JSON`, { file, cause });
    }
    if (doc.format !== 'synthfer') continue;
    const { name, version } = doc.generator ?? {};
    const { profile, seed } = doc.options ?? {};
    if (typeof name !== 'string' || typeof version !== 'string' || typeof profile !== 'string' || !Number.isInteger(seed)) {
      throw new AlsgError('E_ARTIFACT', `${file}: a synthfer ingest report must have generator.name, generator.version, options.profile and an integer options.seed`, { file });
    }
    const source = { generator: name, version, profile, seed: seed as number };
    out.set(JSON.stringify(source), source);
  }
  return [...out.values()];
}

/** "@ldl-alsg/synthfer 1.0.1, profile default, seed 1" (several joined by "; "). */
export function describeGeneratorSources(sources: readonly GeneratorSource[]): string {
  return sources.map((s) => `${s.generator} ${s.version}, profile ${s.profile}, seed ${s.seed}`).join('; ');
}
