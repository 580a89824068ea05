// Nx draws the project graph (nx graph, nx affected) from package.json dependencies between workspace packages. This
// keeps each library's and stage's `dependencies` equal to the @ldl-alsg packages its sources import, so a library
// change reaches the stages and pipelines above it (docs/pipelines.md, Nx).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKOUT_ROOT } from '@ldl-alsg/pipeline/fixtures';
import { importsOf } from '../../check/import-graph';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') out.push(...sourceFiles(full));
    } else if (/\.ts$/.test(name) && !/\.(spec|test)\.ts$/.test(name)) out.push(full);
  }
  return out;
}

const packages = ['libs', 'stages'].flatMap((top) => readdirSync(join(CHECKOUT_ROOT, top)).map((name) => join(CHECKOUT_ROOT, top, name)));
const workspaceNames = new Set(packages.map((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name));

describe('package.json dependencies of libraries and stages', () => {
  it.each(packages.map((dir) => [dir.slice(CHECKOUT_ROOT.length + 1), dir]))('%s lists exactly the workspace packages it imports', (_, dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const imported = new Set<string>();
    for (const file of sourceFiles(join(dir, 'src'))) {
      for (const { specifier } of importsOf(readFileSync(file, 'utf8'), file)) {
        const name = /^@ldl-alsg\/[a-z0-9-]+/.exec(specifier)?.[0];
        if (name && name !== pkg.name && workspaceNames.has(name)) imported.add(name);
      }
    }
    const declared = Object.keys(pkg.dependencies ?? {}).filter((d) => workspaceNames.has(d));
    expect(declared.sort(), `${pkg.name}: add or remove "dependencies" entries ("@ldl-alsg/x": "*") to match its imports`).toEqual([...imported].sort());
  });
});
