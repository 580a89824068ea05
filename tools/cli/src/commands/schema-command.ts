/** `alsg schema`: writes pipelines/schema.json, composed from every stage's paramsSchema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPipelineSchema, type StageRegistry } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { workspaceRegistry } from './context';

/** The schema file's text for the registry's stages (stable, 2-space JSON with a trailing newline). */
export async function pipelineSchemaText(registry: StageRegistry): Promise<string> {
  const metas = [];
  for (const name of registry.names()) metas.push(await registry.meta(name));
  return `${JSON.stringify(buildPipelineSchema(metas), null, 2)}\n`;
}

export const schemaCommand = {
  usage: `Usage: alsg schema [--out FILE] [--check]

Writes the pipeline JSON Schema (default pipelines/schema.json) composed from every stage's parameters, so editors
complete and check pipeline files (# yaml-language-server: $schema=./schema.json). --check only compares, exit 1 when
the file is out of date.
`,
  async run(argv: string[]): Promise<number> {
    const { values } = await parseCommandArgs({ args: argv, options: { out: { type: 'string' }, check: { type: 'boolean' } } });
    const registry = workspaceRegistry();
    const out = values.out ?? join(registry.layout.root, 'pipelines', 'schema.json');
    const text = await pipelineSchemaText(registry);
    if (values.check) {
      let current = '';
      try {
        current = readFileSync(out, 'utf8');
      } catch {
        current = '';
      }
      if (current !== text) {
        process.stderr.write(`${out} is out of date: run \`alsg schema\`\n`);
        return 1;
      }
      process.stdout.write(`${out} is current\n`);
      return 0;
    }
    writeFileSync(out, text);
    process.stdout.write(`wrote ${out} (${registry.names().length} stages)\n`);
    return 0;
  },
};
