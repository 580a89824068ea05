/**
 * Benchmark: re-running a fully cached pipeline of >= 50 stage instances, through `alsg run` and through `nx run`
 * (target: <= 3 s wall each on the project's 2-core machines). Uses the engine's fixture stages in a throwaway Nx
 * workspace, so it measures the engine and Nx, not stage work. Prints figures; asserts nothing.
 * Run: npx tsx tools/bench/cached-pipeline.ts [--seeds 10] [--repeats 3]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createNxFixtureWorkspace } from '../nx-plugin/src/fixtures/nx-fixture-workspace';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '10' }, repeats: { type: 'string', default: '3' } } });
const seeds = Number(values.seeds);
const repeats = Number(values.repeats);
const yaml = `# ${seeds} sources x 4 factors + sum + report = ${seeds * 5 + 2} instances
stages:
  data: { stage: source, params: { label: bench }, matrix: { seed: [${Array.from({ length: seeds }, (_, i) => i).join(', ')}] } }
  scaled: { stage: double, inputs: { data: data }, matrix: { factor: [1, 2, 3, 4] } }
  total: { stage: sum, inputs: { parts: [scaled] } }
  report: { stage: report, inputs: { results: [total] } }
expect:
  - { claim: sums are positive }
`;

const time = (fn: () => string): { seconds: number; out: string } => {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, out };
};
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

const ws = createNxFixtureWorkspace({ big: yaml });
console.log(`workspace ${ws.root}; instances: ${seeds * 5 + 2}; load before: ${load()}`);
const cold = time(() => ws.alsg('run', 'pipelines/big.yaml', '--jobs', '2'));
console.log(`alsg run (cold, --jobs 2): ${cold.seconds.toFixed(2)} s  [${cold.out.trim().split('\n').pop()}]`);
for (let i = 0; i < repeats; i++) {
  const warm = time(() => ws.alsg('run', 'pipelines/big.yaml'));
  console.log(`alsg run (fully cached) #${i + 1}: ${warm.seconds.toFixed(2)} s  [${warm.out.trim().split('\n').pop()}]  load ${load()}`);
}
const nxFirst = time(() => ws.nx('run', 'pipelines:big', '--outputStyle=stream', '--parallel=2'));
console.log(`nx run pipelines:big (first: store complete, Nx cache empty): ${nxFirst.seconds.toFixed(2)} s`);
for (let i = 0; i < repeats; i++) {
  const warm = time(() => ws.nx('run', 'pipelines:big', '--outputStyle=stream'));
  const hits = /Cache:\s+(\S+ hit[^\n]*)/.exec(warm.out)?.[1] ?? '?';
  console.log(`nx run pipelines:big (fully cached) #${i + 1}: ${warm.seconds.toFixed(2)} s  [cache ${hits}]  load ${load()}`);
}
console.log(`node ${process.version}; ${execFileSync('nproc').toString().trim()} cores; load after: ${load()}`);
