/**
 * Data a pipeline reads from outside the store (ingest's dataset `root`, StageDefinition.sourceParams) that is not
 * there: `alsg validate` and `alsg run` report every such path at once, with the line that sets it, before any work,
 * rather than letting the first ingest fail an hour into a run.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { configIssue, type ConfigIssue } from './config-issue';
import type { ExpandedInstance } from './expand-pipeline';

/** `stages.raf.params.root` / `profiles.smoke.raf.matrix.root[1]` -> path segments for YamlSource.lineOf. */
function originSegments(origin: string): (string | number)[] {
  const segs: (string | number)[] = [];
  for (const part of origin.split('.')) {
    const m = /^(.*?)((?:\[\d+\])*)$/.exec(part) as RegExpExecArray;
    if (m[1]) segs.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
  }
  return segs;
}

/**
 * One issue per (instance param, path) whose path does not exist. Relative paths resolve against `root` (the workspace,
 * where stage processes run). `profile` only labels messages; `lineOf` (from the pipeline's YamlSource) adds lines.
 */
export function checkSourcePaths(args: {
  file: string;
  instances: readonly ExpandedInstance[];
  sourceParamsOf: (stage: string) => readonly string[] | undefined;
  root: string;
  profile?: string;
  lineOf?: (path: readonly (string | number)[]) => number | undefined;
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const inst of args.instances) {
    for (const param of args.sourceParamsOf(inst.stage) ?? []) {
      const value = inst.params[param];
      if (typeof value !== 'string' || value === '') continue;
      const full = isAbsolute(value) ? value : resolve(args.root, value);
      const origin = inst.paramOrigins[param] ?? `stages.${inst.base}.params.${param}`;
      if (seen.has(`${origin}\0${full}`) || existsSync(full)) continue;
      seen.add(`${origin}\0${full}`);
      const where = args.profile && args.profile !== 'default' ? ` in profile ${args.profile}` : '';
      issues.push(
        configIssue(
          args.file,
          origin,
          `${param} must name an existing file or folder${where} (stage ${inst.stage} reads its data there)`,
          `'${value}'${value === full ? '' : ` (${full})`}, which does not exist`,
          args.lineOf?.(originSegments(origin)),
          { raw: true },
        ),
      );
    }
  }
  return issues;
}
