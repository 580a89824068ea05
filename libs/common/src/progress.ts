/**
 * Progress for long work, shared by every stage: a live bar with rate and ETA on a TTY, and plain periodic lines
 * (every `intervalMs`, default 10 s) when stderr is not a TTY, e.g. in CI logs.
 *
 * Three things a reader of a terminal should never see, and how they are avoided:
 * - a first line reading "0.0 images/s ETA ?": the rate and ETA are shown only once there is a measurement (at least
 *   {@link MIN_RATE_SECONDS} of work counted); before that the line shows the count alone, and plain mode prints its
 *   first line after one interval, not at the first tick;
 * - log lines glued onto the live bar (a bar is redrawn with "\r" and no newline): write them with
 *   {@link writeAboveProgress}, which clears the bar, writes the line and redraws the bar below it;
 * - a rate diluted by work done before this process (a resumed training): the rate counts only what was ticked here,
 *   while `setTotal(total, done)` places the bar where the work stands.
 */
export interface ProgressOptions {
  /** What is counted, e.g. "images". */
  unit?: string;
  /** Stream to write to; default process.stderr. */
  stream?: ProgressStream;
  /** Minimum time between plain (non-TTY) lines, ms. Default 10000. */
  intervalMs?: number;
  /** Force TTY or plain mode (default: detect from the stream). */
  tty?: boolean;
  /** Silence all output (tests). */
  silent?: boolean;
}

export type ProgressStream = NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean };

export interface Progress {
  /** Advance by `n` items (default 1). */
  tick(n?: number): void;
  /** Set the absolute count. */
  update(done: number): void;
  /** Set what follows the label, e.g. the epoch ("main epoch 3/10"); '' removes it. Optional for fakes. */
  setDetail?(detail: string): void;
  /**
   * Change the total (undefined = unknown) and, optionally, the count already done (work restored from a checkpoint:
   * it moves the bar but not the rate); optional for fakes.
   */
  setTotal?(total: number | undefined, done?: number): void;
  /** Print the final line. */
  done(message?: string): void;
}

/** Seconds of counted work before a rate (and so an ETA) is shown. */
export const MIN_RATE_SECONDS = 1;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The bar currently drawn (without a newline) on each TTY stream, so other output can clear and redraw it. */
const liveBars = new Map<ProgressStream, () => string>();

/**
 * Writes `text` (a whole line, newline added when missing) to `stream` without gluing it to a live progress bar: on a
 * TTY the current line is cleared first, and this process's bar, if any, is redrawn after. Clearing also covers the bar
 * of another process on the same terminal (`alsg run --jobs 2`: every stage child inherits it), which redraws itself at
 * its next tick. Elsewhere it is a plain write.
 */
export function writeAboveProgress(text: string, stream: ProgressStream = process.stderr): void {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  const bar = liveBars.get(stream);
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  stream.write(bar || tty ? `\r\x1b[2K${line}${bar ? bar() : ''}` : line);
}

/** Starts reporting progress of `label` over `total` items (total 0 or undefined = unknown). */
export function startProgress(label: string, total: number | undefined, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const unit = options.unit ?? 'items';
  const interval = options.intervalMs ?? (tty ? 100 : 10_000);
  const started = Date.now();
  let count = 0;
  // Items ticked in this process (the rate's numerator; `count` may start above it after setTotal(total, done)).
  let countedHere = 0;
  // Plain mode: the first line after one interval, so it carries a measured rate.
  let lastPrint = tty ? 0 : started;
  let detail = '';

  const line = (): string => {
    const text = detail ? `${label} ${detail}` : label;
    const elapsed = (Date.now() - started) / 1000;
    const measured = elapsed >= MIN_RATE_SECONDS && countedHere > 0;
    const rate = measured ? countedHere / elapsed : 0;
    const rateText = measured ? ` ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s` : '';
    if (total && total > 0) {
      const frac = Math.min(1, count / total);
      const eta = measured ? ` ETA ${formatDuration(Math.max(0, total - count) / rate)}` : '';
      const bar = tty ? `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] ` : '';
      return `${text} ${bar}${count}/${total} (${(frac * 100).toFixed(1)}%)${rateText}${eta}`;
    }
    return `${text} ${count} ${unit}${rateText} elapsed ${formatDuration(elapsed)}`;
  };
  const print = (force: boolean): void => {
    if (options.silent) return;
    const now = Date.now();
    if (!force && now - lastPrint < interval) return;
    lastPrint = now;
    if (tty) liveBars.set(stream, line);
    stream.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`);
  };
  return {
    tick(n = 1) {
      count += n;
      countedHere += n;
      print(false);
    },
    update(done: number) {
      countedHere += Math.max(0, done - count);
      count = done;
      print(false);
    },
    setDetail(next: string) {
      detail = next;
    },
    setTotal(next: number | undefined, done?: number) {
      total = next;
      if (done !== undefined) count = done;
    },
    done(message?: string) {
      if (options.silent) return;
      if (liveBars.get(stream) === line) liveBars.delete(stream);
      const elapsed = formatDuration((Date.now() - started) / 1000);
      stream.write(`${tty ? '\r\x1b[2K' : ''}${line()}${message ? ` - ${message}` : ''} (done in ${elapsed})\n`);
    },
  };
}
