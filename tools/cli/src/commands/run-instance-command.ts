/**
 * `alsg run-instance <pipeline.yaml> <instance>`: what a Slurm job runs (the job script written by
 * `alsg run --executor slurm`). Plans the pipeline again here, checks the instance's key against --key, and runs that
 * one instance as the local executor does; its inputs must already be in the store.
 */
import { AlsgError } from '@ldl-alsg/common';
import { runSubmittedInstance } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { loadPlan } from './context';

export const runInstanceCommand = {
  usage: `Usage: alsg run-instance <pipeline.yaml> <instance> [--profile P] [--key K] [--verify]

Runs ONE stage instance (a concrete name such as train@seed=1) as the local executor would, if it is not in the store
yet; its inputs must be in the store. This is what each Slurm job of \`alsg run --executor slurm\` runs. With --key, fails
when the instance's key is no longer K (the code or the pipeline changed since the job was submitted). Inside a job
(SLURM_JOB_ID set) it records how it ended beside the instance (<store>/<stage>/<key>.slurm/outcome-<job>.json).

  --profile P   parameter profile (default: default)
  --key K       the content key the job was submitted for
  --verify      re-hash the stored inputs against their stage.json (default: sizes)
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, key: { type: 'string' }, verify: { type: 'boolean' } },
    });
    if (positionals.length !== 2) throw new AlsgError('E_USAGE', 'run-instance needs a pipeline file and one instance name');
    const { registry, plan } = await loadPlan(positionals[0], values.profile);
    await runSubmittedInstance(plan, registry, positionals[1], { expectedKey: values.key, verifyInputs: values.verify ? 'hash' : 'size' });
    return 0;
  },
};
