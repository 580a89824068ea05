import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKOUT_ROOT } from '../fixtures/fixture-workspace';
import { computeCodeVersion, scanImports } from './code-version';

function tree(): { root: string; write: (rel: string, text: string) => void; version: () => ReturnType<typeof computeCodeVersion> } {
  const root = mkdtempSync(join(tmpdir(), 'alsg-code-'));
  const write = (rel: string, text: string): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write('stages/train/src/stage.ts', "import { a } from '@ldl-alsg/liba';\nimport type { T } from '@ldl-alsg/typesonly';\nexport const x = a;\n");
  write('stages/train/src/stage.spec.ts', 'test');
  write('libs/liba/src/index.ts', "export * from './impl';\n");
  write('libs/liba/src/impl.ts', "import { b } from '@ldl-alsg/libb';\nexport const a = b;\n");
  write('libs/libb/src/index.ts', 'export const b = 1;\n');
  write('libs/libb/src/index.spec.ts', 'test');
  write('libs/typesonly/src/index.ts', 'export type T = 1;\n');
  write('libs/unused/src/index.ts', 'export const u = 1;\n');
  const version = () => computeCodeVersion(join(root, 'stages/train'), { root, libsDir: join(root, 'libs'), stagesDir: join(root, 'stages') });
  return { root, write, version };
}

describe('computeCodeVersion', () => {
  it('follows value imports transitively and ignores type-only imports', () => {
    const t = tree();
    expect(t.version().libs).toEqual(['liba', 'libb']);
  });

  it('changes with the stage source and with a transitively imported library, not with tests or unrelated libs', () => {
    const t = tree();
    const v0 = t.version().version;
    t.write('stages/train/src/stage.spec.ts', 'changed test');
    t.write('libs/libb/src/index.spec.ts', 'changed test');
    t.write('libs/unused/src/index.ts', 'export const u = 2;\n');
    t.write('libs/typesonly/src/index.ts', 'export type T = 2;\n');
    expect(t.version().version).toBe(v0);
    t.write('libs/libb/src/index.ts', 'export const b = 2;\n');
    const v1 = t.version().version;
    expect(v1).not.toBe(v0);
    t.write('stages/train/src/stage.ts', "import { a } from '@ldl-alsg/liba';\nexport const x = a + 1;\n");
    expect(t.version().version).not.toBe(v1);
  });

  it('does not depend on where the checkout lives', () => {
    expect(tree().version().version).toBe(tree().version().version);
  });

  it('scans the import forms', () => {
    expect(
      scanImports(
        "import { a,\n b } from '@ldl-alsg/one';\nimport '@ldl-alsg/two';\nexport * from \"@ldl-alsg/three\";\nconst m = await import('@ldl-alsg/four');\nimport type { X } from '@ldl-alsg/five';\nexport type { Y } from '@ldl-alsg/six';\nimport { p } from '@ldl-alsg/seven/planner';\nconst f = await import('@ldl-alsg/eight/fixtures');",
      ).sort(),
    ).toEqual(['@ldl-alsg/eight', '@ldl-alsg/four', '@ldl-alsg/one', '@ldl-alsg/seven', '@ldl-alsg/three', '@ldl-alsg/two']);
  });
});

describe('the repository\'s stages', () => {
  it('do not have the engine (@ldl-alsg/pipeline) in their code version, so engine changes retrain nothing', () => {
    const stagesDir = join(CHECKOUT_ROOT, 'stages');
    const stages = readdirSync(stagesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(stages).toEqual(expect.arrayContaining(['ingest', 'train', 'graph', 'evaluate', 'report']));
    for (const name of stages) {
      const { libs } = computeCodeVersion(join(stagesDir, name), { root: CHECKOUT_ROOT, libsDir: join(CHECKOUT_ROOT, 'libs'), stagesDir });
      expect(libs, `stages/${name} imports a value from @ldl-alsg/pipeline (or a library that does); use \`import type\` or move the code`).not.toContain('pipeline');
    }
  });
});
