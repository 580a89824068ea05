/**
 * Builds the graphs compared in docs/graph.md ("Diagnostics and the landmark setting") on one ingest + extract output
 * and prints their diagnostics as markdown. Exact search, k = 4, seed 1 (the pipeline's seed).
 *
 *   npx tsx stages/graph/scripts/landmark-settings.ts --dataset <ingest dir> --extract <extract dir> [--out <dir>]
 *
 * The embedded default's folders: `npx alsg run pipelines/table1.yaml --only aux` prints them
 * (`table1/syn: done ... -> .alsg/store/ingest/<key>`, `table1/aux: ... -> .alsg/store/extract/<key>`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { graphDiagnosticsMarkdown } from '@ldl-alsg/report';
import { runGraphFromExtract, type GraphRunOptions, type GraphSpace } from '../src/run-graph';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, extract: { type: 'string' }, out: { type: 'string' } } });
if (!values.dataset || !values.extract) {
  process.stderr.write('usage: npx tsx stages/graph/scripts/landmark-settings.ts --dataset <ingest dir> --extract <extract dir> [--out <dir>]\n');
  process.exit(2);
}
const SETTINGS: { name: string; space: GraphSpace; options: Partial<GraphRunOptions> }[] = [
  { name: 'au, sigma 1 (paper)', space: 'au', options: { sigma: 1 } },
  { name: 'landmarks raw, sigma 68 px (paper)', space: 'landmarks', options: { sigma: 68 } },
  { name: 'landmarks raw, sigmaRelative 1', space: 'landmarks', options: { sigmaRelative: 1 } },
  ...[0.05, 0.1, 0.2, 0.3, 0.5, 1, 2].map((r) => ({ name: `landmarks aligned, sigmaRelative ${r}`, space: 'landmarks' as const, options: { landmarks: 'aligned' as const, sigmaRelative: r } })),
];
const out = values.out ?? mkdtempSync(join(tmpdir(), 'landmark-settings-'));
const diags: { name: string; diagnostics: unknown }[] = [];
const sizes: string[] = [];
for (const [i, s] of SETTINGS.entries()) {
  const info = await runGraphFromExtract([values.dataset], values.extract, s.space, { k: 4, mode: 'exact', seed: 1, recallSample: 0, ...s.options }, join(out, String(i)), { silent: true });
  diags.push({ name: s.name, diagnostics: info.diagnostics });
  const fs = info.faceSize as { value: number; units: string } | null;
  sizes.push(`| ${s.name} | ${Number(info.sigma).toPrecision(4)} | ${fs ? `${fs.value.toPrecision(4)} (${fs.units})` : 'n/a'} | ${info.sigmaRelative == null ? 'n/a' : Number(info.sigmaRelative).toPrecision(3)} |`);
  process.stderr.write(`${s.name}: done\n`);
}
process.stdout.write(['| graph | sigma | face size | sigma / face size |', '| --- | ---: | ---: | ---: |', ...sizes].join('\n') + '\n\n' + graphDiagnosticsMarkdown(diags));
if (!values.out) rmSync(out, { recursive: true, force: true });
