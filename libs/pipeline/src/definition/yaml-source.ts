/**
 * Reading a pipeline YAML file while keeping positions, so every error can name the line it is about.
 * Duplicate keys are collected here (the yaml library would stop at the first) so they join the one-pass error list.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { configIssue, type ConfigIssue } from './config-issue';

export interface YamlSource {
  /** The file name used in messages (as the user gave it). */
  readonly file: string;
  /** Plain JS value of the document (undefined for an empty file). */
  readonly data: unknown;
  /** Syntax and duplicate-key problems found while parsing. */
  readonly issues: ConfigIssue[];
  /** 1-based line of the node at `path` (or of its key when `atKey`), undefined when the path does not exist. */
  lineOf(path: readonly (string | number)[], atKey?: boolean): number | undefined;
}

/** Parses YAML text; never throws for bad YAML (problems come back in `issues`). */
export function readYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  const issues: ConfigIssue[] = [];
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? lineAt(err.pos[0]);
    const col = err.linePos?.[0]?.col;
    const reason = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    issues.push(configIssue(file, '', 'YAML must be well-formed', JSON.stringify(reason), line, { raw: true, column: col }));
  }
  if (doc.errors.length === 0) collectDuplicateKeys(file, doc, [], doc.contents, issues, lineAt);

  const data = doc.errors.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;
  return {
    file,
    data,
    issues,
    lineOf(path, atKey = false) {
      let node: unknown = doc.contents;
      let keyNode: Node | undefined;
      for (const seg of path) {
        keyNode = undefined;
        if (isMap(node)) {
          const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
          if (!pair) return undefined;
          keyNode = pair.key as Node;
          node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
          node = node.items[seg];
        } else {
          return undefined;
        }
      }
      const target = atKey && keyNode ? keyNode : ((node as Node | null) ?? keyNode);
      return lineAt(target?.range?.[0]);
    },
  };
}

function collectDuplicateKeys(
  file: string,
  doc: Document,
  path: (string | number)[],
  node: unknown,
  issues: ConfigIssue[],
  lineAt: (offset: number | undefined) => number | undefined,
): void {
  if (isMap(node)) {
    const firstLine = new Map<string, number | undefined>();
    for (const pair of node.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const line = lineAt((pair.key as Node | null)?.range?.[0]);
      if (firstLine.has(key)) {
        const isInstance = path.length === 1 && path[0] === 'stages';
        issues.push(
          configIssue(
            file,
            formatPath([...path, key]),
            isInstance ? `instance name must be unique` : `${key} must appear once in its mapping`,
            `'${key}' again (first at line ${firstLine.get(key)})`,
            line,
            { raw: true },
          ),
        );
      } else {
        firstLine.set(key, line);
      }
      collectDuplicateKeys(file, doc, [...path, key], pair.value, issues, lineAt);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectDuplicateKeys(file, doc, [...path, i], item, issues, lineAt));
  }
}

/** `['stages', 'train', 'params', 'lambda']` -> `stages.train.params.lambda`; indices as `[1]`; odd keys quoted. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
