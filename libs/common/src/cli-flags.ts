/**
 * Small helpers shared by the stage CLIs, so every `alsg <stage>` reports a bad flag the same way:
 * "alsg <stage>: <flag> must be <rule>, but got "<text>"" (E_USAGE: the CLI prints usage after it).
 */
import { AlsgError } from './errors';

/**
 * Parses a numeric flag value. Returns undefined when the flag was not given.
 * @param command the subcommand, e.g. "extract" (used in the message)
 * @param flag the flag as typed, e.g. "--batch-size"
 * @param integer require an integer
 */
export function parseNumberFlag(command: string, flag: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok = text.trim() !== '' && (integer ? Number.isInteger(value) : Number.isFinite(value));
  if (!ok) throw new AlsgError('E_USAGE', `alsg ${command}: ${flag} must be ${integer ? 'an integer' : 'a number'}, but got "${text}"`);
  return value;
}

/** Throws a usage error unless `value` was given: "alsg <command>: <flag> <what> is required". */
export function requireFlag<T>(command: string, flag: string, what: string, value: T | undefined, help: string): asserts value is T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    throw new AlsgError('E_USAGE', `alsg ${command}: ${flag} ${what} is required\n\n${help}`);
  }
}
