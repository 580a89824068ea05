/** `alsg validate <pipeline.yaml>...`: every problem of every file, exit 1 when there is any. */
import { AlsgError, isAlsgError } from '@ldl-alsg/common';
import { checkSourcePaths, expandPipeline, validatePipelineFile, type ConfigIssue, type LoadedPipeline } from '@ldl-alsg/pipeline';
import { parseCommandArgs } from '../parse-command-args';
import { checkBackends } from './backend-check';
import { workspaceRegistry } from './context';

export const validateCommand = {
  usage: `Usage: alsg validate <pipeline.yaml>... [--profile P]

Checks pipeline files against the schema composed from the stages' parameters and for meaning (unknown stages,
dangling inputs, cycles, duplicate names, matrix pairing, required parameters). Prints every problem at once as
"<file> <path>: <field> must <rule>, but got <value> (line N)". Every file is checked even when one cannot be read.
Files must be UTF-8 and at most 1 MB; YAML aliases may expand to at most 1000 nodes. \${NAME} in a value reads an
environment variable (\${NAME:-fallback} when unset); an unset one is a problem. Dataset folders (ingest's root) that
do not exist are problems too. Exit 0 when all are valid, 1 otherwise.

  --profile P   check profile P only (it must exist): its dataset folders, and whether the TF.js backends it names
                (tensorflow-gpu: @tensorflow/tfjs-node-gpu) load here, as alsg run would before any work
`,
  async run(argv: string[]): Promise<number> {
    const { positionals, values } = await parseCommandArgs({ args: argv, allowPositionals: true, options: { profile: { type: 'string' } } });
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
      let issues: readonly ConfigIssue[] = result.issues;
      if (result.pipeline) {
        try {
          issues = afterLoading(result.pipeline, values.profile, registry.layout.root);
        } catch (err) {
          if (!isAlsgError(err)) throw err;
          bad++;
          process.stderr.write(`alsg: ${err.message}\n`);
          continue;
        }
      }
      if (result.pipeline && issues.length === 0) {
        const profiles = values.profile ? `profile ${values.profile}` : `profiles ${result.pipeline.profiles.join(', ')}`;
        process.stdout.write(`${file}: valid (pipeline ${result.pipeline.name}; ${profiles})\n`);
      } else {
        bad++;
        result = { issues };
        const n = result.issues.length;
        process.stderr.write(`${file} is not a valid pipeline (${n === 1 ? '1 problem' : `${n} problems`}):\n`);
        for (const issue of result.issues) process.stderr.write(`  - ${issue.message}\n`);
      }
    }
    return bad ? 1 : 0;
  },
};

/**
 * Checks that need the loaded pipeline: dataset folders that do not exist (every profile, or `profile`), and with a
 * profile, the native backends it names (an E_DEPENDENCY, thrown).
 */
function afterLoading(pipeline: LoadedPipeline, profile: string | undefined, root: string): ConfigIssue[] {
  if (profile !== undefined && !pipeline.profiles.includes(profile)) {
    throw new AlsgError('E_USAGE', `${pipeline.file}: profile must be one of ${pipeline.profiles.join(', ')}, but got '${profile}'`, { file: pipeline.file });
  }
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const p of profile !== undefined ? [profile] : pipeline.profiles) {
    const { instances } = expandPipeline(pipeline.spec, p, pipeline.file);
    const found = checkSourcePaths({ file: pipeline.file, instances, sourceParamsOf: (s) => pipeline.metas.get(s)?.sourceParams, root, profile: p, lineOf: pipeline.lineOf });
    // the same root written once is one problem, whichever profiles use it
    for (const issue of found) {
      const id = `${issue.path}\0${issue.message.replace(/ in profile \S+/, '')}`;
      if (!seen.has(id)) issues.push(issue), seen.add(id);
    }
    if (profile !== undefined && issues.length === 0) {
      checkBackends(instances.map((i) => ({ address: `${pipeline.name}/${i.name}`, params: i.params })), root, `${pipeline.file} --profile ${profile}`);
    }
  }
  return issues;
}
