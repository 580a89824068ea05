import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyseGraph, importsOf, readImportGraph, type ImportEdge } from './import-graph';

const graph = (edges: [string, string][]) => {
  const list: ImportEdge[] = edges.map(([from, to]) => ({ from, to, typeOnly: false }));
  return { files: [...new Set(edges.flat())].sort(), edges: list, lines: new Map<string, number>() };
};

describe('import graph', () => {
  it('reads static, type-only, re-exported and dynamic imports, not those in comments', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C } from './c';",
      "export { d } from '@ldl-alsg/d';",
      "export type { E } from './e';",
      "// import { f } from './f';",
      "const g = () => import('./g');",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      { specifier: './a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: true },
      { specifier: '@ldl-alsg/d', typeOnly: false },
      { specifier: './e', typeOnly: true },
      { specifier: './g', typeOnly: false },
    ]);
  });

  it('finds a loop between files and between packages, and arrows up a floor', () => {
    const report = analyseGraph(
      graph([
        ['tools/cli/src/main.ts', 'tools/cli/src/commands/run.ts'],
        ['tools/cli/src/commands/run.ts', 'tools/cli/src/main.ts'],
        ['libs/common/src/a.ts', 'libs/labels/src/b.ts'],
        ['libs/labels/src/b.ts', 'libs/common/src/c.ts'],
        ['libs/pipeline/src/store/s.ts', 'libs/pipeline/src/execution/x.ts'],
      ]),
    );
    expect(report.fileCycles).toEqual([['tools/cli/src/commands/run.ts', 'tools/cli/src/main.ts']]);
    expect(report.packageCycles).toEqual([['libs/common', 'libs/labels']]);
    expect(report.upward).toEqual([
      'libs/common -> libs/labels (floor 1 -> 2, via libs/common/src/a.ts)',
      'libs/pipeline/src/store/s.ts -> libs/pipeline/src/execution/x.ts (pipeline floor 1 -> 4)',
    ]);
  });

  it('flags a relative path into another package, not one inside its own', () => {
    const report = analyseGraph({
      files: ['libs/a/src/x.ts', 'libs/a/src/y.ts', 'stages/s/src/z.ts'],
      edges: [
        { from: 'stages/s/src/z.ts', to: 'libs/a/src/x.ts', typeOnly: false, relative: true },
        { from: 'stages/s/src/z.ts', to: 'libs/a/src/y.ts', typeOnly: false, relative: false },
        { from: 'libs/a/src/x.ts', to: 'libs/a/src/y.ts', typeOnly: false, relative: true },
      ],
      lines: new Map(),
    });
    expect(report.reachIns).toEqual(['stages/s/src/z.ts -> libs/a/src/x.ts']);
  });

  it('flags a package the floor table does not place', () => {
    expect(analyseGraph(graph([['libs/new/src/a.ts', 'libs/common/src/b.ts']])).upward).toEqual([
      'libs/new -> libs/common (a package the floor table does not place)',
    ]);
  });

  it('this checkout has no import loops, no arrow up a floor, no path into another package, no export * index', () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const graph = readImportGraph(root);
    const report = analyseGraph(graph);
    expect(report.fileCycles).toEqual([]);
    expect(report.packageCycles).toEqual([]);
    expect(report.upward).toEqual([]);
    expect(report.reachIns).toEqual([]);
    expect(graph.starExports).toEqual([]);
  });
});
