/**
 * What a stage may tell the generic stage CLI (`alsg <stage>`, tools/cli/src/stage-cli) beyond its params schema and
 * input slots. Flags, --help and validation come from the schema; these hooks only cover what a schema cannot say: older
 * flag spellings kept so users' scripts keep working, flags that are not parameters (a file to load, a second form of the
 * command), and cross-flag rules. Declared here, in the lowest library, so a stage's `cli.ts` can state its hooks without
 * importing the CLI tool that sits above it.
 */

/** One extra spelling of a parameter, or a flag the stage's `prepare` hook reads itself. */
export interface StageCliFlag {
  /**
   * Dotted parameter path the flag sets (`'bootstrap.resamples'`, `'mode'`). Absent: the flag is handed to `prepare`
   * untouched (e.g. report's `--expect <file>`).
   */
  param?: string;
  /** A flag without a value that sets `param` to this (e.g. `--exact` sets mode to 'exact'). */
  value?: unknown;
  /** Placeholder shown in --help for a flag that takes a value, e.g. '<file>'. */
  placeholder?: string;
  /** For an array parameter: each occurrence is one item (no comma splitting), e.g. `--openface-arg=-wild`. */
  whole?: boolean;
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  /** --help line. */
  description: string;
}

/** What `prepare` receives: the parameters and inputs parsed so far, and the flags the generic parser does not map. */
export interface StageCliPrepareArgs {
  /** Parameters from the command line, before schema defaults (mutable: the hook may add or change entries). */
  params: Record<string, unknown>;
  /** Input slot -> folders given on the command line (mutable). */
  inputs: Record<string, string[]>;
  /** Values of the hook's own flags (those without `param`): string[] for flags with values, true for switches. */
  own: Record<string, string[] | true | undefined>;
  /** ctx.seed of a stage whose params have no `seed` (graph's --seed sets it); 0 unless the hook sets it. */
  seed: number;
  /** Throws the usage error "alsg <stage>: <message>" (the CLI prints the stage's usage after it). */
  fail(message: string): never;
}

/**
 * A second way to run the command that is not the stage (graph's `--features <file.npy>`): when `applies` says so,
 * `run` replaces `stage.run` and gets the validated parameters.
 */
export interface StageCliAlternative {
  applies(own: StageCliPrepareArgs['own']): boolean;
  run(args: { params: Record<string, unknown>; own: StageCliPrepareArgs['own']; outDir: string; seed: number; log: (line: string) => void }): Promise<void>;
}

/** Per-stage additions to the generated CLI. Every field is optional; most stages need only `usage` and `about`. */
export interface StageCliHooks {
  /** Usage lines (without "Usage: "), e.g. 'alsg noise --dataset <ingest dir> --mode <mode> [options] --out <dir>'. */
  usage?: readonly string[];
  /** Paragraph(s) after the usage: what the command writes. */
  about?: string;
  /** Input slot -> flag name, where the flag differs from the slot (train's slot `graphs` is `--graph`). */
  inputFlags?: Readonly<Record<string, string>>;
  /** Extra flags (without the leading dashes): older spellings of parameters and the hook's own flags. */
  flags?: Readonly<Record<string, StageCliFlag>>;
  /** Whether the command offers --scratch <dir> (default <out>/.scratch, removed after success). */
  scratch?: boolean;
  /** Text after the options (notes, prerequisites). */
  footer?: string;
  /** Cross-flag rules and the hook's own flags, before validation. */
  prepare?(args: StageCliPrepareArgs): void;
  /** A second form of the command (see {@link StageCliAlternative}). */
  alternative?: StageCliAlternative;
}
