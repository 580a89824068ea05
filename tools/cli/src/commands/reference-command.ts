/**
 * `alsg reference <pipeline.yaml>`: compares a pipeline's results with its committed reference results, or (with
 * --update) rewrites the reference deliberately. The report stage already fails a run whose results moved beyond the
 * tolerance; this command is how a person looks at the differences and, when a change is intended, accepts it.
 */
import { existsSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import type { PlannedInstance, Plan } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { loadPlan } from './context';

interface ReferenceParam {
  file: string;
  tolerance?: number;
}

function resultDirs(plan: Plan, report: PlannedInstance): string[] {
  const names = report.inputs.results ?? [];
  return names.map((name) => {
    const upstream = plan.byName.get(name);
    if (!upstream) throw new AlsgError('E_CONFIG', `${report.address}: input ${name} is not in the plan`);
    if (!existsSync(upstream.dir)) {
      throw new AlsgError('E_ARTIFACT', `${upstream.address} has no result yet (${upstream.dir}); run the pipeline first: alsg run ${plan.file} --profile ${plan.profile}`);
    }
    return upstream.dir;
  });
}

export const referenceCommand = {
  usage: `Usage: alsg reference <pipeline.yaml> [--profile P] [--update] [--note TEXT]

For every report instance that declares \`reference: {file, tolerance}\`: rebuilds its table and judges its claims from
the evaluate results in the store and compares them with the reference file (cells ok / moved / missing / new within
the tolerance; claim verdicts exactly). Exit 1 when anything differs. A reference written before claims had verdicts
(schema @1) differs until it is updated.
--update writes the reference file from the current results instead (a deliberate act: commit it with a message that
says why the numbers changed). Run the pipeline first (alsg run <pipeline.yaml> --profile P).
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, update: { type: 'boolean' }, note: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new AlsgError('E_USAGE', 'reference needs exactly one pipeline file');
    const { profile, plan } = await loadPlan(positionals[0], values.profile);
    const reports = plan.instances.filter((i) => i.stage === 'report' && i.params.reference);
    if (reports.length === 0) {
      throw new AlsgError('E_CONFIG', `${positionals[0]}: no report instance declares a reference in profile '${profile}' (params.reference: {file, tolerance})`);
    }
    const report = await import('@ldl-alsg/report');
    let failed = 0;
    for (const inst of reports) {
      const ref = inst.params.reference as ReferenceParam;
      const dirs = resultDirs(plan, inst);
      const layout = inst.params as Parameters<typeof report.updateReferenceFromResults>[1];
      if (values.update) {
        const written = report.updateReferenceFromResults(dirs, layout, ref.file, values.note);
        process.stdout.write(`${inst.address}: wrote ${ref.file} (${written.cells.length} cells)\n`);
        continue;
      }
      const diff = report.referenceDiffFromResults(dirs, layout, ref.file, ref.tolerance ?? report.DEFAULT_REFERENCE_TOLERANCE);
      const c = diff.counts;
      const cc = diff.checkCounts;
      process.stdout.write(
        `${inst.address}: ${diff.ok ? 'matches' : 'DIFFERS FROM'} ${ref.file} (tolerance ${diff.tolerance}): ${c.ok} ok, ${c.moved} moved, ${c.missing} missing, ${c.new} new; ` +
          `claims: ${cc.ok} ok, ${cc.verdict} verdict changed, ${cc.moved} moved, ${cc.missing} missing, ${cc.new} new, ${cc.unverified} unverified\n`,
      );
      if (diff.hint && !diff.ok) process.stdout.write(`  ${diff.hint}\n`);
      for (const check of diff.checks.filter((x) => x.status !== 'ok').slice(0, 20)) {
        process.stdout.write(`  claim ${check.status.padEnd(10)} ${check.claim}: ${check.message ?? ''}\n`);
      }
      for (const cell of diff.cells.filter((x) => x.status !== 'ok').slice(0, 20)) {
        const delta = cell.delta === null ? '' : ` (${cell.delta > 0 ? '+' : ''}${cell.delta.toFixed(2)})`;
        process.stdout.write(`  ${cell.status.padEnd(7)} ${cell.row} | ${cell.column || '-'} | ${cell.metric}: reference ${cell.reference ?? '-'}, ours ${cell.ours ?? '-'}${delta}\n`);
      }
      if (!diff.ok) failed++;
    }
    return failed > 0 ? 1 : 0;
  },
};
