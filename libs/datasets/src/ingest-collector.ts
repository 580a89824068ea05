/**
 * Collects what an adapter finds: manifest rows (in source order, ids checked for duplicates) and skipped items with
 * their reason, file and line. Nothing is written until the whole source has been read, so an error halfway leaves no
 * manifest behind.
 */
import { AlsgError } from '@ldl-alsg/common';
import { CLASSES, NUM_CLASSES } from '@ldl-alsg/labels';
import type { Split } from './manifest';
import type { SkipReason } from './class-names';

function where(file: string, line?: number): string {
  return line === undefined ? file : `${file}:${line}`;
}

/** One manifest row as an adapter found it, with where it came from (for duplicate and skip messages). */
export interface SourceItem {
  /** Unique id, without the dataset prefix (the collector adds `<dataset>/`). */
  id: string;
  /** Absolute path of an image to validate, or a path relative to the output folder for images ingest wrote itself. */
  path: string;
  /** Index into CLASSES. */
  labelIndex: number;
  split: Split;
  subject?: string;
  /** The label as the source wrote it (code or name). */
  sourceLabel: string;
  /** Real label distribution over CLASSES (sums to 1), when the source has one. */
  distribution?: ArrayLike<number>;
  /** The file (and 1-based line) the item came from. */
  file: string;
  line?: number;
  /** True for images ingest wrote itself (FER2013 pixels, ExpW crops): no need to validate. */
  written?: boolean;
}

/** Where a skip came from and why; listed in ingest-report.json. */
export interface SkipRecord {
  reason: SkipReason;
  file: string;
  line?: number;
  detail?: string;
}

export class IngestCollector {
  readonly items: SourceItem[] = [];
  readonly skips: SkipRecord[] = [];
  /** Format-specific facts for the report (e.g. how many crowd distributions matched), merged into ingest-report.json. */
  readonly notes: Record<string, unknown> = {};
  private readonly ids = new Map<string, { file: string; line?: number }>();
  private readonly perSplit = new Map<string, number>();
  /** Rows not kept because their split already had `limit` rows. */
  overLimit = 0;

  constructor(
    /** Manifest `dataset` value and id prefix. */
    readonly dataset: string,
    /** Manifest `domain` value. */
    readonly domain: 'wild' | 'lab',
    /** Source split name -> manifest split (defaults merged with the user's splitMap). */
    readonly splitMap: Record<string, Split | 'skip'>,
    /** Rows kept per split, the first found (0: all); the `limit` ingest option. */
    readonly limit = 0,
  ) {}

  /**
   * Adds a row; a second item with the same id is an error naming both places. Returns false (and keeps nothing) when
   * the item's split already holds `limit` rows, so adapters that write images (crops, FER2013 pixels) skip the work.
   */
  add(item: SourceItem): boolean {
    if (this.limit > 0) {
      const n = this.perSplit.get(item.split) ?? 0;
      if (n >= this.limit) {
        this.overLimit++;
        return false;
      }
      this.perSplit.set(item.split, n + 1);
    }
    const previous = this.ids.get(item.id);
    if (previous) {
      throw new AlsgError(
        'E_INPUT',
        `${where(item.file, item.line)}: duplicate id "${this.dataset}/${item.id}" (first seen at ${where(previous.file, previous.line)})`,
        { file: item.file, line: item.line },
      );
    }
    if (item.distribution && item.distribution.length !== NUM_CLASSES) {
      // An internal invariant: adapters build distributions over CLASSES themselves; no input file can change the length.
      throw new Error(`IngestCollector.add: distribution must have ${NUM_CLASSES} values, but got ${item.distribution.length}`);
    }
    this.ids.set(item.id, { file: item.file, line: item.line });
    this.items.push(item);
    return true;
  }

  /** Removes rows (e.g. crops that failed after they were listed); their skips must be recorded by the caller. */
  removeItems(remove: ReadonlySet<SourceItem>): void {
    const kept = this.items.filter((item) => !remove.has(item));
    for (const item of remove) this.ids.delete(item.id);
    this.items.splice(0, this.items.length, ...kept);
  }

  /** Records an item that will not become a row. */
  skip(reason: SkipReason, file: string, line?: number, detail?: string): void {
    this.skips.push({ reason, file, line, detail });
  }

  /**
   * Maps a source split name through the split map. Returns null (and records a `split-excluded` skip) when the map says
   * `skip`; an unknown name is an error naming the file, the line and the names the map knows.
   */
  split(sourceSplit: string, file: string, line?: number): Split | null {
    const mapped = this.splitMap[sourceSplit];
    if (mapped === undefined) {
      throw new AlsgError(
        'E_INPUT',
        `${where(file, line)}: split "${sourceSplit}" is not one of ${Object.keys(this.splitMap).join(', ')} (add it to splitMap to map it to train, val, test or skip)`,
        { file, line },
      );
    }
    if (mapped === 'skip') {
      this.skip('split-excluded', file, line, `split ${sourceSplit}`);
      return null;
    }
    return mapped;
  }

  /** Count of rows per class, in CLASSES order (for tests and logs). */
  classCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(CLASSES.map((c) => [c, 0]));
    for (const item of this.items) counts[CLASSES[item.labelIndex]]++;
    return counts;
  }

  /** Number of skips per reason. */
  skipCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.skips) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
    return counts;
  }
}
