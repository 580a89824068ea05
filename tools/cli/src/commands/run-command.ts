/** `alsg run <pipeline.yaml>`: runs what is not in the store yet, in topological order, one process per instance. */
import { AlsgError } from '@ldl-alsg/common';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
// The runner entry, not the package's main one: that also loads the Slurm executor (execa), which a local run never needs.
import { runPlan, selectWithUpstream, DEFAULT_PROFILE, type FailurePolicy, type PlannedInstance } from '@ldl-alsg/pipeline/runner';
import { checkSourcePaths, isComplete, PipelineConfigError } from '@ldl-alsg/pipeline/runner';
import { parseCommandArgs } from '../parse-command-args';
import { checkBackends } from './backend-check';
import { runSummaryLine } from './run-summary';
import { loadPlan } from './context';

export const runCommand = {
  usage: `Usage: alsg run <pipeline.yaml> [--profile P] [--only <instance>]... [--jobs N|auto] [--on-failure POLICY]
                [--executor local|slurm [--wait] [--partition P] [--account A]]

Runs the pipeline's stage instances in topological order, each in its own process, skipping instances whose content
key is already in the store (.alsg/store, or ALSG_STORE).

  --profile P        parameter profile (default: default)
  --only I           run instance I (a name like train, or train@method=baseline) and what it needs; repeatable
  --jobs N|auto      instances to run at once (default 1; auto: one per CPU core)
  --on-failure POL   fail (default: stop at the first failure) | skip-dependents (finish independent branches) |
                     ignore (like skip-dependents, but exit 0)
  --if-present       with --only: succeed quietly when the instance is not part of this profile
  --verify           re-hash the stored inputs of every instance that runs against their stage.json (default: sizes
                     only); a damaged input stops that instance with the command that rebuilds it
  --executor E       local (default) | slurm: one sbatch job per instance not in the store, chained with afterok,
                     over the shared store (docs/slurm.md); prints the job ids and returns unless --wait
  --wait             with slurm: follow the jobs (pending / running / done / failed) and exit with the pipeline's
                     status; Ctrl-C cancels the submitted jobs
  --partition P      with slurm: partition for every job (over the pipeline's resources:)
  --account A        with slurm: account for every job
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string' },
        only: { type: 'string', multiple: true },
        jobs: { type: 'string' },
        'on-failure': { type: 'string' },
        'if-present': { type: 'boolean' },
        verify: { type: 'boolean' },
        executor: { type: 'string' },
        wait: { type: 'boolean' },
        partition: { type: 'string' },
        account: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new AlsgError('E_USAGE', 'run needs exactly one pipeline file');
    const jobs = parseJobs(values.jobs);
    const policy = (values['on-failure'] ?? 'fail') as FailurePolicy;
    if (!['fail', 'skip-dependents', 'ignore'].includes(policy)) {
      throw new AlsgError('E_USAGE', `--on-failure must be fail, skip-dependents or ignore, but got ${policy}`);
    }
    const { registry, pipeline, profile, plan } = await loadPlan(positionals[0], values.profile);
    let only = values.only ?? [];
    if (values['if-present']) {
      only = only.filter((n) => plan.byName.has(n) || plan.instances.some((i) => i.base === n));
      if (only.length === 0) {
        process.stderr.write(`${plan.pipeline}: ${(values.only ?? []).join(', ')} not part of profile ${profile}; nothing to do\n`);
        return 0;
      }
    }
    const select = only.length ? selectWithUpstream(plan, only) : undefined;
    const executor = values.executor ?? 'local';
    if (executor !== 'local' && executor !== 'slurm') throw new AlsgError('E_USAGE', `--executor must be local or slurm, but got ${executor}`);
    if (executor === 'local' && (values.wait || values.partition || values.account)) {
      throw new AlsgError('E_USAGE', '--wait, --partition and --account apply to --executor slurm only');
    }
    if (executor === 'slurm') {
      const { runOnSlurm } = await import('./slurm-run');
      return runOnSlurm(plan, pipeline.spec, registry, { select, policy, wait: values.wait ?? false, partition: values.partition, account: values.account });
    }
    // Before any work: missing dataset folders and backends that do not load, for the instances that will run.
    const toRun = (select ?? plan.instances).filter((i) => !isComplete(plan.storeDir, i));
    const missing = checkSourcePaths({ file: pipeline.file, instances: toRun, sourceParamsOf: (s) => pipeline.metas.get(s)?.sourceParams, root: registry.layout.root, profile, lineOf: pipeline.lineOf });
    if (missing.length) throw new PipelineConfigError(pipeline.file, missing);
    checkBackends(toRun, registry.layout.root, `${pipeline.file}${profile === DEFAULT_PROFILE ? '' : ` --profile ${profile}`}: nothing was run`);
    const summary = await runPlan(plan, registry, { jobs, onFailure: policy, select, verifyInputs: values.verify ? 'hash' : 'size' });
    process.stderr.write(runSummaryLine(plan, summary));
    // Where the results are, also when everything was cached (the report stage only says so when it runs).
    process.stdout.write(reportLocations(select ?? plan.instances, plan.storeDir));
    return 0;
  },
};

/** One line per completed report instance: its report.md and report.html, relative to the current folder when inside it. */
export function reportLocations(instances: readonly PlannedInstance[], storeDir: string): string {
  const shown = (file: string): string => {
    const rel = relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
  };
  return instances
    .filter((i) => i.stage === 'report' && isComplete(storeDir, i))
    .map((i) => {
      const files = ['report.md', 'report.html'].map((f) => join(i.dir, f)).filter((f) => existsSync(f));
      return `${i.address}: ${files.length ? files.map(shown).join(' and ') : shown(i.dir)}\n`;
    })
    .join('');
}

/**
 * `--jobs`: a positive integer, or `auto` for one instance per CPU core (what the Nx pipeline targets pass: each stage
 * process trains on one core, so a sequential run would leave the others idle). Default 1.
 */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new AlsgError('E_USAGE', `--jobs must be a positive integer or auto, but got ${value}`);
  return jobs;
}
