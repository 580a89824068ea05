/**
 * Flag derivation: a stage's params schema, input slots and CLI hooks -> the table of flags `alsg <stage>` accepts.
 * camelCase parameters become --kebab-case flags; an object parameter with declared properties flattens to
 * --parent-child (train's lambda.au -> --lambda-au). Parameters a flag cannot express (lists of objects, a choice between
 * null and an object) get no flag: --help lists them as pipeline-only, and a stage hook may add a flag of its own.
 */
import { AlsgError, type StageCliHooks } from '@ldl-alsg/common';
import type { StageDefinition } from '@ldl-alsg/pipeline';

export type SchemaProp = Record<string, unknown>;

/** What the CLI reads of a stage to build its flags and help (any parameter type). */
export type StageShape = Pick<StageDefinition, 'name' | 'description' | 'paramsSchema' | 'inputs'>;

export interface FlagSpec {
  /** Flag without the leading dashes. */
  readonly name: string;
  /** param: sets a parameter; input: names an input folder; own: read by the stage hook; the rest: the command's own. */
  readonly kind: 'param' | 'input' | 'own' | 'out' | 'scratch' | 'quiet' | 'help';
  /** Parameter path (kind param). */
  readonly path?: readonly string[];
  /** Schema of that parameter (kind param). */
  readonly prop?: SchemaProp;
  /** Input slot (kind input). */
  readonly slot?: string;
  /** Whether the flag takes a value (otherwise a switch). */
  readonly takesValue: boolean;
  /** May be repeated (values collected in order). */
  readonly multiple: boolean;
  /** Must be given (input slots and --out; parameters are checked by the schema). */
  readonly required: boolean;
  /** A switch that sets its parameter to this value (hook spellings like --exact, --per-sample). */
  readonly setTo?: unknown;
  /** Array parameter whose every occurrence is one item (no comma splitting). */
  readonly whole?: boolean;
  /** `--no-<name>` sets the boolean parameter to false. */
  readonly negatable?: boolean;
  /** Placeholder in --help, e.g. '<integer>'. */
  readonly placeholder: string;
  readonly description: string;
  /** Listed under the parameter it spells differently (help shows it after the generated flag). */
  readonly aliasOf?: string;
}

/** camelCase -> kebab-case (a lone capital such as graph's `M` stays as it is: --M). */
export function flagName(param: string): string {
  return param.replace(/(?<=[a-z0-9])([A-Z])/g, (c) => `-${c.toLowerCase()}`);
}

/** The JSON types a property admits (enum values' types when it has no `type`). */
export function propTypes(prop: SchemaProp): string[] {
  if (Array.isArray(prop.type)) return prop.type as string[];
  if (typeof prop.type === 'string') return [prop.type];
  if (Array.isArray(prop.enum)) return [...new Set((prop.enum as unknown[]).filter((v) => v !== null).map((v) => typeof v))];
  return [];
}

/** Enum values without null (null means "the default" and is not typed on a command line). */
export function enumValues(prop: SchemaProp): unknown[] | undefined {
  return Array.isArray(prop.enum) ? (prop.enum as unknown[]).filter((v) => v !== null) : undefined;
}

const isScalarSchema = (s: SchemaProp | undefined): boolean =>
  s !== undefined && (Array.isArray(s.enum) || propTypes(s).some((t) => ['string', 'number', 'integer', 'boolean'].includes(t)));

/** Whether one command-line value can express this property (see the file comment). */
export function isFlaggable(prop: SchemaProp): boolean {
  if (Array.isArray(prop.oneOf)) return (prop.oneOf as SchemaProp[]).every((alt) => isScalarSchema(alt) || (propTypes(alt).includes('array') && isScalarSchema(alt.items as SchemaProp)) || propTypes(alt).includes('null'));
  const types = propTypes(prop);
  if (types.includes('array')) return isScalarSchema(prop.items as SchemaProp);
  if (types.includes('object')) return typeof prop.additionalProperties === 'object' && isScalarSchema(prop.additionalProperties as SchemaProp);
  return isScalarSchema(prop);
}

/** Whether a property is a group whose own properties become flags (an object with declared properties). */
export function isGroup(prop: SchemaProp): boolean {
  return propTypes(prop).includes('object') && typeof prop.properties === 'object' && prop.properties !== null;
}

function placeholderOf(prop: SchemaProp): string {
  const values = enumValues(prop);
  if (values) return `<${values.join('|')}>`;
  if (Array.isArray(prop.oneOf)) {
    const alts = (prop.oneOf as SchemaProp[]).filter((a) => !propTypes(a).includes('null') || a.enum);
    return `<${alts.map((a) => (enumValues(a) ?? []).join('|') || 'a,b,...').filter((s) => s).join('|')}>`;
  }
  const types = propTypes(prop);
  if (types.includes('boolean')) return '';
  if (types.includes('object')) return '<name=value,...>';
  if (types.includes('array')) return `<${propTypes(prop.items as SchemaProp)[0] ?? 'value'},...>`;
  return `<${types.find((t) => t !== 'null') ?? 'value'}>`;
}

/** Every parameter as [path, schema], groups flattened, in schema order. */
export function paramLeaves(schema: SchemaProp, prefix: readonly string[] = []): [string[], SchemaProp][] {
  const out: [string[], SchemaProp][] = [];
  for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, SchemaProp>)) {
    if (isGroup(prop)) out.push(...paramLeaves(prop, [...prefix, key]));
    else out.push([[...prefix, key], prop]);
  }
  return out;
}

/** The flag table of `stage` (throws a bug, not a usage error, when two flags would share a name). */
export function deriveFlags(stage: StageShape, hooks: StageCliHooks = {}): FlagSpec[] {
  const flags: FlagSpec[] = [];
  for (const [path, prop] of paramLeaves(stage.paramsSchema)) {
    if (!isFlaggable(prop)) continue;
    const types = propTypes(prop);
    const isSwitch = types.length === 1 && types[0] === 'boolean';
    const repeatable = types.includes('array') || types.includes('object') || Array.isArray(prop.oneOf);
    flags.push({
      name: path.map(flagName).join('-'),
      kind: 'param',
      path,
      prop,
      takesValue: !isSwitch,
      multiple: repeatable,
      required: false,
      negatable: isSwitch,
      placeholder: placeholderOf(prop),
      description: String(prop.description ?? ''),
    });
  }
  for (const [slot, spec] of Object.entries(stage.inputs)) {
    const from = spec.from.join(' | ');
    flags.push({
      name: hooks.inputFlags?.[slot] ?? flagName(slot),
      kind: 'input',
      slot,
      takesValue: true,
      multiple: spec.multiple,
      required: spec.required,
      placeholder: `<${from} dir>`,
      description: spec.description,
    });
  }
  for (const [name, extra] of Object.entries(hooks.flags ?? {})) {
    const path = extra.param?.split('.');
    const target = path ? flags.find((f) => f.kind === 'param' && f.path!.join('.') === extra.param) : undefined;
    const prop = target?.prop ?? (path ? propAt(stage.paramsSchema, path) : undefined);
    if (path && !prop) throw new Error(`stage ${stage.name}: CLI flag --${name} names parameter '${extra.param}', which its schema lacks`);
    const isSwitch = extra.value !== undefined || (!extra.placeholder && prop !== undefined && propTypes(prop).join() === 'boolean');
    flags.push({
      name,
      kind: path ? 'param' : 'own',
      path,
      prop,
      takesValue: !isSwitch && (extra.placeholder !== undefined || path !== undefined),
      multiple: extra.multiple ?? target?.multiple ?? false,
      required: false,
      setTo: extra.value,
      whole: extra.whole,
      placeholder: extra.placeholder ?? (isSwitch || !prop ? '' : placeholderOf(prop)),
      description: extra.description,
      aliasOf: target?.name,
    });
  }
  flags.push({ name: 'out', kind: 'out', takesValue: true, multiple: false, required: true, placeholder: '<dir>', description: 'Output folder (created when missing).' });
  if (hooks.scratch) {
    flags.push({ name: 'scratch', kind: 'scratch', takesValue: true, multiple: false, required: false, placeholder: '<dir>', description: 'Checkpoint folder: re-running the same command after a kill resumes from it. Default <out>/.scratch, removed after success.' });
  }
  flags.push({ name: 'quiet', kind: 'quiet', takesValue: false, multiple: false, required: false, placeholder: '', description: 'No progress lines.' });
  flags.push({ name: 'help', kind: 'help', takesValue: false, multiple: false, required: false, placeholder: '', description: 'This text.' });
  const seen = new Set<string>();
  for (const f of flags) {
    if (seen.has(f.name)) throw new AlsgError('E_STAGE', `stage ${stage.name}: two command-line flags are named --${f.name} (a parameter, input slot or hook flag must be renamed)`);
    seen.add(f.name);
  }
  return flags;
}

/** The schema of the parameter at `path` (through groups and oneOf alternatives), or undefined. */
export function propAt(schema: SchemaProp, path: readonly string[]): SchemaProp | undefined {
  let cur: SchemaProp | undefined = schema;
  for (const key of path) {
    if (!cur) return undefined;
    const props: Record<string, SchemaProp> | undefined =
      (cur.properties as Record<string, SchemaProp> | undefined) ?? (cur.oneOf as SchemaProp[] | undefined)?.find((a) => a.properties)?.properties as Record<string, SchemaProp> | undefined;
    cur = props?.[key];
  }
  return cur;
}
