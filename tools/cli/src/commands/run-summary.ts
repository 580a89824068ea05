/** The line `alsg run` ends with, for the local engine and for `--executor slurm --wait` alike. */
import { DEFAULT_PROFILE } from '@ldl-alsg/pipeline/runner';

/** What a finished run counts: the instances per outcome and its wall time. */
export interface RunOutcomeCounts {
  readonly ran: readonly unknown[];
  readonly cached: readonly unknown[];
  readonly failed: readonly unknown[];
  readonly skipped: readonly unknown[];
  readonly seconds: number;
}

/**
 * `table1 (smoke): 36 instances: 30 ran, 6 cached, 0 failed, 0 skipped in 812.4s` (newline included); `ranBy` marks
 * where the work ran (`'slurm'`), omitted for the local engine. The profile is named unless it is the default.
 */
export function runSummaryLine(plan: { pipeline: string; profile: string }, counts: RunOutcomeCounts, ranBy?: string): string {
  const name = `${plan.pipeline}${plan.profile === DEFAULT_PROFILE ? '' : ` (${plan.profile})`}`;
  const total = counts.ran.length + counts.cached.length + counts.failed.length + counts.skipped.length;
  return (
    `${name}: ${total} instances: ${counts.ran.length} ran${ranBy ? ` (${ranBy})` : ''}, ${counts.cached.length} cached, ` +
    `${counts.failed.length} failed, ${counts.skipped.length} skipped in ${counts.seconds.toFixed(1)}s\n`
  );
}
