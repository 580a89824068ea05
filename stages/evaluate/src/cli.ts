/**
 * `alsg evaluate`: flags and --help come from the stage's params schema (tools/cli/src/stage-cli); this adds the older
 * spelling --tag key=value (one descriptor per flag).
 */
import type { StageCliHooks } from '@ldl-alsg/common';

export const cli: StageCliHooks = {
  usage: ['alsg evaluate --model <train dir> --dataset <ingest dir> [--dataset <dir> ...] [options] --out <dir>'],
  about:
    'Predicts every split=test row of the given manifests with the trained model and writes <out>/metrics.json (per-set n and accuracy, Wild/Lab/All as plain means of per-set accuracies, LDL metrics and ECE where distribution.npy is known), predictions.npy (float32 [n_test, 7]), predictions.csv and confusion.csv.',
  flags: { tag: { param: 'tags', placeholder: '<key=value>', multiple: true, description: 'one descriptor override, e.g. --tag noise=ABC (repeatable).' } },
};
