/**
 * Planning: concrete instances with their content keys, and what is done, stale or missing. Pure apart from reading
 * the store's "done" markers; the cheapest checks come first.
 *
 * key = sha256(stage name, params as resolved from the file (profile, matrix axes and expect merged in) less those
 * equal to their schema default, the keys of the inputs in slot order, the instance seed, the stage's code version).
 * Defaults are never filled in: they live in stage code, which the code version already covers. A param written with
 * its default value is dropped from the key instead, since the stage runs the same with it or without it, so
 * `backbone: small-cnn` spelled out (a matrix axis, a profile) shares the result of an instance that omits it.
 * The defaults come from the stage descriptions validation already loaded (`StageMeta.paramsSchema`, cached on disk
 * under the code version), so planning still never imports stage code.
 * Instances whose stage reads data from outside the store (ingest's `root`) add the fingerprint of that data
 * (source-fingerprint.ts), so a changed dataset folder makes them stale; the key of any other instance is unchanged.
 * The path stays in the key too (as expanded from `${VAR}`): ingest's manifest records absolute image paths, so a
 * result made from one mount point is not usable where the data sits at another (docs/pipelines.md, Source data).
 */
import { createHash } from 'node:crypto';
import { AlsgError } from '@ldl-alsg/common';
import { expandPipeline, type ExpandedInstance } from '../definition/expand-pipeline';
import { DEFAULT_PROFILE, type PipelineSpec } from '../definition/pipeline-spec';
import { artifactDir, isComplete, readAddressRecord, readStageRecord } from '../store/artifact-store';
import { describeSourceChange, type SourceFingerprint } from './source-fingerprint';

export interface PlannedInstance extends ExpandedInstance {
  /** `<pipeline>/<instance>`: the name used in every log line and error. */
  readonly address: string;
  /** Content key (20 hex characters). */
  readonly key: string;
  readonly codeVersion: string;
  /** Input slot -> keys of the upstream instances (same order as `inputs`). */
  readonly inputKeys: Readonly<Record<string, readonly string[]>>;
  /** Final store folder. */
  readonly dir: string;
  /** Fingerprints of data read from outside the store (part of the key), when the stage declares any. */
  readonly sources?: readonly SourceFingerprint[];
  /**
   * The stage's param defaults the key was made with: a param written with its default and the same param left out
   * hash alike, so `explainChange` must not name them as a change. Absent when keys hash params exactly as written.
   */
  readonly paramDefaults?: Readonly<Record<string, unknown>>;
}

export interface Plan {
  readonly pipeline: string;
  readonly file: string;
  readonly profile: string;
  readonly storeDir: string;
  /** Topological order. */
  readonly instances: readonly PlannedInstance[];
  readonly byName: ReadonlyMap<string, PlannedInstance>;
}

export type InstanceStatus = 'done' | 'stale' | 'missing';

export interface StatusEntry {
  readonly instance: PlannedInstance;
  readonly status: InstanceStatus;
  /** For stale: what differs from the last completed run of this address (params, inputs, code, seed). */
  readonly reason?: string;
}

/** JSON with object keys sorted, so equal values hash equally whatever the key order in the file. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface KeyParts {
  stage: string;
  params: Readonly<Record<string, unknown>>;
  inputKeys: Readonly<Record<string, readonly string[]>>;
  seed: number;
  codeVersion: string;
  /** Digests of source data read from outside the store; absent for most stages (and then not part of the text hashed). */
  sources?: readonly string[];
}

/** The content key of an instance. */
export function computeKey(parts: KeyParts): string {
  const text = canonicalJson({ v: 1, stage: parts.stage, params: parts.params, inputs: parts.inputKeys, seed: parts.seed, code: parts.codeVersion, sources: parts.sources });
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/**
 * The top-level defaults of a params schema (`properties.<name>.default`). Nested defaults are left out: a written
 * object is compared whole with its property's default.
 */
export function schemaDefaults(paramsSchema: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const properties = (paramsSchema?.properties ?? {}) as Record<string, { default?: unknown } | undefined>;
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(properties)) if (prop && prop.default !== undefined) out[name] = prop.default;
  return out;
}

/** `params` without the entries equal (as canonical JSON) to their default: what the content key hashes. */
export function paramsForKey(params: Readonly<Record<string, unknown>>, defaults: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (!defaults) return { ...params };
  return Object.fromEntries(
    Object.entries(params).filter(([name, value]) => !(name in defaults) || canonicalJson(value) !== canonicalJson(defaults[name])),
  );
}

/** Keys for already expanded instances (topological order). */
export function keyInstances(pipeline: string, instances: readonly ExpandedInstance[], sources: PlanSources): PlannedInstance[] {
  const { storeDir, codeVersionOf, sourcesOf, paramDefaultsOf } = sources;
  const keys = new Map<string, string>();
  return instances.map((inst) => {
    const inputKeys: Record<string, string[]> = {};
    for (const [slot, names] of Object.entries(inst.inputs)) inputKeys[slot] = names.map((n) => keys.get(n) as string);
    const codeVersion = codeVersionOf(inst.stage);
    const instSources = sourcesOf?.(inst);
    const paramDefaults = paramDefaultsOf?.(inst.stage);
    const params = paramsForKey(inst.params, paramDefaults);
    const key = computeKey({ stage: inst.stage, params, inputKeys, seed: inst.seed, codeVersion, sources: instSources?.map((f) => `${f.param}:${f.digest}`) });
    keys.set(inst.name, key);
    return {
      ...inst,
      address: `${pipeline}/${inst.name}`,
      key,
      codeVersion,
      inputKeys,
      dir: artifactDir(storeDir, { stage: inst.stage, key }),
      ...(instSources ? { sources: instSources } : {}),
      ...(paramDefaults ? { paramDefaults } : {}),
    };
  });
}

/**
 * What planning needs from the workspace. A function and a folder rather than the stage registry: the registry sits
 * above planning (it hashes stage code with `computeCodeVersion`), so taking it here would make planning import back up.
 */
export interface PlanSources {
  /** Store root the instance folders live under. */
  readonly storeDir: string;
  /** Code version (hex digest) of a stage by name, e.g. `(s) => registry.codeVersion(s).version`. */
  readonly codeVersionOf: (stage: string) => string;
  /** Fingerprints of the data an instance reads from outside the store (`sourceFingerprinter`); default none. */
  readonly sourcesOf?: (inst: ExpandedInstance) => readonly SourceFingerprint[] | undefined;
  /**
   * A stage's param defaults (`schemaDefaults(meta.paramsSchema)`): params written with these values are left out of
   * the key. Without it, keys hash params exactly as written.
   */
  readonly paramDefaultsOf?: (stage: string) => Readonly<Record<string, unknown>> | undefined;
}

/** Plans a (validated) pipeline under `profile`. */
export function planPipeline(
  args: { name: string; file: string; spec: PipelineSpec },
  sources: PlanSources,
  profile: string = DEFAULT_PROFILE,
): Plan {
  const { instances, issues } = expandPipeline(args.spec, profile, args.file);
  if (issues.length) throw new AlsgError('E_CONFIG', issues.map((i) => i.message).join('\n'), { file: args.file });
  const storeDir = sources.storeDir;
  const planned = keyInstances(args.name, instances, sources);
  return { pipeline: args.name, file: args.file, profile, storeDir, instances: planned, byName: new Map(planned.map((p) => [p.name, p])) };
}

/** Selects `names` (concrete names, or base names meaning all their expansions) plus everything they read from. */
export function selectWithUpstream(plan: Plan, names: readonly string[]): PlannedInstance[] {
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    const inst = plan.byName.get(name) as PlannedInstance;
    for (const ups of Object.values(inst.inputs)) ups.forEach(visit);
  };
  for (const n of names) {
    const matches = plan.byName.has(n) ? [n] : plan.instances.filter((i) => i.base === n).map((i) => i.name);
    if (matches.length === 0) {
      throw new AlsgError('E_USAGE', `--only must name an instance of ${plan.file} (${[...new Set(plan.instances.map((i) => i.base))].join(', ')}), but got '${n}'`, {
        file: plan.file,
      });
    }
    matches.forEach(visit);
  }
  return plan.instances.filter((i) => wanted.has(i.name));
}

/** Done / stale / missing for every instance, with what changed for stale ones. */
export function planStatus(plan: Plan): StatusEntry[] {
  return plan.instances.map((instance): StatusEntry => {
    if (isComplete(plan.storeDir, instance)) return { instance, status: 'done' };
    const last = readAddressRecord(plan.storeDir, plan.pipeline, plan.profile, instance.name);
    if (!last || !isComplete(plan.storeDir, last)) return { instance, status: 'missing' };
    return { instance, status: 'stale', reason: explainChange(readStageRecord(plan.storeDir, last), instance) };
  });
}

/**
 * Says which parts of the key differ from a previous stage.json (params named one by one). A param missing on one side
 * counts as its default (`now.paramDefaults`), so writing a default or leaving it out is not named as a change.
 */
export function explainChange(previous: Record<string, unknown> | undefined, now: PlannedInstance): string {
  if (!previous) return 'changed';
  const reasons: string[] = [];
  if (previous.codeVersion !== now.codeVersion) reasons.push(`code of stage ${now.stage} changed`);
  const before = (previous.writtenParams ?? {}) as Record<string, unknown>;
  const defaults = now.paramDefaults ?? {};
  const effective = (params: Record<string, unknown>, k: string): unknown => (k in params ? params[k] : defaults[k]);
  const shown = (v: unknown): string => (v === undefined ? '(not written)' : canonicalJson(v));
  const keysUnion = new Set([...Object.keys(before), ...Object.keys(now.params)]);
  for (const k of keysUnion) {
    const was = effective(before, k);
    const is = effective(now.params, k);
    if (canonicalJson(was) !== canonicalJson(is)) reasons.push(`param ${k}: ${shown(was)} -> ${shown(is)}`);
  }
  const inputsBefore = canonicalJson(previous.inputKeys ?? {});
  if (inputsBefore !== canonicalJson(now.inputKeys)) reasons.push('inputs changed');
  if (previous.seed !== now.seed) reasons.push(`seed ${String(previous.seed)} -> ${now.seed}`);
  if (previous.sources !== undefined || now.sources !== undefined) {
    reasons.push(...describeSourceChange(previous.sources as SourceFingerprint[] | undefined, now.sources));
  }
  return reasons.length ? reasons.join('; ') : 'changed';
}
