/**
 * Environment variables in pipeline values: `root: ${RAF_ROOT}` or `root: ${DATA:-/data}/RAF-DB/basic`, expanded when
 * the file is loaded, so one pipeline file serves every user's copy of a dataset without edits.
 *
 * Why at load, and what enters keys: the expanded value is what every later step sees (schema checks, `alsg validate`'s
 * missing-root report, the stage process) and what enters the content key, beside the fingerprint of the folder's
 * files (planning/source-fingerprint.ts), so the key changes when the content changes. It also changes with the mount
 * point, on purpose: ingest's manifest records absolute image paths, so a result made from /mnt/a/RAF is not usable on
 * a machine where the data is at /data/RAF (and a key that ignored the path would hand it over as done).
 *
 * Only string values are expanded (never mapping keys or instance names); `$${` writes a literal `${`.
 */
import { configIssue, type ConfigIssue } from './config-issue';
import { formatPath, type YamlSource } from './yaml-source';

/** `${NAME}` or `${NAME:-fallback}`; `$${` escapes. */
const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvExpansion {
  /** The document with every reference replaced (the input itself when it has none). */
  readonly data: unknown;
  /** Unset variables and malformed references, each with its path and line. */
  readonly issues: ConfigIssue[];
  /** Names of the variables the document read, in first-use order. */
  readonly variables: readonly string[];
}

/**
 * Expands `${NAME}` references in every string value of `source.data`. An unset (or empty) variable without a
 * `:-fallback` is an issue naming the file, the path, the line and how to set it; the value is then left as written.
 */
export function expandEnvVars(source: Pick<YamlSource, 'file' | 'data' | 'lineOf'>, env: Readonly<Record<string, string | undefined>> = process.env): EnvExpansion {
  const issues: ConfigIssue[] = [];
  const variables: string[] = [];
  const expandString = (text: string, path: (string | number)[]): string => {
    if (!text.includes('${')) return text;
    return text.replace(REFERENCE, (whole: string, escape: string, body: string) => {
      if (escape) return whole.slice(1);
      const at = body.indexOf(':-');
      const name = at < 0 ? body : body.slice(0, at);
      const where = formatPath(path);
      if (!NAME.test(name)) {
        issues.push(configIssue(source.file, where, `\${...} must hold a variable name (letters, digits, _), optionally with :-fallback`, JSON.stringify(whole), source.lineOf(path), { raw: true }));
        return whole;
      }
      if (!variables.includes(name)) variables.push(name);
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (at >= 0) return body.slice(at + 2);
      issues.push(
        configIssue(
          source.file,
          where,
          `environment variable ${name} must be set (export ${name}=/path/to/your/copy, or write \${${name}:-fallback})`,
          value === '' ? 'an empty value' : 'nothing',
          source.lineOf(path),
          { raw: true },
        ),
      );
      return whole;
    });
  };
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') return expandString(value, path);
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v, i) => {
        const e = walk(v, [...path, i]);
        if (e !== v) changed = true;
        return e;
      });
      return changed ? out : value;
    }
    if (value !== null && typeof value === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        out[k] = walk(v, [...path, k]);
        if (out[k] !== v) changed = true;
      }
      return changed ? out : value;
    }
    return value;
  };
  return { data: walk(source.data, []), issues, variables };
}
