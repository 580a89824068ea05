/**
 * `alsg graph`: flags and --help come from the stage's params schema (tools/cli/src/stage-cli). The hooks keep the
 * command's second form, `--features <file.npy>` (every row of a matrix, no manifests), the extract slot's flag name
 * --extract, --exact, and --seed (the recall sample's seed, the pipeline's seed in a pipeline).
 */
import type { StageCliHooks } from '@ldl-alsg/common';
import { runGraphFromFeatures, type GraphRunOptions, type GraphSpace } from './run-graph';

export const cli: StageCliHooks = {
  usage: [
    'alsg graph --extract <dir> --dataset <dir> [--dataset <dir> ...] --space au|landmarks [options] --out <dir>',
    'alsg graph --features <file.npy> --k <k> --sigma <s> [--exact] [--mode exact|ivf|hnsw|auto] --out <dir>',
  ],
  about:
    "Builds a kNN graph (the paper's index-similarity list) with FAISS: for every row its k nearest other rows and the Eq. 3 similarities a_ij = exp(-||l_i - l_j||^2 / (2 sigma^2)). Writes <out>/neighbors.npy (int32 [n,k], -1 outside the graph), <out>/similarity.npy (float32 [n,k]), <out>/graph.json (mode, parameters, rows, recall, timings) and <out>/diagnostics.json (docs/graph.md). With --extract/--dataset the graph holds the split=train rows whose extract status is ok, aligned with the manifest rows; with --features every row of the float32 [n,d] .npy is in the graph (--space then only sets the sigma default and checks d).",
  inputFlags: { features: 'extract' },
  flags: {
    features: { placeholder: '<file.npy>', description: 'Plain form: a float32 [n,d] .npy whose every row is in the graph (instead of --extract and --dataset).' },
    exact: { description: 'an exact (flat) index.' },
    seed: { placeholder: '<n>', description: 'Seed of the recall sample and the diagnostics (in a pipeline: the pipeline\'s seed). Default 0.' },
  },
  footer: 'Needs the native FAISS build: bash tools/native/build.sh (run by npm run setup).',
  prepare(args) {
    const { params, inputs, own, fail } = args;
    if (own.seed !== undefined) {
      const text = (own.seed as string[]).at(-1)!;
      if (!/^-?\d+$/.test(text.trim())) fail(`--seed must be an integer, but got "${text}"`);
      args.seed = Number(text);
    }
    if (own.exact) {
      if (params.mode !== undefined && params.mode !== 'exact') fail(`--exact contradicts --mode ${String(params.mode)}`);
      params.mode = 'exact';
    }
    if (own.features !== undefined) {
      if (inputs.features !== undefined || inputs.dataset !== undefined) fail('use either --features or --extract with --dataset, not both');
      if (params.sigma === undefined && params.sigmaRelative === undefined && params.space === undefined) {
        fail('--sigma is required with --features unless --space is given (paper: 1 for au, 68 for landmarks)');
      }
    } else if (!inputs.features?.length || !inputs.dataset?.length) {
      fail('give --features <file.npy>, or --extract <dir> with --dataset <dir>');
    }
  },
  alternative: {
    applies: (own) => own.features !== undefined,
    async run({ params, own, outDir, seed, log }) {
      const { space, ...options } = params as GraphRunOptions & { space?: GraphSpace };
      const info = await runGraphFromFeatures((own.features as string[]).at(-1)!, { ...options, space, seed }, outDir, { log });
      const recall = info.recall as { value: number | null; sample: number };
      log(`sigma ${Number(info.sigma).toPrecision(4)}, ${String((info.rows as { inGraph: number }).inGraph)} rows, mode ${String(info.mode)}, k ${String(info.k)}, recall@k ${recall.value === null ? 'not measured' : `${recall.value.toFixed(4)} (${recall.sample} rows)`} -> ${outDir}`);
    },
  },
};
