/** `alsg status <pipeline.yaml>`: done / stale / missing per instance, with what changed for stale ones. */
import { AlsgError } from '@ldl-alsg/common';
import { loadPipeline, planPipeline, planStatus, requireProfile, DEFAULT_PROFILE } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { planSources, workspaceRegistry } from './context';

export const statusCommand = {
  usage: `Usage: alsg status <pipeline.yaml> [--profile P] [--json]

For every stage instance: done (its content key is in the store), stale (an earlier result of this instance exists,
but parameters, inputs or code changed; the reason is shown) or missing.
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string' }, json: { type: 'boolean' } },
    });
    if (positionals.length !== 1) throw new AlsgError('E_USAGE', 'status needs exactly one pipeline file');
    const registry = workspaceRegistry();
    const pipeline = await loadPipeline(positionals[0], registry);
    const profile = values.profile ?? DEFAULT_PROFILE;
    requireProfile(pipeline, profile);
    const entries = planStatus(planPipeline(pipeline, planSources(registry, pipeline), profile));
    if (values.json) {
      const rows = entries.map((e) => ({ address: e.instance.address, stage: e.instance.stage, key: e.instance.key, status: e.status, reason: e.reason, dir: e.instance.dir }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(...entries.map((e) => e.instance.address.length));
    for (const e of entries) {
      process.stdout.write(`${e.status.padEnd(8)} ${e.instance.address.padEnd(width)}  ${e.instance.stage.padEnd(9)} ${e.instance.key}${e.reason ? `  (${e.reason})` : ''}\n`);
    }
    const count = (s: string): number => entries.filter((e) => e.status === s).length;
    process.stdout.write(`${pipeline.name}: ${count('done')} done, ${count('stale')} stale, ${count('missing')} missing\n`);
    return 0;
  },
};
