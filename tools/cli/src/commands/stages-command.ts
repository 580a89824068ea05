/** `alsg stages`: the stages this workspace has, with their descriptions and input slots. */
import { workspaceRegistry } from './context';

export const stagesCommand = {
  usage: `Usage: alsg stages

Lists the stages (stages/<name>/src/stage.ts) with one line each and their input slots.
`,
  async run(): Promise<number> {
    const registry = workspaceRegistry();
    for (const name of registry.names()) {
      try {
        const meta = await registry.meta(name);
        const slots = Object.entries(meta.inputs).map(([s, spec]) => `${s}${spec.multiple ? '[]' : ''}${spec.required ? '' : '?'} <- ${spec.from.join('|')}`);
        process.stdout.write(`${name.padEnd(10)} ${meta.description}${slots.length ? `\n${' '.repeat(11)}inputs: ${slots.join(', ')}` : ''}\n`);
      } catch (err) {
        process.stdout.write(`${name.padEnd(10)} (cannot load: ${(err as Error).message.split('\n')[0]})\n`);
      }
    }
    return 0;
  },
};
