/**
 * Argument scanning against a flag table: `--name value`, `--name=value`, switches, `--no-<switch>`, `-h`. Written here
 * rather than with node:util's parseArgs because parseArgs rejects a value that starts with a dash (`--k -2`, a negative
 * number the schema should judge) with an error that names no fix, and because the table already knows each flag.
 */
import { AlsgError } from '@ldl-alsg/common';
import { suggest } from '@ldl-alsg/pipeline';
import type { FlagSpec } from './flags';

/** One flag as given: its values in order (switches: 'true' / 'false'). */
export interface GivenFlag {
  readonly flag: FlagSpec;
  readonly values: string[];
}

/** Flag name -> what was given, in the order first seen. */
export type ScannedArgs = Map<string, GivenFlag>;

/** Scans `argv`; unknown options, missing values and positional words are usage errors ("alsg <command>: ..."). */
export function scanArgs(command: string, argv: readonly string[], flags: readonly FlagSpec[]): ScannedArgs {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const fail = (message: string): never => {
    throw new AlsgError('E_USAGE', `alsg ${command}: ${message}`);
  };
  const out: ScannedArgs = new Map();
  const add = (flag: FlagSpec, value: string): void => {
    const given = out.get(flag.name);
    // A flag that is not repeatable keeps its last value, as node:util's parseArgs did.
    if (given && flag.multiple) given.values.push(value);
    else out.set(flag.name, { flag, values: [value] });
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '-h') {
      add(byName.get('help')!, 'true');
      continue;
    }
    if (!token.startsWith('--') || token === '--') {
      fail(token.startsWith('-') && token !== '--' ? `unknown option '${token}'` : `unexpected argument '${token}' (every value follows its flag, e.g. --out <dir>)`);
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    let flag = byName.get(name);
    let negated = false;
    if (!flag && name.startsWith('no-')) {
      const positive = byName.get(name.slice(3));
      if (positive?.negatable) {
        flag = positive;
        negated = true;
      }
    }
    if (!flag) {
      const hint = suggest(name, [...byName.keys()]);
      fail(`unknown option '--${name}'${hint ? ` (did you mean '--${hint}'?)` : ''}`);
    }
    const f = flag!;
    if (!f.takesValue) {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') fail(`--${name} takes no value, but got "${inline}"`);
      add(f, negated ? 'false' : (inline ?? 'true'));
      continue;
    }
    if (negated) fail(`--${name} is not a switch`);
    if (inline !== undefined) {
      add(f, inline);
      continue;
    }
    // The next word is this flag's value even when it starts with a dash (a negative number), unless it is a known flag.
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('--') && byName.has(next.slice(2).split('=')[0]))) fail(`--${name} needs a value ${f.placeholder || ''}`.trimEnd());
    add(f, next);
    i++;
  }
  return out;
}
