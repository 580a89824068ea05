/**
 * Benchmark: re-running a fully cached pipeline through `alsg run` and through `nx run` (issue 14's goals on the
 * project's 2-core machines: <= 1 s and <= 3 s wall). Nx caches nothing here (the alsg store is the only cache,
 * tools/nx-plugin/src/create-nodes.ts), so both are start-up, loading, planning and store look-ups; this prints the wall
 * times (median of --repeats) and where the seconds go. Prints figures; asserts nothing.
 *
 * Run on this workspace, after one full run into the same store (otherwise the first repeat does the work):
 *   ALSG_STORE=/tmp/store node bin/alsg.mjs run pipelines/table1.yaml --profile smoke --jobs 2
 *   ALSG_STORE=/tmp/store npx tsx tools/bench/cached-pipeline.ts [--pipeline pipelines/table1.yaml] [--profile smoke] [--repeats 5]
 * Or on the engine's fixture stages in a throwaway Nx workspace (>= 50 instances, no real stage work):
 *   npx tsx tools/bench/cached-pipeline.ts --fixture [--seeds 10] [--repeats 5]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { pipelineNameOf } from '@ldl-alsg/pipeline';
import { CHECKOUT_ROOT } from '@ldl-alsg/pipeline/fixtures';
import { createNxFixtureWorkspace } from '../nx-plugin/src/fixtures/nx-fixture-workspace';

const { values } = parseArgs({
  options: {
    pipeline: { type: 'string', default: 'pipelines/table1.yaml' },
    profile: { type: 'string', default: 'smoke' },
    fixture: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '5' },
  },
});
const repeats = Number(values.repeats);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Runner {
  root: string;
  /** Runs a command in the workspace; returns its output (stdout + stderr) and wall seconds. */
  exec(file: string, args: string[], env?: Record<string, string>): { out: string; seconds: number };
}

function runnerAt(root: string, baseEnv: NodeJS.ProcessEnv): Runner {
  return {
    root,
    exec(file, args, env = {}) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(file, args, { cwd: root, env: { ...baseEnv, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
      return { out: r.stdout + r.stderr, seconds };
    },
  };
}

/** Nx's own timings (NX_PERF_LOGGING) of one run: the phases that make up its wall time here. */
function nxBreakdown(out: string): string {
  const ms = (label: string): string => {
    const m = new RegExp(`Time taken for '${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' ([\\d.]+)ms`).exec(out);
    return m ? `${(Number(m[1]) / 1000).toFixed(2)} s` : '-';
  };
  const task = /Run duration:\s+(\S+)/.exec(out)?.[1] ?? '?';
  return (
    `project graph ${ms('createProjectGraphAsync')} (plugins loaded ${ms('loadSpecifiedNxPlugins')}, alsg-pipelines inference ` +
    `${ms('alsg-pipelines:createNodes')}, merge ${ms('createNodes:merge')}), graph cache written ${ms('write cache')}, task (alsg run) ${task}`
  );
}

const node = process.execPath;
const alsgBin = join(CHECKOUT_ROOT, 'bin/alsg.mjs');
const nxBin = join(CHECKOUT_ROOT, 'node_modules/nx/dist/bin/nx.js');

let ws: Runner;
let file: string;
let target: string;
let profileArgs: string[];
if (values.fixture) {
  const seeds = Number(values.seeds);
  const yaml = `# ${seeds} sources x 4 factors + sum + report = ${seeds * 5 + 2} instances
stages:
  data: { stage: source, params: { label: bench }, matrix: { seed: [${Array.from({ length: seeds }, (_, i) => i).join(', ')}] } }
  scaled: { stage: double, inputs: { data: data }, matrix: { factor: [1, 2, 3, 4] } }
  total: { stage: sum, inputs: { parts: [scaled] } }
  report: { stage: report, inputs: { results: [total] } }
expect:
  - { claim: sums are positive }
`;
  // As this workspace's .env does: Nx's plugins in its own process.
  const fixture = createNxFixtureWorkspace({ big: yaml }, { env: { NX_ISOLATE_PLUGINS: 'false' } });
  ws = runnerAt(fixture.root, { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ALSG_WORKSPACE: '', ALSG_STORE: '', NX_ISOLATE_PLUGINS: 'false' });
  file = 'pipelines/big.yaml';
  target = 'pipelines:big';
  profileArgs = [];
  const cold = ws.exec(node, [alsgBin, 'run', file, '--jobs', '2']);
  console.log(`fixture workspace ${fixture.root}; ${seeds * 5 + 2} instances; alsg run (cold, --jobs 2): ${cold.seconds.toFixed(2)} s`);
} else {
  // This workspace, as a user runs it (its .env applies to nx; ALSG_STORE is passed through).
  ws = runnerAt(CHECKOUT_ROOT, { ...process.env, NX_TUI: 'false' });
  file = values.pipeline as string;
  const name = pipelineNameOf(file, parse(readFileSync(join(CHECKOUT_ROOT, file), 'utf8'), { merge: true }) as { name?: string });
  profileArgs = values.profile === 'default' ? [] : ['--profile', values.profile as string];
  target = `pipelines:${name}${values.profile === 'default' ? '' : `:${values.profile}`}`;
  console.log(`workspace ${CHECKOUT_ROOT}; ${file} ${profileArgs.join(' ')}; store ${process.env.ALSG_STORE || '.alsg/store'}`);
}
console.log(`load before: ${load()}`);

// Start-up alone: node + tsx's loader + the CLI's entry (what every alsg command pays before it does anything).
const startup = Array.from({ length: repeats }, () => ws.exec(node, [alsgBin, '--version']).seconds);
const alsg: number[] = [];
let summary = '';
for (let i = 0; i < repeats; i++) {
  const r = ws.exec(node, [alsgBin, 'run', file, ...profileArgs]);
  alsg.push(r.seconds);
  summary = /\d+ instances: [^\n]*/.exec(r.out)?.[0] ?? '?';
  if (!/ 0 ran,/.test(summary)) console.log(`  (repeat ${i + 1} was not fully cached: ${summary})`);
}
console.log(`alsg run (fully cached): median ${median(alsg).toFixed(2)} s of ${alsg.map((s) => s.toFixed(2)).join(', ')}  [${summary}]`);
console.log(`  of which start-up (alsg --version: node, tsx loader, CLI entry): median ${median(startup).toFixed(2)} s; load ${load()}`);

// As the issue measures it (`npx nx`: npx adds ~0.4 s over node_modules/.bin/nx here); the fixture workspace has no nx of its own.
const nxRun = (): { out: string; seconds: number } =>
  values.fixture
    ? ws.exec(node, [nxBin, 'run', target, '--outputStyle=stream'], { NX_PERF_LOGGING: 'true' })
    : ws.exec('npx', ['nx', 'run', target, '--outputStyle=stream'], { NX_PERF_LOGGING: 'true' });
// The first Nx command after a change to the workspace (a fresh clone, a new commit, an edited pipeline) infers the
// project graph again; a re-run does not. Shown apart, so the median is the re-run's.
const first = nxRun();
const nx: number[] = [];
let breakdown = nxBreakdown(first.out);
console.log(`${values.fixture ? 'nx' : 'npx nx'} run ${target}, first after the alsg runs: ${first.seconds.toFixed(2)} s (${breakdown})`);
for (let i = 0; i < repeats; i++) {
  const r = nxRun();
  nx.push(r.seconds);
  breakdown = nxBreakdown(r.out);
}
console.log(`${values.fixture ? 'nx' : 'npx nx'} run ${target} (fully cached re-run): median ${median(nx).toFixed(2)} s of ${nx.map((s) => s.toFixed(2)).join(', ')}`);
console.log(`  last run: ${breakdown}; load ${load()}`);
console.log(`node ${process.version}; ${execFileSync('nproc').toString().trim()} cores; load after: ${load()}`);
