/**
 * ingest: a dataset in its original layout (or the synthetic benchmark) -> `manifest.csv`, optional
 * `distribution.npy`, converted `images/`, and `ingest-report.json` (docs/contracts.md, docs/datasets.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { PARAMS_SCHEMA, type IngestParams } from './params-schema';
import { describeIngest, runIngest } from './run-ingest';

export type { IngestParams } from './params-schema';

export const stage: StageDefinition<IngestParams> = {
  name: 'ingest',
  description: 'Reads a FER dataset (RAF-DB, AffectNet, FER2013, FERPlus, SFEW, CK+, ExpW, folder, CSV) or generates the synthetic benchmark into a manifest.',
  paramsSchema: PARAMS_SCHEMA,
  inputs: {},
  // The dataset folder (or CSV file) is fingerprinted into the key, so adding or changing an image makes ingest stale.
  sourceParams: ['root'],
  async run(ctx) {
    const result = await runIngest(ctx.params, ctx.outDir, { progress: ctx.progress, log: ctx.log, seed: ctx.seed });
    for (const line of describeIngest(result)) ctx.log(line);
    if (result.kind === 'real') {
      const r = result.report;
      ctx.record({ ingest: { format: r.format, dataset: r.dataset, rows: r.rows, splits: r.totals.bySplit, skipped: r.skipCounts } });
    } else {
      const r = result.report;
      ctx.record({ ingest: { format: 'synthfer', generator: r.generator, rows: r.n, profile: r.options.profile, seed: r.options.seed } });
    }
  },
};
