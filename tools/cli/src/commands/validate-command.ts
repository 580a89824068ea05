/** `alsg validate <pipeline.yaml>...`: every problem of every file, exit 1 when there is any. */
import { AlsgError, isAlsgError } from '@ldl-alsg/common';
import { validatePipelineFile } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { workspaceRegistry } from './context';

export const validateCommand = {
  usage: `Usage: alsg validate <pipeline.yaml>...

Checks pipeline files against the schema composed from the stages' parameters and for meaning (unknown stages,
dangling inputs, cycles, duplicate names, matrix pairing, required parameters). Prints every problem at once as
"<file> <path>: <field> must <rule>, but got <value> (line N)". Every file is checked even when one cannot be read.
Files must be UTF-8 and at most 1 MB; YAML aliases may expand to at most 1000 nodes. Exit 0 when all are valid, 1
otherwise.
`,
  async run(argv: string[]): Promise<number> {
    const { positionals } = await parseCommandArgs({ args: argv, allowPositionals: true, options: {} });
    if (positionals.length === 0) throw new AlsgError('E_USAGE', 'validate needs at least one pipeline file');
    const registry = workspaceRegistry();
    let bad = 0;
    for (const file of positionals) {
      let result: Awaited<ReturnType<typeof validatePipelineFile>>;
      try {
        result = await validatePipelineFile(file, registry);
      } catch (err) {
        // One unreadable file (missing, a folder, no permission) must not hide what is wrong with the others.
        if (!isAlsgError(err)) throw err;
        bad++;
        process.stderr.write(`alsg: ${err.message}\n`);
        continue;
      }
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
