/**
 * `alsg <stage> --help` and the usage printed after a usage error, built from the flag table: every parameter with its
 * schema description and default, every input slot, the command's own options, and the parameters only a pipeline can
 * set. Nothing here is written per stage except the hooks' usage lines and notes.
 */
import type { StageCliHooks } from '@ldl-alsg/common';
import { isFlaggable, paramLeaves, type FlagSpec, type StageShape } from './flags';

function wrap(text: string, indent: number, width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w)) {
    if (line && line.length + word.length + 1 > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

function defaultText(flag: FlagSpec): string {
  if (flag.kind !== 'param' || flag.aliasOf || !flag.prop || !('default' in flag.prop)) return '';
  const d = flag.prop.default;
  if (d === null || d === '') return ' [default: none]';
  return ` [default: ${JSON.stringify(d)}]`;
}

function row(flag: FlagSpec): string {
  const name = flag.negatable && flag.kind === 'param' && !flag.aliasOf ? `--[no-]${flag.name}` : `--${flag.name}`;
  const head = `  ${name}${flag.placeholder ? ` ${flag.placeholder}` : ''}${flag.name === 'help' ? ', -h' : ''}`;
  const notes = [flag.required ? 'required' : '', flag.multiple && flag.kind !== 'param' ? 'repeatable' : ''].filter((s) => s).join(', ');
  const same = flag.setTo === undefined ? `--${flag.aliasOf}` : flag.setTo === false ? `--no-${flag.aliasOf}` : `--${flag.aliasOf} ${String(flag.setTo)}`;
  const body = `${flag.aliasOf ? `Same as ${same}: ` : ''}${flag.description}${notes ? ` (${notes})` : ''}${defaultText(flag)}`;
  return `${head}\n      ${wrap(body, 6)}`;
}

/** The command's usage lines (the hooks', else one generated from the required flags). */
export function usageLines(stage: StageShape, flags: readonly FlagSpec[], hooks: StageCliHooks): string[] {
  if (hooks.usage?.length) return [...hooks.usage];
  const required = flags.filter((f) => f.required && f.kind !== 'out').map((f) => `--${f.name} ${f.placeholder}${f.multiple ? ` [--${f.name} ...]` : ''}`);
  return [`alsg ${stage.name} ${[...required, '[options]', '--out <dir>'].join(' ')}`];
}

/** The full --help text. */
export function helpText(stage: StageShape, flags: readonly FlagSpec[], hooks: StageCliHooks): string {
  const usage = usageLines(stage, flags, hooks);
  const params = flags.filter((f) => f.kind === 'param' && !f.aliasOf);
  const aliases = flags.filter((f) => f.aliasOf || (f.kind === 'param' && !params.includes(f)));
  const inputs = flags.filter((f) => f.kind === 'input');
  const options = flags.filter((f) => f.kind !== 'param' && f.kind !== 'input');
  const pipelineOnly = paramLeaves(stage.paramsSchema)
    .filter(([, prop]) => !isFlaggable(prop))
    .map(([path]) => path.join('.'))
    .filter((p) => !flags.some((f) => f.path?.join('.') === p));
  const sections = [
    `Usage: ${usage.join('\n       ')}\n`,
    `${wrap(hooks.about ?? stage.description, 0)}\n`,
    inputs.length ? `Inputs (output folders of earlier stages):\n${inputs.map(row).join('\n')}\n` : '',
    params.length ? `Parameters (the stage's params schema: the same names, ranges and defaults as in a pipeline's params:):\n${params.map(row).join('\n')}\n` : '',
    aliases.length ? `Other spellings:\n${aliases.map(row).join('\n')}\n` : '',
    `Options:\n${options.map(row).join('\n')}\n`,
    pipelineOnly.length ? `No flag of their own (a pipeline's params:, or an option above where one reads a file): ${pipelineOnly.join(', ')}; alsg schema describes them.\n` : '',
    hooks.footer ? `${wrap(hooks.footer, 0)}\n` : '',
  ];
  return sections.filter((s) => s).join('\n');
}
