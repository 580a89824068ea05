/**
 * The structure drawn from the code's own imports: every import loop, every arrow that runs from a lower floor to a
 * higher one, and the largest rooms (files by line count). Reads the import statements of every .ts file under libs/,
 * stages/ and tools/ (specs excluded: a test may reach anywhere), resolves relative paths and `@ldl-alsg/*` names
 * (subpath exports included) to files, and checks
 * - loops between files (strongly connected components; type-only imports count, since a reader follows them too);
 * - loops between packages;
 * - the floors below: a package may import its own floor or lower ones, never a higher one; inside libs/pipeline the
 *   same rule holds between its folders (DVC's split);
 * - relative paths that reach into another package (`../../../libs/x/src/y`): a package with a name is entered through
 *   it (`@ldl-alsg/x`, or a subpath its package.json exports), so its inside can move without breaking the caller.
 *   (A folder without package.json, like tools/nx-plugin, can only be reached by path.)
 * - library indexes that re-export with `export *`: an index names its public exports, so what a library offers is
 *   written in one place and a new internal helper does not become public by accident.
 * Exit status 1 when it finds any of these.
 *
 *   npx tsx tools/check/import-graph.ts [--rooms N] [--root <checkout>]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The floors, lowest first. Only arrows down or sideways are allowed. `pipeline` sits above the domain libraries so
 * that none of them can come to depend on the engine; stages sit on both, tools on everything.
 */
export const PACKAGE_FLOORS: readonly (readonly string[])[] = [
  ['libs/common'],
  ['libs/labels', 'libs/artifacts'],
  ['libs/ldl', 'libs/datasets', 'libs/models'],
  ['libs/knn', 'libs/noise', 'libs/openface', 'libs/synthfer', 'libs/evaluation', 'libs/training'],
  ['libs/report', 'libs/pipeline'],
  ['stages/*'],
  ['tools/*'],
];

/**
 * Floors inside libs/pipeline (path prefixes relative to libs/pipeline/src, first match wins). `planning/code-version`
 * is a leaf (it hashes files and imports nothing of the engine); the registry keys its metadata cache with it, so it
 * sits on the bottom floor beside the store rather than with the planner.
 */
export const PIPELINE_FLOORS: readonly (readonly string[])[] = [
  ['stage.ts', 'store/', 'planning/code-version.ts'],
  ['definition/'],
  ['planning/'],
  ['execution/'],
  ['index.ts', 'planner.ts', 'fixtures/'],
];

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  /** `import type` / `export type`: gone at run time, still an arrow for a reader. */
  readonly typeOnly: boolean;
  /** Written as a relative path (`./x`, `../y`) rather than a package name. */
  readonly relative?: boolean;
}

export interface ImportGraph {
  /** Files (relative to the root, `/`-separated), sorted. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Line count per file. */
  readonly lines: ReadonlyMap<string, number>;
  /** Package folders that have a package.json name; absent: all of them. */
  readonly namedPackages?: ReadonlySet<string>;
  /** Library entry files (`libs/x/src/index.ts`) with an `export * from`. */
  readonly starExports?: readonly string[];
}

export interface GraphReport {
  /** File-level loops, each a sorted list of files (a component of size > 1, or a file importing itself). */
  readonly fileCycles: readonly (readonly string[])[];
  /** Package-level loops (package folders). */
  readonly packageCycles: readonly (readonly string[])[];
  /** Arrows from a lower floor to a higher one, as `from -> to (floor a -> b)`. */
  readonly upward: readonly string[];
  /** Relative imports that enter another package's files, as `from -> to`. */
  readonly reachIns: readonly string[];
  /** Package arrows, `a -> b`, sorted (for the picture). */
  readonly packageEdges: readonly string[];
}

const SPEC = /\.(spec|test)\.ts$/;

/** `libs/x`, `stages/x` or `tools/x` of a root-relative path. */
export function packageOf(file: string): string {
  return file.split('/').slice(0, 2).join('/');
}

function floorIndex(floors: readonly (readonly string[])[], matches: (entry: string) => boolean): number {
  return floors.findIndex((floor) => floor.some(matches));
}

/** Floor of a package folder (`libs/x`); -1 when the table does not place it. */
export function packageFloor(pkg: string): number {
  return floorIndex(PACKAGE_FLOORS, (e) => e === pkg || (e.endsWith('/*') && pkg.startsWith(e.slice(0, -1))));
}

/** Floor of a file inside libs/pipeline/src; -1 when outside it or not placed. */
export function pipelineFloor(file: string): number {
  const prefix = 'libs/pipeline/src/';
  if (!file.startsWith(prefix)) return -1;
  const rest = file.slice(prefix.length);
  return floorIndex(PIPELINE_FLOORS, (e) => (e.endsWith('/') ? rest.startsWith(e) : rest === e));
}

/** Strongly connected components with a loop (Tarjan), each sorted, the list sorted. */
export function findCycles(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v)?.has(v)) out.push(component.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Loops, package arrows and upward arrows of a graph. Pure: tests feed it small made-up graphs. */
export function analyseGraph(graph: ImportGraph): GraphReport {
  const fileEdges = new Map<string, Set<string>>();
  const pkgEdges = new Map<string, Set<string>>();
  const upward = new Set<string>();
  const reachIns = new Set<string>();
  for (const e of graph.edges) {
    const named = !graph.namedPackages || graph.namedPackages.has(packageOf(e.to));
    if (e.relative && named && packageOf(e.from) !== packageOf(e.to)) reachIns.add(`${e.from} -> ${e.to}`);
    if (!fileEdges.has(e.from)) fileEdges.set(e.from, new Set());
    fileEdges.get(e.from)!.add(e.to);
    const [pa, pb] = [packageOf(e.from), packageOf(e.to)];
    if (pa !== pb) {
      if (!pkgEdges.has(pa)) pkgEdges.set(pa, new Set());
      pkgEdges.get(pa)!.add(pb);
      const [fa, fb] = [packageFloor(pa), packageFloor(pb)];
      if (fa < 0 || fb < 0) upward.add(`${pa} -> ${pb} (a package the floor table does not place)`);
      else if (fb > fa) upward.add(`${pa} -> ${pb} (floor ${fa + 1} -> ${fb + 1}, via ${e.from})`);
    } else if (pa === 'libs/pipeline') {
      const [fa, fb] = [pipelineFloor(e.from), pipelineFloor(e.to)];
      if (fa >= 0 && fb > fa) upward.add(`${e.from} -> ${e.to} (pipeline floor ${fa + 1} -> ${fb + 1})`);
    }
  }
  const packages = [...new Set(graph.files.map(packageOf))].sort();
  return {
    fileCycles: findCycles(graph.files, fileEdges),
    packageCycles: findCycles(packages, pkgEdges),
    upward: [...upward].sort(),
    reachIns: [...reachIns].sort(),
    packageEdges: [...pkgEdges].flatMap(([a, bs]) => [...bs].map((b) => `${a} -> ${b}`)).sort(),
  };
}

/** Import specifiers of one source file (static imports and exports with `from`, dynamic `import('...')`). */
export function importsOf(source: string, fileName = 'x.ts'): { specifier: string; typeOnly: boolean }[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      // `import { type A, type B }` is type-only too, even without `import type`.
      const allTypes = !!clause?.namedBindings && ts.isNamedImports(clause.namedBindings) && !clause.name && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || allTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const allTypes = !!node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || allTypes });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) found.push({ specifier: arg.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `@ldl-alsg/<name>[/<sub>]` -> the file its package.json `exports` (or `main`) names, root-relative. */
function packageResolver(root: string): { resolve: (specifier: string) => string | undefined; named: Set<string> } {
  const map = new Map<string, string>();
  const named = new Set<string>();
  for (const group of ['libs', 'stages', 'tools']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const d of readdirSync(groupDir, { withFileTypes: true })) {
      const pj = join(groupDir, d.name, 'package.json');
      if (!d.isDirectory() || !existsSync(pj)) continue;
      const pkg = JSON.parse(readFileSync(pj, 'utf8')) as { name: string; main?: string; exports?: Record<string, string> };
      named.add(`${group}/${d.name}`);
      const exportsMap = pkg.exports ?? (pkg.main ? { '.': pkg.main } : {});
      for (const [sub, target] of Object.entries(exportsMap)) {
        const name = sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`;
        map.set(name, relative(root, join(groupDir, d.name, target)).split('\\').join('/'));
      }
    }
  }
  return { resolve: (specifier) => map.get(specifier), named };
}

function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return relative(root, candidate).split('\\').join('/');
  }
  return undefined;
}

/** Lists the .ts files (no specs, no node_modules) under libs/, stages/ and tools/ of `root`. */
export function listModules(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !SPEC.test(e.name)) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  for (const group of ['libs', 'stages', 'tools']) if (existsSync(join(root, group))) walk(join(root, group));
  return out.sort();
}

/** Reads the import graph of the checkout at `root` (imports of node built-ins and npm packages are left out). */
export function readImportGraph(root: string): ImportGraph {
  const files = listModules(root);
  const known = new Set(files);
  const packages = packageResolver(root);
  const edges: ImportEdge[] = [];
  const lines = new Map<string, number>();
  const starExports: string[] = [];
  for (const file of files) {
    const source = readFileSync(join(root, file), 'utf8');
    if (/^libs\/[^/]+\/src\/index\.ts$/.test(file) && /^\s*export\s*\*\s*from/m.test(source)) starExports.push(file);
    lines.set(file, source.split('\n').length - (source.endsWith('\n') ? 1 : 0));
    for (const { specifier, typeOnly } of importsOf(source, file)) {
      const to = specifier.startsWith('.') ? resolveRelative(root, file, specifier) : specifier.startsWith('@ldl-alsg/') ? packages.resolve(specifier) : undefined;
      if (to && known.has(to)) edges.push({ from: file, to, typeOnly, relative: specifier.startsWith('.') });
    }
  }
  return { files, edges, lines, namedPackages: packages.named, starExports };
}

function main(argv: string[]): number {
  const rootAt = argv.indexOf('--root');
  const root = rootAt >= 0 ? resolve(argv[rootAt + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const roomsAt = argv.indexOf('--rooms');
  const rooms = roomsAt >= 0 ? Number(argv[roomsAt + 1]) : 5;
  const graph = readImportGraph(root);
  const report = analyseGraph(graph);
  const say = (s: string): boolean => process.stdout.write(`${s}\n`);
  say(`${graph.files.length} files, ${graph.edges.length} import arrows (${graph.edges.filter((e) => e.typeOnly).length} type-only), specs excluded`);
  say(`\nfloors (lowest first; arrows may only go down or sideways):`);
  PACKAGE_FLOORS.forEach((f, i) => say(`  ${i + 1}. ${f.join(', ')}`));
  say(`\npackage arrows (${report.packageEdges.length}):`);
  for (const e of report.packageEdges) say(`  ${e}`);
  say(`\nfile loops: ${report.fileCycles.length ? '' : 'none'}`);
  for (const c of report.fileCycles) say(`  ${c.join(' <-> ')}`);
  say(`package loops: ${report.packageCycles.length ? '' : 'none'}`);
  for (const c of report.packageCycles) say(`  ${c.join(' <-> ')}`);
  say(`arrows up a floor: ${report.upward.length ? '' : 'none'}`);
  for (const u of report.upward) say(`  ${u}`);
  say(`relative paths into another package: ${report.reachIns.length ? '' : 'none'}`);
  for (const r of report.reachIns) say(`  ${r}`);
  const largest = [...graph.lines].sort((a, b) => b[1] - a[1]).slice(0, rooms);
  say(`library indexes with export *: ${graph.starExports?.length ? graph.starExports.join(', ') : 'none'}`);
  say(`\nlargest rooms (lines): ${largest.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  const found = report.fileCycles.length + report.packageCycles.length + report.upward.length + report.reachIns.length;
  return found + (graph.starExports?.length ?? 0) > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
