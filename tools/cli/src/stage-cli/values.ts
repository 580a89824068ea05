/**
 * Command-line text -> parameter values, by the parameter's schema: numbers, enums, booleans, `a,b` lists,
 * `name=value,...` maps. Only the syntax is judged here ("--epochs must be an integer, but got "abc""); ranges and every
 * other rule are the schema's, checked afterwards by the same ajv path the pipeline executor uses.
 */
import { AlsgError } from '@ldl-alsg/common';
import { enumValues, propTypes, type FlagSpec, type SchemaProp } from './flags';

/** Parses one occurrence of a parameter flag. */
export function parseText(command: string, flag: string, prop: SchemaProp, text: string, whole = false): unknown {
  const fail = (rule: string): never => {
    throw new AlsgError('E_USAGE', `alsg ${command}: ${flag} must be ${rule}, but got "${text}"`);
  };
  const values = enumValues(prop);
  if (values) {
    const match = values.find((v) => String(v) === text);
    return match !== undefined ? match : fail(`one of ${values.join(', ')}`);
  }
  if (Array.isArray(prop.oneOf)) {
    const alts = prop.oneOf as SchemaProp[];
    for (const alt of alts) {
      const match = enumValues(alt)?.find((v) => String(v) === text);
      if (match !== undefined) return match;
    }
    const list = alts.find((a) => propTypes(a).includes('array'));
    if (list) return parseText(command, flag, list, text, whole);
    return fail(`one of ${alts.flatMap((a) => enumValues(a) ?? []).join(', ')}`);
  }
  const types = propTypes(prop);
  if (types.includes('array')) {
    const items = whole ? [text] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return items.map((item) => parseText(command, flag, (prop.items ?? {}) as SchemaProp, item));
  }
  if (types.includes('object')) {
    const valueSchema = (prop.additionalProperties ?? {}) as SchemaProp;
    const out: Record<string, unknown> = {};
    for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq).trim();
      if (eq < 1 || key === '') fail(`name=value pairs separated by commas (e.g. a=1,b=2)`);
      out[key] = parseText(command, `${flag} ${key}`, valueSchema, pair.slice(eq + 1).trim());
    }
    return out;
  }
  if (types.includes('integer') || types.includes('number')) {
    if (types.includes('null') && text === 'null') return null;
    const v = Number(text);
    const integer = types.includes('integer') && !types.includes('number');
    if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) fail(integer ? 'an integer' : 'a number');
    return v;
  }
  if (types.includes('boolean') && !types.includes('string')) {
    if (text === 'true') return true;
    if (text === 'false') return false;
    return fail('true or false');
  }
  return text;
}

/** The value a parameter flag gives (all its occurrences: lists concatenated, maps merged, otherwise the last). */
export function flagValue(command: string, flag: FlagSpec, texts: readonly string[]): unknown {
  const prop = flag.prop!;
  if (flag.setTo !== undefined) return texts[texts.length - 1] === 'false' ? undefined : flag.setTo;
  if (!flag.takesValue) return texts[texts.length - 1] === 'true';
  const parsed = texts.map((t) => parseText(command, `--${flag.name}`, prop, t, flag.whole));
  if (parsed.every((p) => Array.isArray(p))) return (parsed as unknown[][]).flat();
  if (parsed.every((p) => p !== null && typeof p === 'object')) return Object.assign({}, ...parsed);
  return parsed[parsed.length - 1];
}

/** Sets `value` at the dotted `path` of `target`, creating groups on the way. */
export function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (const key of path.slice(0, -1)) {
    if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}
