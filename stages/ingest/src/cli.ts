/**
 * `alsg ingest --format <raf-db|affectnet|fer2013|ferplus|sfew|ckplus|expw|folder|csv|synthfer|auto> --root <dir>
 * --out <dir> [options]`: the ingest stage outside a pipeline. Flags are derived from the stage's JSON Schema (camelCase
 * parameter -> --kebab-case flag), so the generator's options (--profile, --seed, ...) appear as soon as
 * @ldl-alsg/synthfer describes them.
 */
import { parseArgs } from 'node:util';
import { AlsgError, startProgress } from '@ldl-alsg/common';
import { PARAMS_SCHEMA, withDefaults, type IngestParams } from './params';
import { describeIngest, runIngest } from './run-ingest';

type Prop = Record<string, unknown>;
const PROPS = PARAMS_SCHEMA.properties as Record<string, Prop>;

/** camelCase -> kebab-case. */
export function flagName(param: string): string {
  return param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function types(prop: Prop): string[] {
  if (Array.isArray(prop.type)) return prop.type as string[];
  if (typeof prop.type === 'string') return [prop.type];
  if (Array.isArray(prop.enum)) return [...new Set((prop.enum as unknown[]).filter((v) => v !== null).map((v) => typeof v))];
  return ['string'];
}

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > width - indent && line) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

/** The --help text, built from the schema's descriptions and defaults. */
export function helpText(): string {
  const rows = Object.entries(PROPS).map(([name, prop]) => {
    const t = types(prop);
    const value = Array.isArray(prop.enum) ? `<${(prop.enum as unknown[]).filter((v) => v !== null).join('|')}>` : t.includes('boolean') ? '' : t.includes('object') ? '<a=b,...>' : `<${t[0]}>`;
    const def = prop.default === null || prop.default === undefined || prop.default === '' ? '' : ` (default ${JSON.stringify(prop.default)})`;
    return `  --${flagName(name)} ${value}\n      ${wrap(String(prop.description ?? '') + def, 6)}`;
  });
  return `Usage: alsg ingest --format <format> --root <dir> --out <dir> [options]
       alsg ingest --format synthfer --out <dir> [--profile <p>] [--seed <n>] [generator options]

Reads a facial-expression dataset in its original layout (or generates the synthetic benchmark) and writes
<out>/manifest.csv, <out>/ingest-report.json, <out>/distribution.npy where the source has label distributions,
and <out>/images/ for converted images. Formats, layouts and label mappings: docs/datasets.md.

Options:
${rows.join('\n')}
  --out <dir>
      Output folder (created; an existing manifest there is replaced only when the new one is complete).
  --quiet
      No progress lines.
  -h, --help
      This text.
`;
}

function parseValue(name: string, prop: Prop, text: string): unknown {
  const t = types(prop);
  const flag = `--${flagName(name)}`;
  if (Array.isArray(prop.enum)) {
    const allowed = (prop.enum as unknown[]).filter((v) => v !== null);
    const match = allowed.find((v) => String(v) === text);
    if (match === undefined) throw new AlsgError('E_USAGE', `alsg ingest: ${flag} must be one of ${allowed.join(', ')}, but got "${text}"`);
    return match;
  }
  if (t.includes('integer') || t.includes('number')) {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || (t.includes('integer') && !t.includes('number') && !Number.isInteger(v))) {
      throw new AlsgError('E_USAGE', `alsg ingest: ${flag} must be ${t.includes('integer') ? 'an integer' : 'a number'}, but got "${text}"`);
    }
    return v;
  }
  if (t.includes('object')) {
    const numeric = ['integer', 'number'].includes(String((prop.additionalProperties as Prop | undefined)?.type));
    const out: Record<string, string | number> = {};
    for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
      const [k, v] = pair.split('=').map((s) => s.trim());
      if (!k || !v || (numeric && !Number.isFinite(Number(v)))) {
        throw new AlsgError('E_USAGE', `alsg ingest: ${flag} must be name=${numeric ? 'number' : 'value'} pairs separated by commas (e.g. ${numeric ? 'raf-syn/train=5000' : 'Val=test,Train=skip'}), but got "${text}"`);
      }
      out[k] = numeric ? Number(v) : v;
    }
    return out;
  }
  if (t.includes('array')) return text.split(',').map((s) => s.trim());
  return text;
}

/** Parses argv into stage parameters (exported for tests). Returns null for --help. */
export function parseIngestArgs(argv: string[]): { params: IngestParams; out: string; quiet: boolean } | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { out: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
  for (const [name, prop] of Object.entries(PROPS)) options[flagName(name)] = { type: types(prop).includes('boolean') ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    throw new AlsgError('E_USAGE', `alsg ingest: ${(err as Error).message}\n\n${helpText()}`);
  }
  if (values.help) return null;
  const params: Partial<IngestParams> = {};
  for (const [name, prop] of Object.entries(PROPS)) {
    const v = values[flagName(name)];
    if (v === undefined) continue;
    (params as Record<string, unknown>)[name] = typeof v === 'boolean' ? v : parseValue(name, prop, v);
  }
  if (params.format === undefined) throw new AlsgError('E_USAGE', `alsg ingest: --format is required\n\n${helpText()}`);
  if (typeof values.out !== 'string' || values.out === '') throw new AlsgError('E_USAGE', `alsg ingest: --out <dir> is required\n\n${helpText()}`);
  if (params.format !== 'synthfer' && !params.root) throw new AlsgError('E_USAGE', `alsg ingest: --root <dir> is required for --format ${params.format}`);
  return { params: withDefaults(params), out: values.out, quiet: values.quiet === true };
}

/** Runs the ingest CLI; returns the exit code (0 ok). User errors are thrown as AlsgError for the dispatcher to print. */
export async function runCli(argv: string[]): Promise<number> {
  const parsed = parseIngestArgs(argv);
  if (parsed === null) {
    process.stdout.write(helpText());
    return 0;
  }
  const { params, out, quiet } = parsed;
  const result = await runIngest(params, out, {
    progress: (label, total, unit) => startProgress(`ingest: ${label}`, total, { unit, silent: quiet }),
    log: (m) => {
      if (!quiet) process.stderr.write(`ingest: ${m}\n`);
    },
  });
  for (const line of describeIngest(result)) process.stderr.write(line + '\n');
  return 0;
}
