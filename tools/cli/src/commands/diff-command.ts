/**
 * `alsg diff`: parameters and metrics side by side (DVC's `params diff` / `metrics diff`), between
 * - two stored results: addresses `<pipeline>/<instance>` (the current result under --profile) or store keys;
 * - a pipeline under two profiles (planned, so params show even before anything ran);
 * - a pipeline at two git revisions (the YAML read with `git show <rev>:<file>`, planned with today's stages).
 * Metrics come from the store wherever a planned instance's key has a result; nothing is run.
 */
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import {
  canonicalJson,
  findStoredKey,
  flattenParams,
  isComplete,
  loadPipeline,
  planPipeline,
  PipelineConfigError,
  readAddressRecord,
  readAddressRecords,
  readExperiment,
  requireProfile,
  validatePipelineText,
  DEFAULT_PROFILE,
  type ExperimentRow,
  type LoadedPipeline,
  type Plan,
  type StageRegistry,
} from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { planSources, workspaceRegistry } from './context';
import { formatCell, metricOrder } from './experiment-table';

export const diffCommand = {
  usage: `Usage: alsg diff <A> <B> [--profile P] [--all] [--json]
       alsg diff <pipeline.yaml> --profile P1 --profile P2 [--all] [--json]
       alsg diff <pipeline.yaml> <rev> [<rev2>] [--profile P] [--all] [--json]

Parameters and metrics side by side, with the change B - A for numbers; only what differs unless --all.

  A, B        stored results: an address <pipeline>/<instance> (e.g. table1/train-au@seed=1: its current result
              under --profile, default default), <stage>/<key>, or a key (or a unique prefix of 6+ hex digits)
  pipeline    compare every instance of the pipeline under two profiles (--profile twice), or at git revision
              <rev> against the working tree (or against <rev2>); metrics from the store where a result exists
  --all       also list parameters and metrics that are equal
  --json      {a, b, params: [...], metrics: [...]} with unrounded numbers
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({
      args: argv,
      allowPositionals: true,
      options: { profile: { type: 'string', multiple: true }, all: { type: 'boolean' }, json: { type: 'boolean' } },
    });
    const profiles = values.profile ?? [];
    const first = positionals[0];
    const differences =
      first && /\.ya?ml$/.test(first) && existsSync(first) && statSync(first).isFile()
        ? await diffPipeline(first, positionals.slice(1), profiles)
        : diffResults(positionals, profiles);
    const shown = values.all ? differences.entries : differences.entries.filter((e) => !e.same);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ a: differences.a, b: differences.b, params: shown.filter((e) => e.kind === 'param'), metrics: shown.filter((e) => e.kind === 'metric'), notes: differences.notes }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(renderDiff(differences.a, differences.b, shown, differences.notes));
    return 0;
  },
};

/** One line of a diff: a parameter or metric (of an instance, for pipeline diffs) in A and in B. */
export interface DiffEntry {
  kind: 'param' | 'metric';
  instance?: string;
  name: string;
  a: unknown;
  b: unknown;
  /** B - A for two numbers. */
  change?: number;
  same: boolean;
}

interface Differences {
  a: string;
  b: string;
  entries: DiffEntry[];
  notes: string[];
}

/** Param and metric entries between two results (or two plans of one instance). */
export function compareRows(
  a: Pick<ExperimentRow, 'params' | 'written' | 'metrics' | 'seed'> | undefined,
  b: Pick<ExperimentRow, 'params' | 'written' | 'metrics' | 'seed'> | undefined,
  instance?: string,
): DiffEntry[] {
  const entries: DiffEntry[] = [];
  const names = [...new Set([...(a?.written ?? []), ...(b?.written ?? [])])].sort();
  const seedA = a?.seed, seedB = b?.seed;
  entries.push({ kind: 'param', instance, name: 'seed', a: seedA, b: seedB, same: seedA === seedB });
  for (const name of names) {
    const va = a?.params[name], vb = b?.params[name];
    entries.push({ kind: 'param', instance, name, a: va, b: vb, same: canonicalJson(va) === canonicalJson(vb) });
  }
  const metrics = [...new Set([...Object.keys(a?.metrics ?? {}), ...Object.keys(b?.metrics ?? {})])].sort(metricOrder);
  for (const name of metrics) {
    const va = a?.metrics[name], vb = b?.metrics[name];
    const change = typeof va === 'number' && typeof vb === 'number' ? vb - va : undefined;
    entries.push({ kind: 'metric', instance, name, a: va, b: vb, change, same: va === vb });
  }
  return entries;
}

/** A result named on the command line: address, stage/key or key. */
function resolveResult(storeDir: string, ref: string, profile: string): ExperimentRow {
  const slash = ref.indexOf('/');
  if (/^[0-9a-f]{6,20}$/.test(ref)) {
    const found = findStoredKey(storeDir, ref);
    if (found.length !== 1) {
      throw new AlsgError(found.length ? 'E_USAGE' : 'E_ARTIFACT', found.length ? `key ${ref} is ambiguous: ${found.map((f) => `${f.stage}/${f.key}`).join(', ')}` : `no result with key ${ref} in ${storeDir}`);
    }
    return readExperiment(storeDir, found[0]) as ExperimentRow;
  }
  if (slash > 0) {
    const head = ref.slice(0, slash), tail = ref.slice(slash + 1);
    if (/^[0-9a-f]{20}$/.test(tail) && isComplete(storeDir, { stage: head, key: tail })) return readExperiment(storeDir, { stage: head, key: tail }) as ExperimentRow;
    const rec = readAddressRecord(storeDir, head, profile, tail);
    const row = rec && readExperiment(storeDir, rec, { pipeline: head, profile, instance: tail });
    if (row) return row;
    const known = readAddressRecords(storeDir).filter((r) => r.pipeline === head && r.profile === profile).map((r) => r.instance);
    const hint = known.length ? `; results of ${head} under profile ${profile}: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}` : `; the store has no results of pipeline ${head} under profile ${profile}`;
    throw new AlsgError('E_ARTIFACT', `no stored result for ${ref} (profile ${profile})${hint}`, { stage: ref });
  }
  throw new AlsgError('E_USAGE', `a result must be <pipeline>/<instance>, <stage>/<key> or a key, but got '${ref}'`);
}

function diffResults(refs: string[], profiles: string[]): Differences {
  if (refs.length !== 2) throw new AlsgError('E_USAGE', `diff needs two results (or a pipeline file), but got ${refs.length} argument(s)`);
  if (profiles.length > 1) throw new AlsgError('E_USAGE', 'two --profile options compare a pipeline: alsg diff <pipeline.yaml> --profile A --profile B');
  const storeDir = workspaceRegistry().layout.storeDir;
  const profile = profiles[0] ?? DEFAULT_PROFILE;
  const [a, b] = refs.map((r) => resolveResult(storeDir, r, profile));
  const label = (r: ExperimentRow): string => `${r.pipeline}/${r.instance} (${r.profile}, ${r.stage}/${r.key}${r.status === 'old' ? ', old' : ''})`;
  return { a: label(a), b: label(b), entries: compareRows(a, b), notes: [] };
}

/** A pipeline loaded from the working tree or, with `rev`, from git (`git show <rev>:./<file>` beside the file). */
async function loadAt(file: string, rev: string | undefined, registry: StageRegistry): Promise<LoadedPipeline> {
  if (!rev) return loadPipeline(file, registry);
  let text: string;
  try {
    text = execFileSync('git', ['show', `${rev}:./${basename(file)}`], { cwd: dirname(file) || '.', encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim().split('\n')[0];
    throw new AlsgError('E_USAGE', `cannot read ${file} at git revision '${rev}': ${stderr}`, { file, cause: err });
  }
  const name = `${rev}:${file}`;
  const result = await validatePipelineText(name, text, registry);
  if (!result.pipeline) throw new PipelineConfigError(name, result.issues);
  return result.pipeline;
}

async function diffPipeline(file: string, revs: string[], profiles: string[]): Promise<Differences> {
  if (revs.length > 2) throw new AlsgError('E_USAGE', `diff <pipeline.yaml> takes at most two git revisions, but got ${revs.length}`);
  if (revs.length === 0 && profiles.length !== 2) {
    throw new AlsgError('E_USAGE', 'diff <pipeline.yaml> needs two profiles (--profile A --profile B) or a git revision (alsg diff <pipeline.yaml> <rev> [<rev2>])');
  }
  if (revs.length > 0 && profiles.length > 1) throw new AlsgError('E_USAGE', 'compare either two profiles or two revisions, not both');
  const registry = workspaceRegistry();
  const sides = revs.length === 0
    ? profiles.map((profile) => ({ rev: undefined, profile }))
    : [{ rev: revs[0], profile: profiles[0] ?? DEFAULT_PROFILE }, { rev: revs[1], profile: profiles[0] ?? DEFAULT_PROFILE }];
  const plans: Plan[] = [];
  for (const side of sides) {
    const pipeline = await loadAt(file, side.rev, registry);
    requireProfile(pipeline, side.profile);
    plans.push(planPipeline(pipeline, planSources(registry, pipeline), side.profile));
  }
  const [pa, pb] = plans;
  const label = (i: number): string => `${file}${sides[i].rev ? ` at ${sides[i].rev}` : revs.length ? ' (working tree)' : ''} (profile ${sides[i].profile})`;
  const names = [...pa.instances.map((i) => i.name), ...pb.instances.map((i) => i.name).filter((n) => !pa.byName.has(n))];
  const entries: DiffEntry[] = [];
  const notes: string[] = [];
  let stored = 0;
  let fallback = 0;
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const name of names) {
    const ia = pa.byName.get(name), ib = pb.byName.get(name);
    if (!ia || !ib) {
      (ia ? onlyA : onlyB).push(name);
      continue;
    }
    if (ia.key === ib.key) continue;
    // Planned params are what the file sets (defaults live in stage code): the same view as exp show's default.
    const side = (inst: typeof ia, plan: Plan) => {
      const at = { pipeline: plan.pipeline, profile: plan.profile, instance: inst.name };
      let row = isComplete(plan.storeDir, inst) ? readExperiment(plan.storeDir, inst, at) : undefined;
      // Profiles: without a result under today's key (code changed since), the address's last result still says how
      // it did. Not for revisions: both sides share the address, so its last result would stand for either.
      const last = !row && !revs.length ? readAddressRecord(plan.storeDir, plan.pipeline, plan.profile, inst.name) : undefined;
      if (last) {
        row = readExperiment(plan.storeDir, last, at);
        if (row) fallback++;
      }
      if (row) stored++;
      const params = flattenParams(inst.params);
      return { params, written: Object.keys(params), metrics: row?.metrics ?? {}, seed: inst.seed };
    };
    const rows = compareRows(side(ia, pa), side(ib, pb), name);
    // An instance whose own settings agree differs through its inputs (or code); say so rather than print nothing.
    if (rows.every((e) => e.same || e.kind === 'metric')) rows.unshift({ kind: 'param', instance: name, name: '(inputs)', a: ia.key, b: ib.key, same: false });
    entries.push(...rows);
  }
  if (onlyA.length) notes.push(`only in A (${onlyA.length}): ${onlyA.join(', ')}`);
  if (onlyB.length) notes.push(`only in B (${onlyB.length}): ${onlyB.join(', ')}`);
  if (!entries.length) notes.push('every instance has the same content key in A and B');
  else if (stored === 0) notes.push('no planned instance has a result in the store yet: parameters only (alsg run to add metrics)');
  if (fallback) notes.push(`${fallback} side(s) show the metrics of the address's last stored result, not of today's key (code, inputs or data changed since; alsg status says what)`);
  if (revs.length) notes.push('both sides are planned with the stages of the working tree: keys match stored results only where the stage code is unchanged');
  return { a: label(0), b: label(1), entries, notes };
}

/** Widest value printed in the text output (a report's `expect:` list is one parameter); --json has them whole. */
const MAX_VALUE_CHARS = 60;

function formatValue(name: string, v: unknown, kind: DiffEntry['kind']): string {
  if (v === undefined) return '-';
  if (kind === 'metric' && typeof v === 'number') return formatCell(`metrics.${name}`, v);
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** Aligned text: A and B named on top, then one line per entry (params first), change with its sign. */
export function renderDiff(a: string, b: string, entries: readonly DiffEntry[], notes: readonly string[]): string {
  const head = ['instance', 'kind', 'name', 'A', 'B', 'change'];
  const withInstance = entries.some((e) => e.instance);
  const body = entries.map((e) => [
    e.instance ?? '', e.kind, e.name, formatValue(e.name, e.a, e.kind), formatValue(e.name, e.b, e.kind),
    e.change === undefined ? '' : `${e.change >= 0 ? '+' : ''}${formatCell(`metrics.${e.name}`, e.change)}`,
  ]);
  const cols = head.map((_, i) => i).filter((i) => i !== 0 || withInstance);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cols.map((i) => cells[i].padEnd(widths[i])).join('  ').trimEnd();
  const lines = [`A: ${a}`, `B: ${b}`];
  if (entries.length) lines.push('', line(head), ...body.map(line));
  else lines.push('', 'no differences');
  for (const n of notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}
