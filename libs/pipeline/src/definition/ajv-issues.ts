/**
 * Ajv errors -> "<file> <path>: <field> must <rule>, but got <value>" issues. Kept apart from the validator so that
 * "the schema itself is broken" (ajv compile failure: a bug, thrown as is) never looks like "your file is invalid".
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { configIssue, formatValue, suggest, type ConfigIssue } from './config-issue';
import { formatPath } from './yaml-source';

// ajv is loaded on first compile only: a pipeline whose checks all hit the pass cache below never needs it (loading
// and compiling the composed schema was ~1.5 of the ~4.5 CPU-seconds of a fully cached `alsg run`, issue 14).
const require = createRequire(import.meta.url);
let ajvClass: typeof AjvModule | undefined;
const ajvConstructor = (): typeof AjvModule => {
  // ajv is CommonJS; the class may sit on `.default`.
  const mod = require('ajv') as typeof AjvModule & { default?: typeof AjvModule };
  ajvClass ??= mod.default ?? mod;
  return ajvClass;
};
const AJV_VERSION = (): string => (require('ajv/package.json') as { version: string }).version;

const compiled = new Map<string, ValidateFunction>();

/** Compiles (and memoises by schema text) a validator: all errors, no type coercion, unknown keywords tolerated. */
export function compileSchema(schema: Record<string, unknown>, options: { useDefaults?: boolean } = {}): ValidateFunction {
  const cacheKey = `${options.useDefaults ? 'd' : 'n'}${JSON.stringify(schema)}`;
  let fn = compiled.get(cacheKey);
  if (!fn) {
    const Ajv = ajvConstructor();
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults: options.useDefaults ?? false, allowUnionTypes: true });
    fn = ajv.compile(schema);
    compiled.set(cacheKey, fn);
  }
  return fn;
}

// JSON loses non-finite numbers (YAML's .inf / .nan become null); tag them so they never share a key with null.
const keyReplacer = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? { '\0non-finite': String(v) } : v);

/**
 * Validates `data` against `schema` (no defaults applied, so `data` is not changed), remembering passes on disk: a
 * marker file under `passDir` named by sha256(ajv version, schema, data). The same schema and data give the same answer
 * from the same ajv, so a hit skips loading ajv and compiling the schema. Only passes are remembered: failures are
 * re-checked to produce their messages. Without `passDir` (or when the folder is not writable) it only validates.
 * Returns ajv's errors, or null when `data` is valid.
 */
export function validateRemembered(schema: Record<string, unknown>, data: unknown, passDir?: string): ErrorObject[] | null {
  let marker: string | undefined;
  if (passDir) {
    const digest = createHash('sha256').update(AJV_VERSION()).update('\0').update(JSON.stringify(schema, keyReplacer)).update('\0').update(JSON.stringify(data, keyReplacer) ?? 'undefined').digest('hex');
    marker = join(passDir, digest.slice(0, 40));
    if (existsSync(marker)) return null;
  }
  const validate = compileSchema(schema);
  if (!validate(data)) return validate.errors ?? [];
  if (marker) {
    try {
      mkdirSync(passDir as string, { recursive: true });
      const tmp = `${marker}.${process.pid}.tmp`;
      writeFileSync(tmp, '');
      renameSync(tmp, marker);
    } catch {
      // read-only checkouts still validate, only slower
    }
  }
  return null;
}

function decodePointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

export interface AjvIssueContext {
  file: string;
  /** Path segments prepended to every error path (when validating a part of the file). */
  prefix?: readonly (string | number)[];
  /** Whole data that was validated (for the offending values). */
  data: unknown;
  /** Line lookup for a path inside the file. */
  lineOf?: (path: readonly (string | number)[], atKey?: boolean) => number | undefined;
  /**
   * Says what a mapping at `path` holds, for unknown-key messages ("a parameter of stage 'train'"); undefined for the
   * generic "one of the known keys" wording.
   */
  describeKeys?: (path: readonly (string | number)[]) => string | undefined;
}

/** Translates ajv errors into issues, dropping wrapper errors (if/anyOf/oneOf) that only repeat inner ones. */
export function ajvIssues(errors: readonly ErrorObject[] | null | undefined, ctx: AjvIssueContext): ConfigIssue[] {
  const list = errors ?? [];
  const prefix = ctx.prefix ?? [];
  const out: ConfigIssue[] = [];
  for (const e of list) {
    if (['if', 'anyOf', 'oneOf', 'allOf', 'propertyNames'].includes(e.keyword)) {
      const deeper = list.some((o) => o !== e && !['if', 'anyOf', 'oneOf', 'allOf'].includes(o.keyword) && o.instancePath.startsWith(e.instancePath));
      if (deeper) continue;
    }
    let rel = decodePointer(e.instancePath);
    const params = e.params as Record<string, unknown>;
    let rule: string;
    let got: unknown = valueAt(ctx.data, rel);
    let raw = false;
    let atKey = false;
    const field = (): string => {
      const full = [...prefix, ...rel];
      const last = full[full.length - 1];
      if (last === undefined) return 'pipeline';
      return typeof last === 'number' ? formatPath(full.slice(-2)) : String(last);
    };
    switch (e.keyword) {
      case 'required':
        rel = [...rel, String(params.missingProperty)];
        rule = `${field()} must be present`;
        got = 'nothing';
        raw = true;
        break;
      case 'additionalProperties': {
        const parent = [...prefix, ...rel];
        const key = String(params.additionalProperty);
        const allowed = Object.keys(((e.parentSchema as Record<string, unknown>)?.properties ?? {}) as object);
        rel = [...rel, key];
        const what = ctx.describeKeys?.(parent);
        const hint = suggest(key, allowed);
        rule = what
          ? `${key} must be ${what}${hint ? ` (did you mean '${hint}'?)` : allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`
          : `${key} must be one of the known keys${allowed.length ? ` (${allowed.join(', ')})` : ''}${hint ? `; did you mean '${hint}'?` : ''}`;
        got = `'${key}'`;
        raw = true;
        atKey = true;
        break;
      }
      case 'enum': {
        const allowed = (params.allowedValues as unknown[]).map(formatValueShort);
        const hint = typeof got === 'string' ? suggest(got, allowed) : undefined;
        rule = `${field()} must be one of ${allowed.join(', ')}${hint ? ` (did you mean '${hint}'?)` : ''}`;
        break;
      }
      case 'type': {
        const types = String(params.type).split(',');
        rule = `${field()} must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        rule = `${field()} must be ${String(params.comparison)} ${String(params.limit)}`;
        break;
      case 'minItems':
        rule = `${field()} must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
        break;
      case 'maxItems':
        rule = `${field()} must have at most ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
        break;
      case 'minLength':
        rule = `${field()} must have at least ${String(params.limit)} character${params.limit === 1 ? '' : 's'}`;
        break;
      case 'maxLength':
        rule = `${field()} must have at most ${String(params.limit)} characters`;
        break;
      case 'minProperties':
        rule = `${field()} must have at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`;
        break;
      case 'pattern':
        if (e.propertyName !== undefined) {
          rel = [...rel, e.propertyName];
          rule = `${e.propertyName} must be a name of letters, digits, '-' and '_' starting with a letter`;
          got = `'${e.propertyName}'`;
          raw = true;
          atKey = true;
        } else {
          rule = `${field()} must match ${String(params.pattern)}`;
        }
        break;
      case 'const':
        rule = `${field()} must be ${formatValue(params.allowedValue)}`;
        break;
      case 'multipleOf':
        rule = `${field()} must be a multiple of ${String(params.multipleOf)}`;
        break;
      case 'uniqueItems':
        rule = `${field()} must not repeat items (items ${String(params.j)} and ${String(params.i)} are equal)`;
        break;
      default:
        rule = `${field()} ${e.message ?? 'must match the schema'}`;
    }
    const full = [...prefix, ...rel];
    const line = ctx.lineOf?.(full, atKey) ?? ctx.lineOf?.(full.slice(0, -1), true);
    out.push(configIssue(ctx.file, formatPath(full), rule, got, line, { raw }));
  }
  // identical messages (e.g. from two if/then branches) once
  const seen = new Set<string>();
  return out.filter((i) => (seen.has(i.message) ? false : (seen.add(i.message), true)));
}

function formatValueShort(v: unknown): string {
  return typeof v === 'string' ? v : formatValue(v);
}
