/**
 * Reading a pipeline YAML file while keeping positions, so every error can name the line it is about.
 * Duplicate keys are collected here (the yaml library would stop at the first) so they join the one-pass error list.
 * Files are read as bytes and checked before parsing: a size limit (a pipeline is a few KB; a 50 MB file took 27 s and
 * 1.8 GB to validate) and UTF-8 (Node would otherwise replace bad bytes silently and report odd values far away).
 * Alias expansion is capped, and a file over the cap is an issue like any other, not an engine crash.
 */
import { readFileSync, statSync } from 'node:fs';
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

/** Alias expansions allowed per document (ample for anchors reused by hand; stops exponential alias bombs). */
export const MAX_ALIAS_COUNT = 1000;

/** Largest pipeline file read (bytes). The largest pipeline in this repository is under 20 KB. */
export const MAX_PIPELINE_BYTES = 1024 * 1024;

/**
 * Reads a pipeline file's text, or says why it cannot be used: over MAX_PIPELINE_BYTES, or not UTF-8 (with the byte
 * offset of the first bad byte). Read errors (missing file, permissions) are thrown as they come.
 */
export function readPipelineText(file: string, maxBytes: number = MAX_PIPELINE_BYTES): { text?: string; issue?: ConfigIssue } {
  const size = statSync(file).size;
  if (size > maxBytes) {
    return { issue: configIssue(file, '', `a pipeline file must be at most ${maxBytes} bytes`, `${size} bytes`, undefined, { raw: true }) };
  }
  const bytes = readFileSync(file);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const line = bytes.subarray(0, bad).filter((b) => b === 0x0a).length + 1;
    return {
      issue: configIssue(file, '', 'a pipeline file must be UTF-8 text', `byte 0x${bytes[bad].toString(16).padStart(2, '0')} at byte offset ${bad}`, line, { raw: true }),
    };
  }
  return { text: bytes.toString('utf8').replace(/^\uFEFF/, '') };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or undefined when all are. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte -> sequence length and the allowed range of the second byte (no overlongs, no surrogates, <= U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n;
  }
  return undefined;
}

/** Parses YAML text; never throws for bad YAML (problems come back in `issues`). */
export function readYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  // merge: YAML 1.1 merge keys (`<<: *train-paper`), so a profile writes shared overrides once (pipelines/table1.yaml).
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true, merge: true });
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

  let data: unknown;
  if (doc.errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // The yaml library throws a ReferenceError when aliases expand past maxAliasCount (a "billion laughs" file).
      issues.push(
        configIssue(file, '', `YAML aliases must expand to at most ${MAX_ALIAS_COUNT} nodes`, JSON.stringify((err as Error).message.split('\n')[0]), undefined, {
          raw: true,
        }),
      );
      data = undefined;
    }
  }
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
