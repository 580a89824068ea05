/**
 * Loading and validating a pipeline file in two layers: shape (the composed JSON Schema, ajv, all errors, no unknown
 * keys) and meaning (references, input slots, cycles, profiles, matrix pairing, required parameters after merging).
 * Every problem is collected and reported at once.
 */
import { basename, extname, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { ajvIssues, validateRemembered } from './ajv-issues';
import { configIssue, PipelineConfigError, suggest, type ConfigIssue } from './config-issue';
import { expandPipeline, inputReferences, orderInstances } from './expand-pipeline';
import { buildPipelineSchema, structuralParamsSchema } from './pipeline-schema';
import { expandEnvVars } from './env-vars';
import { DEFAULT_PROFILE, type InstanceSpec, type PipelineSpec } from './pipeline-spec';
import type { StageMeta, StageRegistry } from './stage-registry';
import { formatPath, readPipelineText, readYamlSource, type YamlSource } from './yaml-source';

export interface LoadedPipeline {
  /** File name as given (used in messages). */
  readonly file: string;
  /** Pipeline name: `name:` or the file name without extension. */
  readonly name: string;
  readonly spec: PipelineSpec;
  /** Metadata of every stage the pipeline uses. */
  readonly metas: ReadonlyMap<string, StageMeta>;
  /** Profile names the file defines (plus `default`). */
  readonly profiles: readonly string[];
  /** 1-based line of a path in the file (YamlSource.lineOf), for checks made after loading (checkSourcePaths). */
  readonly lineOf?: YamlSource['lineOf'];
}

export interface ValidationResult {
  /** Present when there are no issues. */
  readonly pipeline?: LoadedPipeline;
  readonly issues: readonly ConfigIssue[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Pipeline name used for a file: its `name:` or the file name without extension. */
export function pipelineNameOf(file: string, spec: Partial<PipelineSpec> | undefined): string {
  return typeof spec?.name === 'string' ? spec.name : basename(file, extname(file));
}

export interface ValidateOptions {
  /** Environment that `${NAME}` references in values read (default process.env; env-vars.ts). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Validates pipeline text. Never throws for a bad file; throws only for engine bugs. */
export async function validatePipelineText(file: string, text: string, registry: StageRegistry, options: ValidateOptions = {}): Promise<ValidationResult> {
  const source = readYamlSource(file, text);
  const issues: ConfigIssue[] = [...source.issues];
  if (source.data === undefined && issues.length) return { issues };
  // Variables first, so the schema and every later check see the values the stages will get.
  const expanded = expandEnvVars(source, options.env);
  issues.push(...expanded.issues);
  const data = expanded.data;
  if (!isObject(data)) {
    issues.push(configIssue(file, '', 'pipeline must be a mapping with a `stages:` entry', data, 1));
    return { issues };
  }

  // Stage metadata for the stages the file uses (a stage that fails to load is an issue only where it is used).
  const known = registry.names();
  const metas = new Map<string, StageMeta>();
  const stages = isObject(data.stages) ? (data.stages as Record<string, unknown>) : {};
  for (const [inst, spec] of Object.entries(stages)) {
    const stage = isObject(spec) && typeof spec.stage === 'string' ? spec.stage : undefined;
    if (!stage || metas.has(stage) || !known.includes(stage)) continue;
    try {
      metas.set(stage, await registry.meta(stage));
    } catch (err) {
      issues.push(
        configIssue(file, `stages.${inst}.stage`, `stage must load`, (err as Error).message, source.lineOf(['stages', inst, 'stage']), { raw: true }),
      );
    }
  }
  if (data.expect !== undefined && known.includes('report') && !metas.has('report')) {
    try {
      metas.set('report', await registry.meta('report'));
    } catch {
      // the expect block is then checked only as a list
    }
  }

  // Layer 1: shape.
  const schema = buildPipelineSchema([...metas.values()]);
  ((schema.definitions as Record<string, Record<string, unknown>>).instance.properties as Record<string, Record<string, unknown>>).stage = {
    enum: known,
  };
  // Passes are remembered under the workspace cache (ajv-issues.ts): a cached re-run does not compile the schema.
  const passDir = join(registry.layout.cacheDir, 'schema-passes');
  const shapeErrors = validateRemembered(schema, data, passDir);
  const lineOf = source.lineOf.bind(source);
  const describeKeys = (path: readonly (string | number)[]): string | undefined => {
    if (path[0] === 'stages' && path.length === 3) {
      const stage = (stages[path[1] as string] as InstanceSpec | undefined)?.stage;
      if (path[2] === 'params' || path[2] === 'matrix') return `a parameter of stage '${stage}'`;
      if (path[2] === 'inputs') return `an input slot of stage '${stage}'`;
    }
    return undefined;
  };
  issues.push(...ajvIssues(shapeErrors, { file, data, lineOf, describeKeys }));

  // Layer 2: meaning.
  const shapeOk = issues.length === 0;
  issues.push(...checkReferences(file, stages, metas, source));
  issues.push(...(await checkProfiles(file, data, stages, metas, source, passDir)));

  const spec = data as unknown as PipelineSpec;
  const profileNames = [DEFAULT_PROFILE, ...Object.keys(isObject(data.profiles) ? data.profiles : {}).filter((p) => p !== DEFAULT_PROFILE)];
  if (shapeOk && issues.length === 0) {
    for (const profile of profileNames) issues.push(...checkExpansion(file, spec, profile, metas, source));
  }
  const seen = new Set<string>();
  const unique = issues.filter((i) => (seen.has(i.message) ? false : (seen.add(i.message), true)));
  if (unique.length) return { issues: unique };
  return { issues: [], pipeline: { file, name: pipelineNameOf(file, spec), spec, metas, profiles: profileNames, lineOf } };
}

function checkReferences(
  file: string,
  stages: Record<string, unknown>,
  metas: ReadonlyMap<string, StageMeta>,
  source: YamlSource,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const specs: Record<string, InstanceSpec> = {};
  for (const [name, s] of Object.entries(stages)) if (isObject(s)) specs[name] = { ...(s as unknown as InstanceSpec), inputs: isObject(s.inputs) ? (s.inputs as InstanceSpec['inputs']) : {} };
  const names = Object.keys(specs);

  for (const [name, spec] of Object.entries(specs)) {
    const meta = metas.get(spec.stage);
    for (const [slot, index, ref] of inputReferences(spec)) {
      const segs = ['stages', name, 'inputs', slot, ...(index === undefined ? [] : [index])];
      const path = formatPath(segs);
      const field = formatPath(segs.slice(index === undefined ? -1 : -2));
      if (!(ref in specs)) {
        const hint = suggest(ref, names);
        issues.push(
          configIssue(file, path, `${field} must name an instance of this pipeline${hint ? ` (did you mean '${hint}'?)` : ''}`, `'${ref}'`, source.lineOf(segs), { raw: true }),
        );
        continue;
      }
      const slotSpec = meta?.inputs[slot];
      const upStage = specs[ref].stage;
      if (slotSpec && !slotSpec.from.includes(upStage)) {
        issues.push(
          configIssue(file, path, `${field} must name an instance of stage ${slotSpec.from.join(' or ')}`, `'${ref}' (stage ${upStage})`, source.lineOf(segs), { raw: true }),
        );
      }
    }
    if (meta) {
      for (const [slot, slotSpec] of Object.entries(meta.inputs)) {
        if (slotSpec.required && !(spec.inputs && slot in spec.inputs)) {
          issues.push(
            configIssue(file, `stages.${name}.inputs.${slot}`, `${slot} must be wired (a required input of stage '${spec.stage}': ${slotSpec.description})`, 'nothing', source.lineOf(['stages', name, 'inputs']) ?? source.lineOf(['stages', name], true), { raw: true }),
          );
        }
        const ref = spec.inputs?.[slot];
        if (!slotSpec.multiple && Array.isArray(ref) && ref.length > 1) {
          issues.push(
            configIssue(file, `stages.${name}.inputs.${slot}`, `${slot} must name exactly one instance (stage '${spec.stage}' takes one)`, ref, source.lineOf(['stages', name, 'inputs', slot])),
          );
        }
      }
    }
  }
  for (const cycle of orderInstances(specs).cycles) {
    const from = cycle[cycle.length - 2];
    const to = cycle[cycle.length - 1];
    const slot = inputReferences(specs[from]).find(([, , r]) => r === to)?.[0] ?? '';
    issues.push(
      configIssue(file, `stages.${from}.inputs.${slot}`, `inputs must not form a cycle`, cycle.join(' -> '), source.lineOf(['stages', from, 'inputs', slot]), { raw: true }),
    );
  }
  return issues;
}

async function checkProfiles(
  file: string,
  data: Record<string, unknown>,
  stages: Record<string, unknown>,
  metas: ReadonlyMap<string, StageMeta>,
  source: YamlSource,
  passDir: string,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  if (!isObject(data.profiles)) return issues;
  const names = Object.keys(stages);
  for (const [profile, body] of Object.entries(data.profiles)) {
    if (!isObject(body)) continue;
    for (const [inst, over] of Object.entries(body)) {
      const segs = ['profiles', profile, inst];
      if (!(inst in stages)) {
        const hint = suggest(inst, names);
        issues.push(
          configIssue(file, formatPath(segs), `${inst} must name an instance of this pipeline${hint ? ` (did you mean '${hint}'?)` : ''}`, `'${inst}'`, source.lineOf(segs, true), { raw: true }),
        );
        continue;
      }
      const stage = (stages[inst] as InstanceSpec).stage;
      const meta = metas.get(stage);
      if (!meta || !isObject(over)) continue;
      const paramsSchema = structuralParamsSchema(meta.paramsSchema);
      const what = (): string => `a parameter of stage '${stage}'`;
      if (isObject(over.params)) {
        const errors = validateRemembered(paramsSchema, over.params, passDir);
        issues.push(...ajvIssues(errors, { file, prefix: [...segs, 'params'], data: over.params, lineOf: source.lineOf.bind(source), describeKeys: what }));
      }
      if (isObject(over.matrix)) {
        const props = (paramsSchema.properties ?? {}) as Record<string, unknown>;
        for (const [axis, values] of Object.entries(over.matrix)) {
          const axisSegs = [...segs, 'matrix', axis];
          if (!(axis in props)) {
            const hint = suggest(axis, Object.keys(props));
            issues.push(configIssue(file, formatPath(axisSegs), `${axis} must be ${what()}${hint ? ` (did you mean '${hint}'?)` : ''}`, `'${axis}'`, source.lineOf(axisSegs, true), { raw: true }));
            continue;
          }
          if (!Array.isArray(values)) continue;
          values.forEach((value, i) => {
            const errors = validateRemembered(props[axis] as Record<string, unknown>, value, passDir);
            if (errors) issues.push(...ajvIssues(errors, { file, prefix: [...axisSegs, i], data: value, lineOf: source.lineOf.bind(source) }));
          });
        }
      }
    }
  }
  return issues;
}

function checkExpansion(
  file: string,
  spec: PipelineSpec,
  profile: string,
  metas: ReadonlyMap<string, StageMeta>,
  source: YamlSource,
): ConfigIssue[] {
  const { instances, issues: expansionIssues } = expandPipeline(spec, profile, file);
  const issues: ConfigIssue[] = [...expansionIssues];
  const suffix = profile === DEFAULT_PROFILE ? '' : ` in profile ${profile}`;
  for (const inst of instances) {
    const meta = metas.get(inst.stage);
    if (!meta) continue;
    for (const [slot, names] of Object.entries(inst.inputs)) {
      if (!meta.inputs[slot]?.multiple && names.length > 1) {
        issues.push(
          configIssue(file, `stages.${inst.base}.inputs.${slot}`, `${slot} must resolve to exactly one instance${suffix} (stage '${inst.stage}' takes one; pair them with a shared matrix axis)`, names, source.lineOf(['stages', inst.base, 'inputs', slot])),
        );
      }
    }
    const required = (meta.paramsSchema.required ?? []) as string[];
    for (const key of required) {
      if (inst.params[key] === undefined) {
        issues.push(
          configIssue(file, `stages.${inst.base}.params.${key}`, `${key} must be present${suffix} (a required parameter of stage '${inst.stage}')`, 'nothing', source.lineOf(['stages', inst.base, 'params']) ?? source.lineOf(['stages', inst.base], true), { raw: true }),
        );
      }
    }
  }
  return issues;
}

/** Validates a pipeline file on disk (reading errors become an E_USAGE AlsgError). */
export async function validatePipelineFile(file: string, registry: StageRegistry, options: ValidateOptions = {}): Promise<ValidationResult> {
  let read: ReturnType<typeof readPipelineText>;
  try {
    read = readPipelineText(file);
  } catch (err) {
    throw new AlsgError('E_USAGE', `cannot read pipeline ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file, cause: err });
  }
  if (read.text === undefined) return { issues: read.issue ? [read.issue] : [] };
  return validatePipelineText(file, read.text, registry, options);
}

/** Loads a pipeline, throwing a PipelineConfigError listing every issue when it is invalid. */
export async function loadPipeline(file: string, registry: StageRegistry, options: ValidateOptions = {}): Promise<LoadedPipeline> {
  const result = await validatePipelineFile(file, registry, options);
  if (!result.pipeline) throw new PipelineConfigError(file, result.issues);
  return result.pipeline;
}

/** Throws a clear E_USAGE error when `profile` is not defined by the pipeline. */
export function requireProfile(pipeline: LoadedPipeline, profile: string): void {
  if (!pipeline.profiles.includes(profile)) {
    throw new AlsgError('E_USAGE', `${pipeline.file}: profile must be one of ${pipeline.profiles.join(', ')}, but got '${profile}'`, {
      file: pipeline.file,
    });
  }
}

