/**
 * `alsg exp show [pipeline...]`: the store's results as one table (DVC's `exp show`): one row per stage instance with
 * results (train and evaluate by default), its parameters, key metrics, seed, status and timings. Reads the store
 * alone (experiments.ts in @ldl-alsg/pipeline), so it also lists results of other profiles and of older code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import { pipelineNameOf, readExperiments, readYamlSource, resolveWorkspaceLayout } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { experimentTable, filterRows, onlyChanged, parseFilter, renderCsv, renderJson, renderText, selectColumns, sortRows } from './experiment-table';

/** The stages with results worth comparing, shown unless a filter names `stage`. */
const RESULT_STAGES = ['train', 'evaluate'];

export const expCommand = {
  usage: `Usage: alsg exp show [pipeline...] [--profile P] [--filter EXPR]... [--columns LIST] [--only-changed]
                     [--all-params] [--sort COL] [--json | --csv]

One row per stage instance result in the store (ALSG_STORE, default .alsg/store): train and evaluate results unless a
filter names another stage. Columns: pipeline, profile, instance, stage, status (current = the latest result of that
address; old = an earlier one kept in the store), seed, seconds, finished, key, variant / backend / noise, the
parameters the pipeline set (params.*; an evaluation shows those of the model it scored) and key metrics (metrics.*:
all, wild, lab, acc.<set>, LDL metrics, ece for evaluate; train.loss, train.acc, val.loss, val.acc, images/s for train).

  pipeline...       only these pipelines (names like table1, or their files)
  --profile P       only results of profile P (default: every profile)
  --filter EXPR     keep rows where EXPR holds: <column><op><value>, op = != > < >= <= ~ (contains), '*' wildcards
                    with = and !=; repeatable (all must hold). E.g. --filter stage=train --filter 'all>55'
                    --filter method=ldl-alsg --filter status=current
  --columns LIST    comma-separated columns to show, in order; '*' patterns (e.g. instance,params.*,metrics.acc.*)
  --only-changed    hide columns (params, metrics, pipeline, stage, seed, ...) that are the same in every row shown
  --all-params      every resolved parameter (schema defaults too), not only those the pipeline set
  --sort COL        sort by a column; -COL for descending (e.g. --sort=-all)
  --json, --csv     machine-readable output with full column names and unrounded numbers
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string' },
        filter: { type: 'string', multiple: true },
        columns: { type: 'string' },
        'only-changed': { type: 'boolean' },
        'all-params': { type: 'boolean' },
        sort: { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
      },
    });
    const [sub, ...pipelines] = positionals;
    if (sub !== 'show') throw new AlsgError('E_USAGE', `exp needs a subcommand: show${sub ? `, but got '${sub}'` : ''}`);
    if (values.json && values.csv) throw new AlsgError('E_USAGE', '--json and --csv exclude each other');
    const filters = (values.filter ?? []).map(parseFilter);
    const names = new Set(pipelines.map(pipelineName));
    const { storeDir } = resolveWorkspaceLayout();
    const byStage = filters.some((f) => f.column === 'stage');
    const rows = readExperiments(storeDir).filter(
      (r) => (byStage || RESULT_STAGES.includes(r.stage)) && (!names.size || names.has(r.pipeline)) && (!values.profile || r.profile === values.profile),
    );
    let table = filterRows(experimentTable(rows, { allParams: values['all-params'] }), filters);
    if (values['only-changed']) table = onlyChanged(table);
    if (values.sort) table = sortRows(table, values.sort);
    if (values.columns) table = selectColumns(table, values.columns.split(',').map((c) => c.trim()).filter(Boolean));
    // The terminal table leaves out the finish time (seconds says how long; --json / --csv / --columns have it).
    else if (!values.json && !values.csv) table = { ...table, columns: table.columns.filter((c) => c !== 'finished') };
    // One write for the whole output: a reader that stops early (| head) ends it at once (bin/alsg.mjs on EPIPE).
    if (values.json) process.stdout.write(renderJson(table));
    else if (values.csv) process.stdout.write(renderCsv(table));
    else if (!table.rows.length) {
      const where = [names.size ? `pipeline ${[...names].join(', ')}` : '', values.profile ? `profile ${values.profile}` : '', filters.length ? 'the filters' : ''].filter(Boolean).join(', ');
      process.stderr.write(`no results in ${storeDir}${where ? ` for ${where}` : ''} (run a pipeline first: alsg run <pipeline.yaml>)\n`);
    } else process.stdout.write(renderText(table));
    return 0;
  },
};

/** A pipeline named on the command line: a file gives its `name:` (or file name), anything else is a name. */
function pipelineName(arg: string): string {
  if (!/\.ya?ml$/.test(arg)) return arg;
  const data = existsSync(arg) ? readYamlSource(arg, readFileSync(arg, 'utf8')).data : undefined;
  return pipelineNameOf(arg, data && typeof data === 'object' ? (data as { name?: string }) : undefined);
}
