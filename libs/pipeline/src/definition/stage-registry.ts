/**
 * The stage registry: stage name -> `stages/<name>/src/stage.ts` (named export `stage`) and `src/cli.ts` (`cli`, the
 * hooks of `alsg <name>`, optional).
 * Nothing is imported until asked for, so `alsg --help` stays instant. A stage's description (name, params schema,
 * input slots) is cached on disk under its code version, so planning a fully built pipeline never has to import stage
 * code (and the heavy libraries it pulls in, such as TensorFlow.js).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlsgError } from '@ldl-alsg/common';
import type { StageDefinition, StageInputSpec } from '../stage';
import { computeCodeVersion, type CodeVersion } from '../planning/code-version';
import type { WorkspaceLayout } from './workspace';

/** What the engine needs to know about a stage without running it. */
export interface StageMeta {
  readonly name: string;
  readonly description: string;
  readonly paramsSchema: Record<string, unknown>;
  readonly inputs: Readonly<Record<string, StageInputSpec>>;
  /** Parameters naming data read from outside the store (StageDefinition.sourceParams). */
  readonly sourceParams?: readonly string[];
}

export interface StageEntry {
  readonly name: string;
  /** Package folder (`stages/<name>`). */
  readonly dir: string;
  /** `stages/<name>/src/stage.ts`. */
  readonly stageFile: string;
  /** `stages/<name>/src/cli.ts`: the stage's command-line hooks (optional). */
  readonly cliFile: string;
}

export interface StageRegistry {
  readonly layout: WorkspaceLayout;
  /** Stage names with a `src/stage.ts`, sorted. */
  names(): string[];
  /** The entry of a stage, or undefined when there is no such stage. */
  entry(name: string): StageEntry | undefined;
  /** Code version of the stage (memoised for the life of the registry). */
  codeVersion(name: string): CodeVersion;
  /** Name, description, params schema and input slots (from the on-disk cache when the code is unchanged). */
  meta(name: string): Promise<StageMeta>;
  /** Imports the stage module and returns its `stage` export. */
  load(name: string): Promise<StageDefinition>;
}

/** Creates a registry over `layout.stagesDir`. */
export function createStageRegistry(layout: WorkspaceLayout): StageRegistry {
  const versions = new Map<string, CodeVersion>();
  const metas = new Map<string, StageMeta>();
  let names: string[] | undefined;

  const entry = (name: string): StageEntry | undefined => {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
    const dir = join(layout.stagesDir, name);
    const stageFile = join(dir, 'src', 'stage.ts');
    if (!existsSync(stageFile)) return undefined;
    return { name, dir, stageFile, cliFile: join(dir, 'src', 'cli.ts') };
  };
  const mustEntry = (name: string): StageEntry => {
    const e = entry(name);
    if (!e) {
      throw new AlsgError('E_CONFIG', `unknown stage '${name}': no ${join(layout.stagesDir, name, 'src', 'stage.ts')}`, {
        stage: name,
      });
    }
    return e;
  };

  const registry: StageRegistry = {
    layout,
    names() {
      if (!names) {
        names = existsSync(layout.stagesDir)
          ? readdirSync(layout.stagesDir, { withFileTypes: true })
              .filter((d) => d.isDirectory() && entry(d.name) !== undefined)
              .map((d) => d.name)
              .sort()
          : [];
      }
      return names;
    },
    entry,
    codeVersion(name) {
      let v = versions.get(name);
      if (!v) {
        v = computeCodeVersion(mustEntry(name).dir, { libsDir: layout.libsDir, stagesDir: layout.stagesDir, root: layout.root });
        versions.set(name, v);
      }
      return v;
    },
    async meta(name) {
      const known = metas.get(name);
      if (known) return known;
      const cacheFile = join(layout.cacheDir, 'stage-meta', `${name}-${registry.codeVersion(name).version}.json`);
      let meta: StageMeta | undefined;
      if (existsSync(cacheFile)) {
        try {
          meta = JSON.parse(readFileSync(cacheFile, 'utf8')) as StageMeta;
        } catch {
          meta = undefined; // a damaged cache entry is rebuilt below
        }
      }
      if (!meta) {
        const def = await registry.load(name);
        meta = { name: def.name, description: def.description, paramsSchema: def.paramsSchema, inputs: def.inputs, sourceParams: def.sourceParams };
        try {
          mkdirSync(join(layout.cacheDir, 'stage-meta'), { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(meta));
          renameSync(tmp, cacheFile);
        } catch {
          // read-only checkouts still work, only slower
        }
      }
      metas.set(name, meta);
      return meta;
    },
    async load(name) {
      const e = mustEntry(name);
      let mod: { stage?: StageDefinition };
      try {
        mod = (await import(pathToFileURL(e.stageFile).href)) as { stage?: StageDefinition };
      } catch (err) {
        throw new AlsgError('E_STAGE', `stage '${name}': cannot load ${e.stageFile}: ${(err as Error).message}`, {
          stage: name,
          file: e.stageFile,
          cause: err,
        });
      }
      const def = mod.stage;
      if (!def || typeof def.run !== 'function' || typeof def.paramsSchema !== 'object') {
        throw new AlsgError('E_STAGE', `stage '${name}': ${e.stageFile} must export \`stage\` (a StageDefinition)`, {
          stage: name,
          file: e.stageFile,
        });
      }
      if (def.name !== name) {
        throw new AlsgError('E_STAGE', `stage '${name}': ${e.stageFile} exports a stage named '${def.name}'; the name must match its folder`, {
          stage: name,
          file: e.stageFile,
        });
      }
      return def;
    },
  };
  return registry;
}
