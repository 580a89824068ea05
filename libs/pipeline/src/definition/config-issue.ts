/**
 * One problem in a pipeline file, and the single error that carries all of them. Every message reads
 * "<file> <path>: <field> must <rule>, but got <value> (line N)" so users see where, what was expected and what arrived.
 */
import { AlsgError, editDistance } from '@ldl-alsg/common';

export interface ConfigIssue {
  readonly file: string;
  /** Dotted path inside the file (`stages.train.params.lambda`), '' for the whole file. */
  readonly path: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** The full one-line message. */
  readonly message: string;
}

/**
 * Builds an issue. `rule` is the "<field> must <rule>" part; `got` is the offending value (formatted with
 * `formatValue` unless `raw` is set, in which case it is used as written).
 */
export function configIssue(
  file: string,
  path: string,
  rule: string,
  got: unknown,
  line?: number,
  options: { raw?: boolean; column?: number } = {},
): ConfigIssue {
  const gotText = options.raw ? String(got) : formatValue(got);
  const where = path ? `${file} ${path}` : file;
  const at = line === undefined ? '' : options.column === undefined ? ` (line ${line})` : ` (line ${line}, column ${options.column})`;
  const message = `${where}: ${rule}, but got ${gotText}${at}`;
  return { file, path, line, message };
}

/** A short, unambiguous rendering of a YAML value for messages (JSON, cut at 80 characters). */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Thrown when a pipeline file has problems; `details.issues` lists each one, the message lists them all. */
export class PipelineConfigError extends AlsgError {
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('E_CONFIG', `${file} is not a valid pipeline (${count}):\n${issues.map((i) => `  - ${i.message}`).join('\n')}`, {
      file,
      path: issues[0]?.path,
      line: issues[0]?.line,
      issues,
    });
    this.issues = issues;
  }
}

/** Closest candidate by edit distance (for "did you mean"), or undefined when none is close. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
