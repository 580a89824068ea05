/**
 * The ingest work shared by the stage and the CLI: a real dataset through @ldl-alsg/datasets, or the synthetic
 * benchmark through @ldl-alsg/synthfer, each written so that `outDir` never holds a partial manifest.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { ingestDataset, type IngestReport } from '@ldl-alsg/datasets';
import { REAL_PROPERTIES, toIngestOptions, type IngestParams } from './params-schema';
import { computeSynthferCeilings, type SynthferReport } from '@ldl-alsg/synthfer';
import { writeJsonAtomic } from '@ldl-alsg/artifacts';
import { runSynthfer } from './synthfer-bridge';

export interface RunIngestHooks {
  progress?: (label: string, total: number | undefined, unit?: string) => Progress;
  log?: (message: string) => void;
  /** Seed used by synthfer when params.seed is null (the pipeline's seed); absent = the generator's default. */
  seed?: number;
}

export type RunIngestResult = { kind: 'real'; report: IngestReport } | { kind: 'synthfer'; report: SynthferReport };

/** Moves every entry of `staging` into `outDir`, the old manifest removed first and the new one moved last. */
function moveIntoPlace(staging: string, outDir: string): void {
  rmSync(join(outDir, 'manifest.csv'), { force: true });
  const names = readdirSync(staging).filter((n) => n !== 'manifest.csv');
  for (const name of [...names, 'manifest.csv']) {
    const source = join(staging, name);
    if (!existsSync(source)) continue;
    rmSync(join(outDir, name), { recursive: true, force: true });
    renameSync(source, join(outDir, name));
  }
}

/** Options for the generator: every param that is not a real-dataset one, with the seed resolved. */
export function synthferOptions(params: IngestParams, seed: number | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) if (!(name in REAL_PROPERTIES) && value !== undefined && value !== null) options[name] = value;
  if (options.seed === undefined && seed !== undefined) options.seed = seed;
  return options;
}

/** Runs ingest for `params` into `outDir`. */
export async function runIngest(params: IngestParams, outDir: string, hooks: RunIngestHooks = {}): Promise<RunIngestResult> {
  if (params.format !== 'synthfer') {
    if (!params.root) throw new AlsgError('E_CONFIG', `ingest: root must name the dataset folder for format ${params.format}, but it is empty`, { path: 'root' });
    const report = await ingestDataset(toIngestOptions(params), outDir, hooks);
    return { kind: 'real', report };
  }
  if (params.limit > 0) {
    throw new AlsgError('E_CONFIG', `ingest: limit applies to real datasets; for synthfer set sizes (or profile: smoke), but got limit ${params.limit}`, { path: 'limit' });
  }
  mkdirSync(outDir, { recursive: true });
  const staging = join(outDir, `.synthfer-staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    const report = await runSynthfer(synthferOptions(params, hooks.seed), staging, { progress: hooks.progress });
    if (!existsSync(join(staging, 'manifest.csv'))) throw new AlsgError('E_STAGE', 'ingest: synthfer finished without writing manifest.csv');
    // what any method could reach on each test set (libs/synthfer/src/ceilings.ts); the report shows it beside the results
    const t = performance.now();
    writeJsonAtomic(join(staging, 'ceilings.json'), computeSynthferCeilings(staging));
    hooks.log?.(`ingest synthfer: ceilings.json in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    moveIntoPlace(staging, outDir);
    return { kind: 'synthfer', report };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Short human summary of a real-dataset report (log lines). */
export function describeIngest(result: RunIngestResult): string[] {
  if (result.kind === 'synthfer') {
    const r = result.report;
    return [`ingest synthfer ${r.generator.version} (profile ${r.options.profile}, seed ${r.options.seed}): ${r.n} images in ${r.seconds.toFixed(1)} s (${Math.round(r.imagesPerSecond)} images/s)`];
  }
  const r = result.report;
  const splits = Object.entries(r.totals.bySplit).map(([s, n]) => `${s} ${n}`).join(', ');
  const skipped = Object.values(r.skipCounts).reduce((a, b) => a + b, 0);
  const skips = Object.entries(r.skipCounts).map(([s, n]) => `${s} ${n}`).join(', ');
  return [
    `ingest ${r.format} (${r.dataset}, ${r.domain}): ${r.rows} rows (${splits}) from ${r.root}`,
    `skipped ${skipped}${skips ? ` (${skips})` : ''}; distributions ${r.distribution ? `${r.distribution.known} known` : 'none'}; images checked ${r.images.checked} (${r.images.check}), written ${r.images.written}`,
  ];
}
