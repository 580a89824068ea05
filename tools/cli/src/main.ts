/**
 * `alsg`: the command-line entry. Subcommands load their code lazily so `alsg --help` is instant. User errors
 * (AlsgError) print their message and a usage line and exit 1; anything else is a bug and prints its stack (exit 2).
 */
import { isAlsgError } from '@ldl-alsg/common';

export const USAGE = `alsg - declarative pipelines for LDL-ALSG (Chen et al., CVPR 2020)

Usage: alsg <command> [options]

Commands:
  validate <pipeline.yaml>...    check pipelines; lists every problem, exit 1 when any
  run <pipeline.yaml>            run a pipeline's stage instances (skips those already in the store)
  status <pipeline.yaml>         show which instances are done, stale or missing
  cancel <pipeline.yaml>         cancel the pipeline's Slurm jobs (alsg run --executor slurm) still pending or running
  run-instance <pipeline> <inst> run one instance if not in the store (what a Slurm job runs)
  reference <pipeline.yaml>      compare results with the committed reference results (--update rewrites them)
  exp show [pipeline...]         the store's train / evaluate results as a table: params, metrics, seed, status
  diff <A> <B>                   params and metrics of two results, two profiles, or a pipeline at two git revisions
  schema                         write pipelines/schema.json (composed from every stage's parameters)
  stages                         list the stages
  <stage> [options]              run one stage by hand, outputs to --out (alsg <stage> --help)

Options: --help on any command. Environment: ALSG_STORE (artifact store, default .alsg/store),
ALSG_WORKSPACE (workspace root, default the nearest folder with nx.json).
`;

type Command = { usage: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate-command')).validateCommand,
  run: async () => (await import('./commands/run-command')).runCommand,
  status: async () => (await import('./commands/status-command')).statusCommand,
  cancel: async () => (await import('./commands/cancel-command')).cancelCommand,
  'run-instance': async () => (await import('./commands/run-instance-command')).runInstanceCommand,
  schema: async () => (await import('./commands/schema-command')).schemaCommand,
  reference: async () => (await import('./commands/reference-command')).referenceCommand,
  stages: async () => (await import('./commands/stages-command')).stagesCommand,
  exp: async () => (await import('./commands/exp-command')).expCommand,
  diff: async () => (await import('./commands/diff-command')).diffCommand,
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  let usage = USAGE;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(USAGE);
      return name ? 0 : 1;
    }
    if (name === '--version') {
      process.stdout.write('alsg 0.1.0\n');
      return 0;
    }
    const load = COMMANDS[name];
    if (load) {
      const command = await load();
      usage = command.usage;
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(command.usage);
        return 0;
      }
      return await command.run(rest);
    }
    return await (await import('./commands/stage-command')).runStageCommand(name, rest, Object.keys(COMMANDS));
  } catch (err) {
    if (isAlsgError(err)) {
      // Stage CLIs already say "alsg <stage>: ..." and carry their own usage (tools/cli/src/stage-cli).
      process.stderr.write(err.message.startsWith('alsg ') ? `${err.message}\n` : `alsg: ${err.message}\n`);
      if (err.code === 'E_USAGE') process.stderr.write(`\n${typeof err.details.usage === 'string' ? err.details.usage : usage}`);
      else process.stderr.write(`(alsg ${name ?? ''} --help for usage)\n`);
      return 1;
    }
    process.stderr.write(`alsg: internal error (a bug, please report it):\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
}
