/**
 * `alsg ingest`: flags and --help come from the stage's params schema (params.ts, the generator's options included, via
 * tools/cli/src/stage-cli). By hand, --format is required (a pipeline defaults it to synthfer), --root is required
 * unless the format is synthfer, and the generator's seed defaults to the generator's own default rather than a
 * pipeline's seed.
 */
import type { StageCliHooks } from '@ldl-alsg/common';
import { SYNTHFER_OPTIONS_SCHEMA } from '@ldl-alsg/synthfer';

const GENERATOR_SEED = (SYNTHFER_OPTIONS_SCHEMA.properties as Record<string, { default?: unknown }>).seed?.default;

export const cli: StageCliHooks = {
  usage: [
    'alsg ingest --format <format> --root <dir> --out <dir> [options]',
    'alsg ingest --format synthfer --out <dir> [--profile <p>] [--seed <n>] [generator options]',
  ],
  about:
    'Reads a facial-expression dataset in its original layout (or generates the synthetic benchmark) and writes <out>/manifest.csv, <out>/ingest-report.json, <out>/distribution.npy where the source has label distributions, and <out>/images/ for converted images. An existing manifest in <out> is replaced only when the new one is complete. Formats, layouts and label mappings: docs/datasets.md.',
  prepare({ params, fail }) {
    if (params.format === undefined) fail('--format <format> is required');
    if (params.format !== 'synthfer' && !params.root) fail(`--root <dir> is required for --format ${String(params.format)}`);
    if (params.format === 'synthfer' && params.seed == null && typeof GENERATOR_SEED === 'number') params.seed = GENERATOR_SEED;
  },
};
