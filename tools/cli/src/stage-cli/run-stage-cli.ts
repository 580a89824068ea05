/**
 * `alsg <stage> [flags] --out <dir>`: any stage run by hand, its flags and --help generated from the stage's params
 * schema and input slots (flags.ts, help.ts), values parsed by type (values.ts), the parameters checked and defaulted by
 * `applyParamsSchema` (the executor's own path, so a flag and a pipeline's params: mean the same), then `stage.run` with
 * a command-line context (context.ts). A stage's `cli.ts` may add hooks (older flag spellings, a second form of the
 * command, cross-flag rules); it never parses arguments itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlsgError, isAlsgError, type StageCliHooks, type StageCliPrepareArgs } from '@ldl-alsg/common';
import { applyParamsSchema, type ConfigIssue, type StageDefinition } from '@ldl-alsg/pipeline';
import { scanArgs } from './argv';
import { commandLineContext } from './context';
import { deriveFlags, type FlagSpec, type StageShape } from './flags';
import { helpText, usageLines } from './help';
import { flagValue, setAt } from './values';

/** What the command line asked for, before the schema's defaults. */
export interface StageCliArgs {
  params: Record<string, unknown>;
  inputs: Record<string, string[]>;
  own: StageCliPrepareArgs['own'];
  outDir: string;
  scratchDir?: string;
  seed: number;
  quiet: boolean;
  /** Parameter path -> the flag that set it, for messages that name what the user typed. */
  setBy: Map<string, string>;
}

/** Parses `argv` for `stage`; null for --help. Usage errors read "alsg <stage>: ..." (the usage is added by the caller). */
export function parseStageArgs(stage: StageShape, flags: readonly FlagSpec[], hooks: StageCliHooks, argv: readonly string[]): StageCliArgs | null {
  const command = stage.name;
  const scanned = scanArgs(command, argv, flags);
  if (scanned.has('help')) return null;
  const fail = (message: string): never => {
    throw new AlsgError('E_USAGE', `alsg ${command}: ${message}`);
  };
  const args: StageCliArgs = { params: {}, inputs: {}, own: {}, outDir: '', seed: 0, quiet: false, setBy: new Map() };
  for (const { flag, values } of scanned.values()) {
    if (flag.kind === 'param') {
      const value = flagValue(command, flag, values);
      if (value === undefined) continue;
      setAt(args.params, flag.path!, value);
      args.setBy.set(flag.path!.join('.'), flag.name);
    } else if (flag.kind === 'input') args.inputs[flag.slot!] = values;
    else if (flag.kind === 'own') args.own[flag.name] = flag.takesValue ? values : true;
    else if (flag.kind === 'out') args.outDir = values[values.length - 1];
    else if (flag.kind === 'scratch') args.scratchDir = values[values.length - 1];
    else if (flag.kind === 'quiet') args.quiet = values[values.length - 1] === 'true';
  }
  const prepare: StageCliPrepareArgs = { params: args.params, inputs: args.inputs, own: args.own, seed: 0, fail };
  hooks.prepare?.(prepare);
  args.seed = prepare.seed;
  const alternative = hooks.alternative?.applies(args.own) ?? false;
  for (const f of flags) {
    if (!f.required) continue;
    const missing = f.kind === 'out' ? args.outDir === '' : f.kind === 'input' && !alternative && !args.inputs[f.slot!]?.length;
    if (missing) fail(`--${f.name} ${f.placeholder} is required`);
  }
  return args;
}

/** Turns one schema issue into "alsg <stage>: --<flag> must ..., but got ...", naming the flag the user typed. */
export function issueMessage(command: string, issue: ConfigIssue, args: StageCliArgs, flags: readonly FlagSpec[]): string {
  const rest = issue.path ? issue.message.slice(`${issue.file} ${issue.path}: `.length) : issue.message.slice(`${issue.file}: `.length);
  const keys = [...args.setBy.keys(), ...flags.filter((f) => f.kind === 'param' && !f.aliasOf).map((f) => f.path!.join('.'))];
  const key = keys
    .filter((k) => issue.path === k || issue.path.startsWith(`${k}.`) || issue.path.startsWith(`${k}[`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return `alsg ${command}: ${rest}`;
  const flag = flags.find((f) => f.name === args.setBy.get(key)) ?? flags.find((f) => f.kind === 'param' && !f.aliasOf && f.path!.join('.') === key)!;
  if (rest.endsWith('must be present, but got nothing')) return `alsg ${command}: --${flag.name} ${flag.placeholder} is required`;
  const field = issue.path.split('.').pop()!;
  const body = rest.startsWith(`${field} `) ? rest.slice(field.length) : `: ${rest}`;
  return `alsg ${command}: --${flag.name}${issue.path.slice(key.length)}${body}`;
}

/** The schema, without its `required` list for a second form of the command (graph's --features needs no space). */
function schemaFor(stage: StageShape, alternative: boolean): Record<string, unknown> {
  if (!alternative) return stage.paramsSchema;
  const { required: _required, ...rest } = stage.paramsSchema;
  return rest;
}

/**
 * Runs `stage` from the command line; resolves with the exit code. Usage errors are AlsgError E_USAGE carrying the
 * command's usage in `details.usage`, for the dispatcher to print once after the message.
 */
export async function runStageCli<P>(stage: StageDefinition<P>, argv: readonly string[], hooks: StageCliHooks = {}): Promise<number> {
  const flags = deriveFlags(stage, hooks);
  const command = stage.name;
  let args: StageCliArgs | null;
  let params: Record<string, unknown>;
  let alternative = false;
  try {
    args = parseStageArgs(stage, flags, hooks, argv);
    if (args === null) {
      process.stdout.write(helpText(stage, flags, hooks));
      return 0;
    }
    alternative = hooks.alternative?.applies(args.own) ?? false;
    const applied = applyParamsSchema(schemaFor(stage, alternative), args.params, { file: `alsg ${command}` });
    const parsed = args;
    if (applied.issues.length > 0) throw new AlsgError('E_USAGE', applied.issues.map((i) => issueMessage(command, i, parsed, flags)).join('\n'));
    params = applied.params;
  } catch (err) {
    if (isAlsgError(err) && err.code === 'E_USAGE') {
      const usage = `Usage: ${usageLines(stage, flags, hooks).join('\n       ')}\n(alsg ${command} --help lists every flag with its default)\n`;
      throw new AlsgError('E_USAGE', err.message, { ...err.details, usage });
    }
    throw err;
  }
  if (alternative) {
    await hooks.alternative!.run({ params, own: args.own, outDir: args.outDir, seed: args.seed, log: (line) => process.stderr.write(`${command}: ${line}\n`) });
    return 0;
  }
  const scratchDir = args.scratchDir ?? (hooks.scratch ? join(args.outDir, '.scratch') : mkdtempSync(join(tmpdir(), `alsg-${command}-scratch-`)));
  const { ctx, finish } = commandLineContext<P>({
    name: command,
    params: params as P,
    inputs: args.inputs,
    outDir: args.outDir,
    scratchDir,
    removeScratch: args.scratchDir === undefined,
    seed: typeof params.seed === 'number' ? params.seed : args.seed,
    quiet: args.quiet,
  });
  await stage.run(ctx);
  finish();
  return 0;
}
