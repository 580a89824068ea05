/**
 * Nx inference over `pipelines/*.yaml`: one project `pipelines` with
 * - a target per pipeline (`nx run pipelines:table1`), its profiles as configurations (`nx run pipelines:table1:smoke`);
 * - a target per concrete stage instance (`nx run pipelines:table1/train@method=baseline`), running
 *   `alsg run <file> --only <instance>`, with dependsOn its upstream instances, `cache: true`, inputs (below) and its
 *   store folder as output;
 * - implicitDependencies on the stage projects the pipelines use, so `nx affected` follows a change in a stage (or a
 *   library it imports) to the pipelines that use it.
 * Keys and instance lists come from the same planner `alsg` uses (no stage code is imported, so inference is fast).
 * Nx's cache is only trusted where Nx can see everything a result depends on and can restore it:
 * - a store outside the workspace (ALSG_STORE elsewhere) cannot be a declared output, so Nx could neither notice a
 *   deleted result nor restore it: there every target is `cache: false` and runs `alsg run`, which checks the store
 *   itself (a second, finished run costs one process per target and runs nothing);
 * - an instance that reads data from outside the store (ingest's dataset `root`, StageDefinition.sourceParams) is
 *   `cache: false` too: Nx cannot hash that folder, alsg fingerprints it into the key. Its declared output is the
 *   folder of that fingerprinted key, so the targets downstream see a changed dataset through its stage.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { parse } from 'yaml';
// The planner entry, not the package's main one: that also pulls validation and execution, which inference never needs.
import {
  createStageRegistry,
  DEFAULT_PROFILE,
  expandPipeline,
  keyInstances,
  MAX_PIPELINE_BYTES,
  resolveWorkspaceLayout,
  sourceFingerprinter,
  type PipelineSpec,
  type PlannedInstance,
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
  dependsOn?: Array<string | { target: string }>;
  inputs?: Array<string | Record<string, unknown>>;
  outputs?: string[];
  cache?: boolean;
  metadata?: Record<string, unknown>;
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Target name of a concrete instance. */
export function instanceTargetName(pipeline: string, instance: string): string {
  return `${pipeline}/${instance}`;
}

function readSpec(path: string): PipelineSpec | undefined {
  try {
    // Too large to be a pipeline: not parsed here (every Nx command would pay for it); its target runs validate.
    if (statSync(path).size > MAX_PIPELINE_BYTES) return undefined;
    const data = parse(readFileSync(path, 'utf8')) as PipelineSpec;
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
  sourceParamsOf: (stage: string) => readonly string[] | undefined = () => undefined,
): { targets: Record<string, TargetConfig>; stages: string[] } {
  const alsg = options.alsgCommand ?? 'node bin/alsg.mjs';
  const name = typeof spec?.name === 'string' ? spec.name : basename(file, extname(file));
  const validateTarget: TargetConfig = {
    executor: 'nx:run-commands',
    options: { command: `${alsg} validate ${shellQuote(file)}`, cwd: '{workspaceRoot}' },
    metadata: { description: `${file} cannot be planned; this target shows why` },
  };
  const stageNames = new Set(Object.values(spec?.stages ?? {}).map((s) => s?.stage));
  if (!spec || [...stageNames].some((s) => typeof s !== 'string' || !registry.entry(s))) {
    return { targets: { [name]: validateTarget }, stages: [] };
  }

  const layout = registry.layout;
  const rel = (p: string): string => `{workspaceRoot}/${relative(layout.root, p).split('\\').join('/')}`;
  const storeInside = !relative(layout.root, layout.storeDir).startsWith('..') && !isAbsolute(relative(layout.root, layout.storeDir));
  const profiles = [DEFAULT_PROFILE, ...Object.keys(spec.profiles ?? {}).filter((p) => p !== DEFAULT_PROFILE)];
  const perProfile = new Map<string, PlannedInstance[]>();
  const sourcesOf = sourceFingerprinter(sourceParamsOf, layout.root);
  for (const profile of profiles) {
    const { instances, issues } = expandPipeline(spec, profile, file);
    if (issues.length) return { targets: { [name]: validateTarget }, stages: [] };
    perProfile.set(profile, keyInstances(name, instances, (s) => registry.codeVersion(s).version, layout.storeDir, sourcesOf));
  }

  const targets: Record<string, TargetConfig> = {};
  const instanceTargets: string[] = [];
  const allInputs = new Set<string>([`{workspaceRoot}/${file}`]);
  for (const profile of profiles) {
    for (const inst of perProfile.get(profile) as PlannedInstance[]) {
      const target = instanceTargetName(name, inst.name);
      const command = (p: string): string =>
        `${alsg} run ${shellQuote(file)} --only ${shellQuote(inst.name)} --if-present${p === DEFAULT_PROFILE ? '' : ` --profile ${p}`}`;
      let t = targets[target];
      if (!t) {
        const code = registry.codeVersion(inst.stage);
        const files = code.files.map(rel);
        files.forEach((f) => allInputs.add(f));
        t = {
          executor: 'nx:run-commands',
          options: { command: command(DEFAULT_PROFILE), cwd: '{workspaceRoot}' },
          configurations: Object.fromEntries(profiles.filter((p) => p !== DEFAULT_PROFILE).map((p) => [p, { command: command(p) }])),
          dependsOn: [],
          // See the file comment: Nx cannot see a store outside the workspace, nor a dataset folder alsg fingerprints.
          cache: storeInside && !inst.sources,
          inputs: [
            // the pipeline file: params, matrices, profiles
            `{workspaceRoot}/${file}`,
            // the stage's sources and those of every library it imports (exactly what its code version hashes)
            ...files,
            // upstream results: their stage.json carries their content key, so this is cheap and exact
            { dependentTasksOutputFiles: '**/stage.json', transitive: true },
            // where results live
            { env: 'ALSG_STORE' },
          ],
          outputs: [],
          metadata: { description: `${inst.stage} instance ${inst.name} of pipeline ${name}`, technologies: ['alsg'] },
        };
        targets[target] = t;
        instanceTargets.push(target);
      }
      for (const ups of Object.values(inst.inputs)) {
        for (const u of ups) {
          const dep = instanceTargetName(name, u);
          if (!(t.dependsOn as string[]).includes(dep)) (t.dependsOn as string[]).push(dep);
        }
      }
      if (storeInside) {
        const out = rel(inst.dir);
        if (!(t.outputs as string[]).includes(out)) (t.outputs as string[]).push(out);
      }
    }
  }
  targets[name] = {
    executor: 'nx:run-commands',
    options: { command: `${alsg} run ${shellQuote(file)}`, cwd: '{workspaceRoot}' },
    configurations: Object.fromEntries(profiles.filter((p) => p !== DEFAULT_PROFILE).map((p) => [p, { command: `${alsg} run ${shellQuote(file)} --profile ${p}` }])),
    dependsOn: instanceTargets,
    cache: storeInside,
    inputs: [...allInputs, { dependentTasksOutputFiles: '**/stage.json', transitive: true }, { env: 'ALSG_STORE' }],
    outputs: [],
    metadata: { description: `pipeline ${name} (${file}); profiles: ${profiles.join(', ')}`, technologies: ['alsg'] },
  };
  return { targets, stages: [...stageNames] as string[] };
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
  const specs = files.map((file) => readSpec(join(context.workspaceRoot, file)));
  // Which parameters name data outside the store, from the stages' cached metadata (stage code is imported only when
  // that cache is cold). A stage that cannot load is left to `alsg validate`, which its target runs.
  const sourceParams = new Map<string, readonly string[] | undefined>();
  for (const stage of new Set(specs.flatMap((s) => Object.values(s?.stages ?? {}).map((i) => i?.stage)))) {
    if (typeof stage !== 'string' || !registry.entry(stage)) continue;
    try {
      sourceParams.set(stage, (await registry.meta(stage)).sourceParams);
    } catch {
      sourceParams.set(stage, undefined);
    }
  }
  return files.map((file, i) => {
    const spec = specs[i];
    const { targets, stages } = buildPipelineTargets(file, spec, registry, options, (s) => sourceParams.get(s));
    const stageProjects = stages.filter((s) => existsSync(join(layout.stagesDir, s, 'package.json')) || existsSync(join(layout.stagesDir, s, 'project.json')));
    return [file, { projects: { pipelines: { name: projectName, root: 'pipelines', targets, implicitDependencies: stageProjects } } }];
  });
}
