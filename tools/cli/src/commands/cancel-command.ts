/**
 * `alsg cancel <pipeline.yaml>`: cancels the Slurm jobs of this pipeline's instances that are still pending or running
 * (found from the submission records beside each instance in the store, so it works from any host sharing the store).
 */
import { AlsgError } from '@ldl-alsg/common';
import {
  cancelSlurmJobs,
  isComplete,
  querySlurmJobs,
  readSubmission,
  FINISHED_STATES,
} from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { loadPlan } from './context';

export const cancelCommand = {
  usage: `Usage: alsg cancel <pipeline.yaml> [--profile P]

Cancels the Slurm jobs submitted for this pipeline's instances (alsg run --executor slurm) that are still pending or
running. Instances already in the store are not touched; a job submitted by another pipeline for the same key is
cancelled too (it builds the same result) and named as such.
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string' } } });
    if (positionals.length !== 1) throw new AlsgError('E_USAGE', 'cancel needs exactly one pipeline file');
    const { plan } = await loadPlan(positionals[0], values.profile);
    const records = plan.instances
      .filter((inst) => !isComplete(plan.storeDir, inst))
      .map((inst) => ({ inst, rec: readSubmission(plan.storeDir, inst) }))
      .filter((r): r is { inst: (typeof plan.instances)[number]; rec: NonNullable<typeof r.rec> } => r.rec !== undefined && r.rec.key === r.inst.key);
    const states = await querySlurmJobs([...new Set(records.map((r) => r.rec.jobId))]);
    const live = records.filter((r) => {
      const s = states.get(r.rec.jobId);
      return s !== undefined && !FINISHED_STATES.has(s.state);
    });
    await cancelSlurmJobs([...new Set(live.map((r) => r.rec.jobId))]);
    for (const r of live) {
      const s = states.get(r.rec.jobId);
      const other = r.rec.address !== r.inst.address ? ` (submitted by ${r.rec.address})` : '';
      process.stderr.write(`${r.inst.address}: cancelled job ${r.rec.jobId} (was ${s?.state})${other}\n`);
    }
    process.stderr.write(`${plan.pipeline}: ${live.length} job(s) cancelled\n`);
    return 0;
  },
};
