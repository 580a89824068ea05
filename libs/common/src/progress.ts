/**
 * Progress for long work, shared by every stage: a live bar with rate and ETA on a TTY, and plain periodic lines
 * (every `intervalMs`, default 10 s) when stderr is not a TTY, e.g. in CI logs.
 */
export interface ProgressOptions {
  /** What is counted, e.g. "images". */
  unit?: string;
  /** Stream to write to; default process.stderr. */
  stream?: NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean };
  /** Minimum time between plain (non-TTY) lines, ms. Default 10000. */
  intervalMs?: number;
  /** Force TTY or plain mode (default: detect from the stream). */
  tty?: boolean;
  /** Silence all output (tests). */
  silent?: boolean;
}

export interface Progress {
  /** Advance by `n` items (default 1). */
  tick(n?: number): void;
  /** Set the absolute count. */
  update(done: number): void;
  /** Print the final line. */
  done(message?: string): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Starts reporting progress of `label` over `total` items (total 0 or undefined = unknown). */
export function startProgress(label: string, total: number | undefined, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean((stream as { isTTY?: boolean }).isTTY);
  const unit = options.unit ?? 'items';
  const interval = options.intervalMs ?? (tty ? 100 : 10_000);
  const started = Date.now();
  let count = 0;
  let lastPrint = 0;

  const line = (): string => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const rateText = `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s`;
    if (total && total > 0) {
      const frac = Math.min(1, count / total);
      const eta = rate > 0 ? (total - count) / rate : Infinity;
      const bar = tty ? `[${'#'.repeat(Math.round(frac * 24)).padEnd(24, '.')}] ` : '';
      return `${label} ${bar}${count}/${total} (${(frac * 100).toFixed(1)}%) ${rateText} ETA ${formatDuration(eta)}`;
    }
    return `${label} ${count} ${unit} ${rateText} elapsed ${formatDuration(elapsed)}`;
  };
  const print = (force: boolean): void => {
    if (options.silent) return;
    const now = Date.now();
    if (!force && now - lastPrint < interval) return;
    lastPrint = now;
    stream.write(tty ? `\r\x1b[2K${line()}` : `${line()}\n`);
  };
  return {
    tick(n = 1) {
      count += n;
      print(false);
    },
    update(done: number) {
      count = done;
      print(false);
    },
    done(message?: string) {
      if (options.silent) return;
      const elapsed = formatDuration((Date.now() - started) / 1000);
      stream.write(`${tty ? '\r\x1b[2K' : ''}${line()}${message ? ` - ${message}` : ''} (done in ${elapsed})\n`);
    },
  };
}
