/** `alsg validate <pipeline.yaml>...`: every problem of every file, exit 1 when there is any. */
import { AlsgError } from '@ldl-alsg/common';
import { validatePipelineFile } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { workspaceRegistry } from './context';

export const validateCommand = {
  usage: `Usage: alsg validate <pipeline.yaml>...

Checks pipeline files against the schema composed from the stages' parameters and for meaning (unknown stages,
dangling inputs, cycles, duplicate names, matrix pairing, required parameters). Prints every problem at once as
"<file> <path>: <field> must <rule>, but got <value> (line N)". Exit 0 when all are valid, 1 otherwise.
`,
  async run(argv: string[]): Promise<number> {
    const { positionals } = await parseCommandArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length === 0) throw new AlsgError('E_USAGE', 'validate needs at least one pipeline file');
    const registry = workspaceRegistry();
    let bad = 0;
    for (const file of positionals) {
      const result = await validatePipelineFile(file, registry);
      if (result.pipeline) {
        process.stdout.write(`${file}: valid (pipeline ${result.pipeline.name}; profiles ${result.pipeline.profiles.join(', ')})\n`);
      } else {
        bad++;
        const n = result.issues.length;
        process.stderr.write(`${file} is not a valid pipeline (${n === 1 ? '1 problem' : `${n} problems`}):\n`);
        for (const issue of result.issues) process.stderr.write(`  - ${issue.message}\n`);
      }
    }
    return bad ? 1 : 0;
  },
};
