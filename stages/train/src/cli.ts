/**
 * `alsg train`: flags and --help come from the stage's params schema (params-schema.ts, via tools/cli/src/stage-cli);
 * this names the graphs slot --graph and keeps the shorter AIR spellings.
 */
import type { StageCliHooks } from '@ldl-alsg/common';

export const cli: StageCliHooks = {
  usage: [
    'alsg train --dataset <ingest dir> [--dataset ...] [--graph <graph dir> ...] [--labels <noise dir>] --method <m> [options] --out <dir>',
  ],
  about:
    'Trains on the split=train rows; writes <out>/model/model.json + weights.bin (TF.js layers format, logits output), <out>/train-log.jsonl and <out>/train-summary.json. Checkpoints go to --scratch (default <out>/.scratch): re-running the same command after a kill resumes from the last finished epoch. Defaults: the paper\'s optimiser, the embedded CPU backbone.',
  inputFlags: { graphs: 'graph' },
  flags: {
    'air-count': { param: 'air.auxiliaryCount', description: 'AIR auxiliary set size.' },
    'air-per-batch': { param: 'air.auxiliaryPerBatch', description: 'AIR auxiliary images per step.' },
    'air-labels': { param: 'air.auxiliaryLabels', description: 'AIR auxiliary labels: truth | given.' },
  },
  scratch: true,
};
