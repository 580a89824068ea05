/**
 * `alsg graph`: the graph stage outside a pipeline. Two forms:
 *   alsg graph --features <file.npy> --k <k> --sigma <s> [--exact | --mode ...] --out <dir>     every row of the .npy
 *   alsg graph --extract <dir> --dataset <dir> [--dataset ...] --space au|landmarks [...] --out <dir>   the stage form
 */
import { parseArgs } from 'node:util';
import { AlsgError, parseNumberFlag } from '@ldl-alsg/common';
import { GRAPH_SPACES, LANDMARK_FORMS, runGraphFromExtract, runGraphFromFeatures, type GraphRunOptions, type GraphSpace } from './run-graph';

const HELP = `Usage: alsg graph --features <file.npy> --k <k> --sigma <s> [--exact] [--mode exact|ivf|hnsw|auto] --out <dir>
       alsg graph --extract <dir> --dataset <dir> [--dataset <dir> ...] --space au|landmarks [options] --out <dir>

Builds a kNN graph (the paper's index-similarity list) with FAISS: for every row its k nearest other rows and the
Eq. 3 similarities a_ij = exp(-||l_i - l_j||^2 / (2 sigma^2)). Writes <out>/neighbors.npy (int32 [n,k], -1 outside
the graph), <out>/similarity.npy (float32 [n,k]), <out>/graph.json (mode, parameters, rows, recall, timings) and
<out>/diagnostics.json (a_ij against random pairs; with --dataset also label agreement and, where the ingest output
has distribution.npy, distances between true label distributions; docs/graph.md).
With --features every row of the float32 [n,d] .npy is in the graph; with --extract/--dataset the graph holds the
split=train rows whose extract status is ok, and outputs are aligned with the manifest rows.

Options:
  --features <file>       float32 [n,d] .npy (plain form)
  --extract <dir>         extract stage output (au.npy, landmarks.npy, status.csv) (stage form)
  --dataset <dir>         ingest output holding manifest.csv (stage form; repeatable, concatenated in order)
  --space <s>             au | landmarks (stage form: required; plain form: sets the sigma default and checks d)
  --k <k>                 neighbours per row (default 4)
  --sigma <s>             Eq. 3 bandwidth (default: 1 for au, 68 for landmarks; required in the plain form without --space)
  --sigma-relative <r>    landmarks: sigma = r x the mean face size (RMS distance of the points from their centroid)
  --landmarks <form>      landmarks: raw (default, the paper) | aligned (Procrustes onto the mean shape, size 1)
  --standardize           standardise columns (mean 0, sd 1) before searching
  --exact                 same as --mode exact
  --mode <m>              exact | ivf | hnsw | auto (default auto: exact up to 50,000 rows, else hnsw)
  --backend <b>           auto | companion | faiss-node (default auto)
  --nlist <n> --nprobe <n>              IVF parameters
  --M <n> --ef-construction <n> --ef-search <n>   HNSW parameters
  --pca <n>               ivf/hnsw: search a PCA projection to n dimensions, re-rank exactly (default 0 = off)
  --candidates <n>        ivf/hnsw: candidates per row before exact re-ranking (default k+1, 2k+1 with --pca)
  --recall-sample <n>     rows used to measure recall@k of an approximate graph (default 1000; 0 = off)
  --seed <n>              seed of the recall sample (default 0)
  --out <dir>             output folder
  -h, --help              this text

Needs the native FAISS build: bash tools/native/build.sh (run by npm run setup).
`;

const int = (text: string | undefined, flag: string): number | undefined => parseNumberFlag('graph', flag, text, true);

/** Runs the graph CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      features: { type: 'string' },
      extract: { type: 'string' },
      dataset: { type: 'string', multiple: true },
      space: { type: 'string' },
      k: { type: 'string', default: '4' },
      sigma: { type: 'string' },
      'sigma-relative': { type: 'string' },
      landmarks: { type: 'string' },
      standardize: { type: 'boolean', default: false },
      exact: { type: 'boolean', default: false },
      mode: { type: 'string' },
      backend: { type: 'string' },
      nlist: { type: 'string' },
      nprobe: { type: 'string' },
      M: { type: 'string' },
      'ef-construction': { type: 'string' },
      'ef-search': { type: 'string' },
      'recall-sample': { type: 'string' },
      pca: { type: 'string' },
      candidates: { type: 'string' },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.out) throw new AlsgError('E_USAGE', 'alsg graph: --out <dir> is required\n\n' + HELP);
  if (values.space !== undefined && !(GRAPH_SPACES as readonly string[]).includes(values.space)) {
    throw new AlsgError('E_USAGE', `alsg graph: --space must be one of ${GRAPH_SPACES.join(', ')}, but got "${values.space}"`);
  }
  if (values.exact && values.mode !== undefined && values.mode !== 'exact') {
    throw new AlsgError('E_USAGE', `alsg graph: --exact contradicts --mode ${values.mode}`);
  }
  let sigma: number | undefined;
  if (values.sigma !== undefined) {
    sigma = Number(values.sigma);
    if (values.sigma.trim() === '' || !Number.isFinite(sigma) || sigma <= 0) {
      throw new AlsgError('E_USAGE', `alsg graph: --sigma must be a finite number > 0, but got "${values.sigma}"`);
    }
  }
  let sigmaRelative: number | undefined;
  if (values['sigma-relative'] !== undefined) {
    sigmaRelative = Number(values['sigma-relative']);
    if (values['sigma-relative'].trim() === '' || !Number.isFinite(sigmaRelative) || sigmaRelative <= 0) {
      throw new AlsgError('E_USAGE', `alsg graph: --sigma-relative must be a finite number > 0, but got "${values['sigma-relative']}"`);
    }
  }
  if (values.landmarks !== undefined && !(LANDMARK_FORMS as readonly string[]).includes(values.landmarks)) {
    throw new AlsgError('E_USAGE', `alsg graph: --landmarks must be one of ${LANDMARK_FORMS.join(', ')}, but got "${values.landmarks}"`);
  }
  const options: GraphRunOptions = {
    k: int(values.k, '--k'),
    sigma,
    sigmaRelative,
    landmarks: values.landmarks as GraphRunOptions['landmarks'],
    standardize: values.standardize,
    mode: (values.exact ? 'exact' : values.mode) as GraphRunOptions['mode'],
    backend: values.backend as GraphRunOptions['backend'],
    nlist: int(values.nlist, '--nlist'),
    nprobe: int(values.nprobe, '--nprobe'),
    M: int(values.M, '--M'),
    efConstruction: int(values['ef-construction'], '--ef-construction'),
    efSearch: int(values['ef-search'], '--ef-search'),
    recallSample: int(values['recall-sample'], '--recall-sample'),
    pca: int(values.pca, '--pca'),
    candidates: int(values.candidates, '--candidates'),
    seed: int(values.seed, '--seed'),
  };
  const space = values.space as GraphSpace | undefined;
  let info: Record<string, unknown>;
  if (values.features !== undefined) {
    if (values.extract !== undefined || values.dataset !== undefined) throw new AlsgError('E_USAGE', 'alsg graph: use either --features or --extract with --dataset, not both');
    if (sigma === undefined && sigmaRelative === undefined && space === undefined) throw new AlsgError('E_USAGE', 'alsg graph: --sigma is required with --features unless --space is given (paper: 1 for au, 68 for landmarks)');
    info = await runGraphFromFeatures(values.features, { ...options, space }, values.out, { log: (l) => process.stderr.write(l + '\n') });
  } else {
    if (values.extract === undefined || !values.dataset?.length) throw new AlsgError('E_USAGE', 'alsg graph: give --features <file.npy>, or --extract <dir> with --dataset <dir>\n\n' + HELP);
    if (space === undefined) throw new AlsgError('E_USAGE', 'alsg graph: --space au|landmarks is required with --extract');
    info = await runGraphFromExtract(values.dataset, values.extract, space, options, values.out, { log: (l) => process.stderr.write(l + '\n') });
  }
  const recall = info.recall as { value: number | null; sample: number };
  process.stderr.write(
    `graph: sigma ${Number(info.sigma).toPrecision(4)}${info.sigmaRelative == null ? '' : ` (${Number(info.sigmaRelative).toPrecision(3)} face sizes)`}, ${String((info.rows as { inGraph: number }).inGraph)} rows, mode ${String(info.mode)}, k ${String(info.k)}, recall@k ${recall.value === null ? 'not measured' : `${recall.value.toFixed(4)} (${recall.sample} rows)`} -> ${values.out}\n`,
  );
  return 0;
}
