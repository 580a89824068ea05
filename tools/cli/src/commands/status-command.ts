/**
 * `alsg status <pipeline.yaml>`: done / stale / missing per instance, with what changed for stale ones, building for
 * those a live process holds the key lock of, and damaged for done ones whose files no longer match their stage.json
 * (sizes always; hashes with --verify).
 */
import { AlsgError } from '@ldl-alsg/common';
import { describeLockHolder, liveKeyLock, planStatus, rebuildHint, verifyInstance } from '@ldl-alsg/pipeline';
import { slurmStates, type SlurmStatus } from './slurm-status';
import { parseCommandArgs } from '../parse-command-args';
import { loadPlan } from './context';

export const statusCommand = {
  usage: `Usage: alsg status <pipeline.yaml> [--profile P] [--json] [--verify]

For every stage instance: done (its content key is in the store), stale (an earlier result of this instance exists,
but parameters, inputs, code or its source data changed; the reason is shown), missing, building (not done, and a live
process holds its key's lock: an alsg run on this or another host is making it; the holder is shown), or damaged (done, but a file
differs from the size recorded in its stage.json; with --verify also from the recorded sha256). Exit 1 when any
instance is damaged; each is named with the command that rebuilds it. Instances submitted to Slurm
(alsg run --executor slurm) and not done also show their job: PENDING (and why), RUNNING (and where), FAILED or
CANCELLED with the job's log file.

  --verify   re-hash every stored output file (reads everything; without it, one stat per file)
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, json: { type: 'boolean' }, verify: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new AlsgError('E_USAGE', 'status needs exactly one pipeline file');
    const { pipeline, profile, plan } = await loadPlan(positionals[0], values.profile);
    const entries: Array<{ address: string; stage: string; key: string; status: string; reason?: string; dir: string; problems?: readonly string[]; slurm?: SlurmStatus }> = [];
    let unrecorded = 0;
    for (const e of planStatus(plan)) {
      const row = { address: e.instance.address, stage: e.instance.stage, key: e.instance.key, status: e.status as string, reason: e.reason, dir: e.instance.dir };
      if (e.status === 'done') {
        const integrity = await verifyInstance(plan.storeDir, e.instance, values.verify ? 'hash' : 'size');
        if (integrity.state === 'unrecorded') unrecorded++;
        if (integrity.state === 'damaged') {
          const more = integrity.problems.length > 1 ? ` (and ${integrity.problems.length - 1} more)` : '';
          entries.push({ ...row, status: 'damaged', reason: `${integrity.problems[0]}${more}; ${rebuildHint(e.instance.dir, positionals[0], profile)}`, problems: integrity.problems });
          continue;
        }
      }
      const lock = e.status === 'done' ? undefined : liveKeyLock(plan.storeDir, e.instance);
      if (lock) {
        entries.push({ ...row, status: 'building', reason: `${describeLockHolder(lock.holder, lock.file)}${e.status === 'stale' && e.reason ? `; was stale: ${e.reason}` : ''}` });
        continue;
      }
      entries.push(row);
    }
    const jobs = await slurmStates(plan.storeDir, plan.instances.filter((i) => entries.some((e) => e.address === i.address && e.status !== 'done')));
    for (const e of entries) {
      const job = jobs.get(e.address);
      if (job) e.slurm = job;
    }
    const damaged = entries.filter((e) => e.status === 'damaged').length;
    // One write for the whole report: a reader that stops early (| head) ends it at once (see bin/alsg.mjs on EPIPE).
    if (values.json) {
      process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return damaged ? 1 : 0;
    }
    const width = Math.max(...entries.map((e) => e.address.length));
    const lines = entries.map((e) => `${e.status.padEnd(8)} ${e.address.padEnd(width)}  ${e.stage.padEnd(9)} ${e.key}${e.reason ? `  (${e.reason})` : ''}${e.slurm ? `  [slurm ${e.slurm.state}: ${e.slurm.detail}]` : ''}`);
    const count = (s: string): number => entries.filter((e) => e.status === s).length;
    const building = count('building');
    lines.push(`${pipeline.name}: ${count('done')} done, ${count('stale')} stale, ${count('missing')} missing${building ? `, ${building} building` : ''}${damaged ? `, ${damaged} damaged` : ''}`);
    if (jobs.size) {
      const by = (p: string): number => [...jobs.values()].filter((j) => j.phase === p).length;
      lines.push(`slurm: ${by('pending')} pending, ${by('running')} running, ${by('failed') + by('cancelled')} failed or cancelled (alsg cancel ${positionals[0]} stops them)`);
    }
    if (values.verify && unrecorded) lines.push(`(${unrecorded} done instance(s) predate output records in stage.json and could not be verified)`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return damaged ? 1 : 0;
  },
};
