/**
 * The one place a stage's parameters are checked against its params schema and given their defaults. The executor
 * (stage-child) and the command line (`alsg <stage>`, tools/cli/src/stage-cli) both call it, so a parameter means the
 * same and defaults the same however the stage is started.
 */
import { AlsgError } from '@ldl-alsg/common';
import { ajvIssues, compileSchema } from './ajv-issues';
import type { ConfigIssue } from './config-issue';

export interface AppliedParams<P> {
  /** A copy of the given parameters with the schema's defaults filled in (also when there are issues). */
  params: P;
  /** Every schema violation, "<file> <path>: <field> must <rule>, but got <value>"; empty when valid. */
  issues: ConfigIssue[];
}

/**
 * Validates `params` (not modified) against `schema` with ajv (all errors, defaults applied).
 * @param where `file` names the source in messages (an instance address, `alsg train`); `prefix` is prepended to paths.
 */
export function applyParamsSchema<P = Record<string, unknown>>(
  schema: Record<string, unknown>,
  params: Record<string, unknown>,
  where: { file: string; prefix?: readonly (string | number)[] },
): AppliedParams<P> {
  const copy = structuredClone(params);
  const validate = compileSchema(schema, { useDefaults: true });
  const issues = validate(copy) ? [] : ajvIssues(validate.errors, { file: where.file, prefix: where.prefix, data: copy });
  return { params: copy as P, issues };
}

/**
 * A complete parameter object for code that calls a stage's library outside a pipeline (tests, tools/bench): `partial`
 * with the schema's defaults, every rule checked as the executor checks it.
 * Lives here, not in the stages: a stage that imported the engine for it would have every engine change in its code
 * version, and so in the key of every stored result (planning/code-version.ts).
 * @throws AlsgError E_CONFIG listing every violated rule, each naming `file` and the field.
 */
export function paramsWithDefaults<P>(schema: Record<string, unknown>, partial: Record<string, unknown>, file: string): P {
  const { params, issues } = applyParamsSchema<P>(schema, partial, { file });
  if (issues.length > 0) throw new AlsgError('E_CONFIG', issues.map((i) => i.message).join('\n'));
  return params;
}
