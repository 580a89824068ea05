/**
 * Nx inference over `pipelines/*.yaml`: one project `pipelines` with
 * - a target per pipeline (`nx run pipelines:table1`), its profiles as configurations (`nx run pipelines:table1:smoke`),
 *   running `alsg run <file> [--profile P]` once;
 * - a target per concrete stage instance (`nx run pipelines:table1/train@method=baseline`), running
 *   `alsg run <file> --only <instance>`, which runs what the instance needs in the same process;
 * - implicitDependencies on the stage projects the pipelines use, so `nx affected` follows a change in a stage (or a
 *   library it imports) to the pipelines that use it.
 *
 * Why every target is `cache: false`, with no outputs and no dependsOn: the alsg store is the cache. Its content keys
 * are per instance (params, inputs' keys, seed, code version, dataset fingerprints), so
 * - after `alsg run`, `nx run pipelines:table1` is one `alsg run` that finds every key in the store (a few seconds),
 *   where Nx's own cache, empty for results alsg made, used to re-run one process per instance (18 targets, ~2 min);
 * - a change to one pipeline's instance re-keys that instance and what reads it, nothing in other pipelines, where Nx
 *   hashed the whole pipeline file into every target;
 * - results are stored once: Nx would copy each declared output folder into .nx/cache a second time;
 * - a store outside the workspace (ALSG_STORE elsewhere) and dataset folders (ingest's root), which Nx can neither
 *   hash nor restore, need no special case: alsg checks and fingerprints them itself.
 * What Nx still does: affected (implicitDependencies, and target inputs that name each stage's code), task graphs
 * across projects, and one entry point.
 * Scheduling inside a pipeline is alsg's: targets run `alsg run --jobs auto` (one instance per core); `nx run
 * pipelines:table1 --jobs 1` passes a later flag through, which wins.
 * Instance names come from the same expansion `alsg` uses (no stage code, no keys, no file hashing: inference is fast).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { parse } from 'yaml';
// The planner entry, not the package's main one: that also pulls validation and execution, which inference never needs.
import {
  createStageRegistry,
  DEFAULT_PROFILE,
  expandPipeline,
  MAX_PIPELINE_BYTES,
  resolveWorkspaceLayout,
  shellQuote,
  type PipelineSpec,
  type StageRegistry,
} from '@ldl-alsg/pipeline/planner';

/** Files the plugin reads. */
export const PIPELINE_GLOB = 'pipelines/*.yaml';

export interface AlsgPluginOptions {
  /** How to invoke alsg from the workspace root (default `node bin/alsg.mjs`). */
  alsgCommand?: string;
  /** The Nx project that holds the pipeline targets (default `pipelines`). */
  projectName?: string;
}

interface TargetConfig {
  executor: string;
  options: Record<string, unknown>;
  configurations?: Record<string, Record<string, unknown>>;
  cache?: boolean;
  inputs?: string[];
  metadata?: Record<string, unknown>;
}

/** Name of the project's named input that lists a stage's code files (its own and its libraries'). */
export function stageCodeInputName(stage: string): string {
  return `alsg-stage-code-${stage}`;
}

/** Target name of a concrete instance. */
export function instanceTargetName(pipeline: string, instance: string): string {
  return `${pipeline}/${instance}`;
}

function readSpec(path: string): PipelineSpec | undefined {
  try {
    // Too large to be a pipeline: not parsed here (every Nx command would pay for it); its target runs validate.
    if (statSync(path).size > MAX_PIPELINE_BYTES) return undefined;
    // merge: the same YAML merge keys alsg reads (yaml-source.ts). `${VAR}` values are left as written: instance names
    // do not depend on them, and Nx caches this inference by file content, not by the environment.
    const data = parse(readFileSync(path, 'utf8'), { merge: true }) as PipelineSpec;
    return data && typeof data === 'object' && data.stages && typeof data.stages === 'object' ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the targets of one pipeline file; `undefined` spec means "invalid": one target that explains why. */
export function buildPipelineTargets(
  file: string,
  spec: PipelineSpec | undefined,
  registry: StageRegistry,
  options: AlsgPluginOptions,
): { targets: Record<string, TargetConfig>; stages: string[]; namedInputs: Record<string, string[]> } {
  const alsg = options.alsgCommand ?? 'node bin/alsg.mjs';
  const name = typeof spec?.name === 'string' ? spec.name : basename(file, extname(file));
  const validateTarget: TargetConfig = {
    executor: 'nx:run-commands',
    options: { command: `${alsg} validate ${shellQuote(file)}`, cwd: '{workspaceRoot}' },
    cache: false,
    metadata: { description: `${file} cannot be planned; this target shows why` },
  };
  const stageNames = new Set(Object.values(spec?.stages ?? {}).map((s) => s?.stage));
  if (!spec || [...stageNames].some((s) => typeof s !== 'string' || !registry.entry(s))) {
    return { targets: { [name]: validateTarget }, stages: [], namedInputs: {} };
  }

  const profiles = [DEFAULT_PROFILE, ...Object.keys(spec.profiles ?? {}).filter((p) => p !== DEFAULT_PROFILE)];
  // --jobs auto: one stage process per core (each trains on one); `nx run pipelines:table1 --jobs 1` appends a later
  // --jobs, which wins.
  const run = (extra: string, p: string): string => `${alsg} run ${shellQuote(file)} --jobs auto${extra}${p === DEFAULT_PROFILE ? '' : ` --profile ${p}`}`;
  const configurations = (extra: string): Record<string, Record<string, unknown>> =>
    Object.fromEntries(profiles.filter((p) => p !== DEFAULT_PROFILE).map((p) => [p, { command: run(extra, p) }]));
  // Inputs are not for caching here (there is none) but for `nx affected -t`: Nx selects the targets whose inputs a
  // change touches, so a stage change reaches the pipelines that use it, not every target of the `pipelines` project.
  // The stage's files and those of every library it imports: exactly what its code version hashes. Listed once per
  // stage as a named input of the project, which targets name: spelled out in every target, the ~600 targets of
  // pipelines/ made a 3 MB project graph that Nx merged and wrote on every command (~0.35 s of a cached `nx run`).
  const rel = (p: string): string => `{workspaceRoot}/${relative(registry.layout.root, p).split('\\').join('/')}`;
  const namedInputs: Record<string, string[]> = {};
  const codeInputs = (stage: string): string[] => {
    const input = stageCodeInputName(stage);
    namedInputs[input] ??= registry.codeVersion(stage).files.map(rel);
    return [input];
  };
  // A report's reference file (its smoke check, pipelines/reference/*.json) is an input too: changing it re-checks that table.
  const references = new Set<string>();
  const referenceInputs = (params: Readonly<Record<string, unknown>>): string[] => {
    const ref = params.reference as { file?: unknown } | undefined;
    if (typeof ref?.file !== 'string') return [];
    references.add(`{workspaceRoot}/${ref.file}`);
    return [`{workspaceRoot}/${ref.file}`];
  };
  const targets: Record<string, TargetConfig> = {};
  for (const profile of profiles) {
    const { instances, issues } = expandPipeline(spec, profile, file);
    if (issues.length) return { targets: { [name]: validateTarget }, stages: [], namedInputs: {} };
    for (const inst of instances) {
      const target = instanceTargetName(name, inst.name);
      if (targets[target]) {
        for (const r of referenceInputs(inst.params)) if (!targets[target].inputs?.includes(r)) targets[target].inputs?.push(r);
        continue;
      }
      // --if-present: an instance of some profiles only is a quiet no-op in the others
      const extra = ` --only ${shellQuote(inst.name)} --if-present`;
      targets[target] = {
        executor: 'nx:run-commands',
        options: { command: run(extra, DEFAULT_PROFILE), cwd: '{workspaceRoot}' },
        configurations: configurations(extra),
        cache: false, // the store is the cache (file comment)
        inputs: [`{workspaceRoot}/${file}`, ...codeInputs(inst.stage), ...referenceInputs(inst.params)],
        metadata: { description: `${inst.stage} instance ${inst.name} of pipeline ${name}, with what it reads`, technologies: ['alsg'] },
      };
    }
  }
  targets[name] = {
    executor: 'nx:run-commands',
    options: { command: run('', DEFAULT_PROFILE), cwd: '{workspaceRoot}' },
    configurations: configurations(''),
    cache: false, // the store is the cache (file comment)
    inputs: [`{workspaceRoot}/${file}`, ...[...stageNames].flatMap((st) => codeInputs(st as string)), ...references],
    metadata: { description: `pipeline ${name} (${file}); profiles: ${profiles.join(', ')}`, technologies: ['alsg'] },
  };
  return { targets, stages: [...stageNames] as string[], namedInputs };
}

/** createNodesV2 implementation: all pipeline files at once, each contributing targets to the `pipelines` project. */
export async function createPipelineNodes(
  files: readonly string[],
  options: AlsgPluginOptions,
  context: { workspaceRoot: string },
): Promise<Array<[string, { projects: Record<string, unknown> }]>> {
  const layout = resolveWorkspaceLayout({ root: context.workspaceRoot });
  const registry = createStageRegistry(layout);
  const projectName = options.projectName ?? 'pipelines';
  return files.map((file) => {
    const { targets, stages, namedInputs } = buildPipelineTargets(file, readSpec(join(context.workspaceRoot, file)), registry, options);
    const stageProjects = stages.filter((s) => existsSync(join(layout.stagesDir, s, 'package.json')) || existsSync(join(layout.stagesDir, s, 'project.json')));
    return [file, { projects: { pipelines: { name: projectName, root: 'pipelines', targets, namedInputs, implicitDependencies: stageProjects } } }];
  });
}
