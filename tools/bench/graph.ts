/**
 * Benchmark of the graph stage's performance target (issue 4): both auxiliary graphs (AU 17-d and landmarks 136-d,
 * k = 4) for 300,000 synthetic training images. Goal: <= 60 s wall for both approximate graphs on 2 cores, recall@4 >=
 * 0.95 against exact search, peak RSS <= 1.5 GB; the exact (flat) graph is timed in the same run as the baseline.
 *
 * Prints figures; asserts nothing (timings on a shared machine are noisy: the `uptime` load is printed alongside).
 *
 *   npx tsx tools/bench/graph.ts [--n 300000] [--exact full|off|<rows>] [--au <spec>] [--landmarks <spec>]
 *        [--recall-sample 2000] [--spaces au,landmarks] [--seed 1] [--standin] [--sequential] [--threads omp,blas]
 *
 * <spec> = mode:key=value,... e.g. "hnsw:M=16,efConstruction=40,efSearch=20,pca=32,candidates=9" or "ivf:nlist=1024,nprobe=8"
 * (keys are KnnGraphOptions: M, efConstruction, efSearch, nlist, nprobe, pca, candidates, hnswBuildThreads; plus kernels=baseline, which
 * runs that graph with tools/native/build/alsg-faiss-baseline.node, built by `bash tools/native/build.sh
 * --also-baseline`, for same-run comparisons of the distance kernels; and locality=off, which stores the rows in input
 * order instead of search.ts's locality order). Defaults: DEFAULT_SPECS.
 * A sweep: several specs separated by ';' per space, each built on the same features in one run (the "both graphs"
 * total is printed only for one spec per space).
 *
 * With one spec per space (the default) the two graphs are built at the same time, one search process each, as
 * `alsg run --jobs auto` runs a table's two graph stage instances, and the pair's wall time is reported. --sequential
 * builds them one after the other instead (and reports the sum); a sweep (several specs) always runs one at a time.
 * --threads omp,blas sets the search processes' thread counts (default: the stage's, defaultThreads in libs/knn).
 *
 * --exact full runs exact search over all n rows for both spaces (about 5 minutes for the landmarks on 2 cores);
 * --exact <rows> times exact search on the first <rows> rows only and says so; --exact off skips it.
 * Features: `generateSynthferFeatures` from @ldl-alsg/synthfer when it exists, else the stand-in in graph-standin.ts
 * (clearly labelled in the output).
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildKnnGraph, HNSW_DEFAULTS, type KnnGraph, type KnnGraphOptions } from '@ldl-alsg/knn';
import { PAPER_SIGMA } from '@ldl-alsg/labels';
import { loadBenchFeatures } from './graph-features';

/**
 * Default per-space settings: the graph stage's own HNSW defaults (HNSW_DEFAULTS in libs/knn, chosen by the sweep in
 * docs/graph.md), so the benchmark measures what the stage does.
 */
const hnswSpec = (s: 'au' | 'landmarks'): string => `hnsw:M=${HNSW_DEFAULTS[s].M},efConstruction=${HNSW_DEFAULTS[s].efConstruction},efSearch=${HNSW_DEFAULTS[s].efSearch}`;
const DEFAULT_SPECS = { au: hnswSpec('au'), landmarks: hnswSpec('landmarks') };

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '300000' },
    exact: { type: 'string', default: 'full' },
    au: { type: 'string', default: DEFAULT_SPECS.au },
    landmarks: { type: 'string', default: DEFAULT_SPECS.landmarks },
    'recall-sample': { type: 'string', default: '2000' },
    spaces: { type: 'string', default: 'au,landmarks' },
    seed: { type: 'string', default: '1' },
    standin: { type: 'boolean', default: false },
    sequential: { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
/** A whole number >= min from a command-line option, or an error that names the option and what it got. */
function intOption(name: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new Error(`graph bench: --${name} must be an integer >= ${min}, but got "${text}"`);
  return v;
}
const n = intOption('n', values.n!, 1);
const seedOption = intOption('seed', values.seed!, 0);
const recallSample = intOption('recall-sample', values['recall-sample']!, 0);
const spaces = values.spaces!.split(',') as ('au' | 'landmarks')[];
for (const s of spaces) if (s !== 'au' && s !== 'landmarks') throw new Error(`graph bench: --spaces takes au and/or landmarks (comma-separated), but got "${s}"`);
if (!/^(full|off|\d+)$/.test(values.exact!)) throw new Error(`graph bench: --exact must be full, off or a row count, but got "${values.exact}"`);

/** Parses "mode:key=value,key=value" (e.g. "ivf:nlist=1024,nprobe=8") into graph options. */
const SPEC_NUMBER_KEYS = ['M', 'efConstruction', 'efSearch', 'nlist', 'nprobe', 'pca', 'candidates', 'hnswBuildThreads'];
type Spec = KnnGraphOptions & { mode: 'hnsw' | 'ivf'; kernels: 'default' | 'baseline'; locality: 'on' | 'off' };
function parseSpec(spec: string): Spec {
  const [mode, rest = ''] = spec.split(':');
  if (mode !== 'hnsw' && mode !== 'ivf') throw new Error(`graph bench: spec mode must be hnsw or ivf, but got "${spec}"`);
  const out: Record<string, number> = {};
  let kernels: Spec['kernels'] = 'default';
  let locality: Spec['locality'] = 'on';
  for (const kv of rest.split(',').filter(Boolean)) {
    const [key, v] = kv.split('=');
    if (key === 'locality') {
      if (v !== 'off') throw new Error(`graph bench: locality must be "off" (on is the default), but got "${v}"`);
      locality = 'off';
    } else if (key === 'kernels') {
      if (v !== 'baseline') throw new Error(`graph bench: kernels must be "baseline" (the default build needs no key), but got "${v}"`);
      kernels = v;
    } else if (SPEC_NUMBER_KEYS.includes(key)) {
      const num = Number(v);
      if (v === undefined || v === '' || !Number.isFinite(num) || num < 0) throw new Error(`graph bench: ${key} in "${spec}" must be a non-negative number, but got "${v ?? ''}"`);
      out[key] = num;
    } else throw new Error(`graph bench: unknown key "${key}" in "${spec}"; expected one of ${[...SPEC_NUMBER_KEYS, 'kernels', 'locality'].join(', ')}`);
  }
  return { ...out, mode, kernels, locality } as Spec;
}
const BASELINE_COMPANION = fileURLToPath(new URL('../native/build/alsg-faiss-baseline.node', import.meta.url));
const load = (): string => execSync('uptime').toString().trim();

const specLists = { au: values.au!.split(';').filter(Boolean), landmarks: values.landmarks!.split(';').filter(Boolean) };
// Parse every spec before the features are generated (a minute at full n), so a typo fails at once.
for (const list of Object.values(specLists)) list.forEach(parseSpec);

console.log(`graph benchmark: n=${n}, k=4, au=${values.au}, landmarks=${values.landmarks}, exact=${values.exact}, cores=${(await import('node:os')).availableParallelism()}`);
console.log(`load before: ${load()}`);
const tGen = performance.now();
const features = await loadBenchFeatures(n, seedOption, values.standin!);
console.log(`features: ${features.source} (${((performance.now() - tGen) / 1000).toFixed(1)} s to generate)`);

const summary: string[] = [];
let approxWall = 0;
let worstRecall = 1;
let peakRss = 0;
const rssNow = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

function line(space: string, label: string, g: KnnGraph): string {
  const i = g.info;
  const recall = i.recall.value === null ? 'n/a' : i.recall.value.toFixed(4);
  return (
    `${space.padEnd(9)} ${label.padEnd(36)} rows=${g.n} wall=${i.wall.total.toFixed(1)}s (build ${i.timings.build.toFixed(1)}, search ${i.timings.search.toFixed(1)}, ` +
    `recall-check ${i.timings.recall.toFixed(1)}) recall@4=${recall} (${i.recall.sample} rows) threads=omp${i.threads?.omp}/blas${i.threads?.openblas} ` +
    `searchRSS=${i.searchProcessPeakRssMB}MB cpu=${i.searchProcessCpuSeconds?.toFixed(1)}s`
  );
}

const single = spaces.every((s) => specLists[s].length === 1);
const concurrent = single && spaces.length > 1 && !values.sequential;
const threads = values.threads ? parseThreads(values.threads) : undefined;

/** "omp,blas" -> thread counts of the search processes. */
function parseThreads(text: string): { omp: number; openblas: number } {
  const [omp, openblas] = text.split(',').map(Number);
  if (!Number.isInteger(omp) || !Number.isInteger(openblas) || omp < 1 || openblas < 1) throw new Error(`graph bench: --threads must be "omp,blas" (two positive integers), but got "${text}"`);
  return { omp, openblas };
}

/** Builds one space's graph with one spec; the companion and locality choices travel to the search process by env. */
async function buildOne(space: 'au' | 'landmarks', specText: string): Promise<void> {
  const { data, d } = space === 'au' ? { data: features.au, d: 17 } : { data: features.landmarks, d: 136 };
  const { kernels, locality, ...spec } = parseSpec(specText);
  if (concurrent && (kernels !== 'default' || locality !== 'on')) throw new Error('graph bench: kernels=baseline and locality=off set process-wide switches; add --sequential');
  if (locality === 'off') process.env.ALSG_KNN_LOCALITY = 'off';
  else delete process.env.ALSG_KNN_LOCALITY;
  // The search process reads ALSG_FAISS_COMPANION when it loads the companion (libs/knn/src/native.ts).
  if (kernels === 'baseline') {
    if (!existsSync(BASELINE_COMPANION)) throw new Error(`graph bench: ${BASELINE_COMPANION} is missing; run bash tools/native/build.sh --also-baseline`);
    process.env.ALSG_FAISS_COMPANION = BASELINE_COMPANION;
  } else delete process.env.ALSG_FAISS_COMPANION;
  const g = await buildKnnGraph(data, n, d, { ...spec, k: 4, sigma: PAPER_SIGMA[space], recallSample, seed: seedOption, ...(threads ? { threads } : {}) });
  delete process.env.ALSG_FAISS_COMPANION;
  delete process.env.ALSG_KNN_LOCALITY;
  const p = g.info.params;
  const pre = p.pca ? `pca${p.pca} cand${p.candidates} ` : '';
  const kern = /kernels (\w+)/.exec(g.info.backendVersion)?.[1] ?? '?';
  const label = pre + (spec.mode === 'hnsw' ? `hnsw M${p.M} efC${p.efConstruction} efS${p.efSearch} ins${g.info.hnswBuildThreads}` : `ivf nlist${p.nlist} nprobe${p.nprobe}`) + ` [${kern}${locality === 'off' ? ', input order' : ''}]`;
  if (!concurrent) approxWall += g.info.wall.total;
  worstRecall = Math.min(worstRecall, g.info.recall.value ?? 0);
  // Concurrent: both search processes live at once, so their peaks add up (an upper bound).
  peakRss = concurrent ? peakRss + (g.info.searchProcessPeakRssMB ?? 0) : Math.max(peakRss, rssNow() + (g.info.searchProcessPeakRssMB ?? 0));
  summary.push(line(space, label, g));
  console.log(`${summary[summary.length - 1]}  | load ${load().replace(/.*load average: /, '')}`);
}

if (concurrent) {
  const t0 = performance.now();
  await Promise.all(spaces.map((space) => buildOne(space, specLists[space][0])));
  approxWall = (performance.now() - t0) / 1000;
  peakRss += rssNow();
} else {
  for (const space of spaces) for (const specText of specLists[space]) await buildOne(space, specText);
}
console.log(`load after approximate graphs: ${load()}`);

if (values.exact !== 'off') {
  const rows = values.exact === 'full' ? n : Math.min(n, Number(values.exact));
  for (const space of spaces) {
    const { data, d } = space === 'au' ? { data: features.au, d: 17 } : { data: features.landmarks, d: 136 };
    const g = await buildKnnGraph(data.subarray(0, rows * d), rows, d, { k: 4, sigma: PAPER_SIGMA[space], mode: 'exact' });
    peakRss = Math.max(peakRss, rssNow() + (g.info.searchProcessPeakRssMB ?? 0));
    const note = rows === n ? 'exact flat (baseline)' : `exact flat on first ${rows} rows only`;
    summary.push(line(space, note, g));
    console.log(summary[summary.length - 1]);
  }
  console.log(`load after exact graphs: ${load()}`);
}

console.log('\n=== summary ===');
for (const s of summary) console.log(s);
if (single) console.log(`both approximate graphs${concurrent ? ', built concurrently' : ', one after the other'}: ${approxWall.toFixed(1)} s wall (goal <= 60 s); worst recall@4 ${worstRecall.toFixed(4)} (goal >= 0.95)`);
else console.log(`sweep: ${summary.length} graphs; worst recall@4 ${worstRecall.toFixed(4)}`);
console.log(`peak RSS (this process + search process, upper bound): ${peakRss} MB (goal <= 1536 MB); this process alone ${rssNow()} MB`);
console.log(`features: ${features.source}`);
