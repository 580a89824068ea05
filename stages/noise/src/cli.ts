/**
 * `alsg noise`: flags and --help come from the stage's params schema (tools/cli/src/stage-cli); this adds the older
 * spelling --per-sample.
 */
import type { StageCliHooks } from '@ldl-alsg/common';

export const cli: StageCliHooks = {
  usage: ['alsg noise --dataset <ingest dir> [--dataset <dir> ...] --mode <mode> [options] --out <dir>'],
  about:
    'Synthesises label noise on the train rows of the given manifests (val/test rows are never changed). Writes <out>/labels.csv (id,original,label | id,original,label_a,label_b,...) and <out>/noise-report.json.',
  flags: { 'per-sample': { param: 'exact', value: false, description: 'change each train label with probability rate instead of exactly round(rate * n).' } },
};
