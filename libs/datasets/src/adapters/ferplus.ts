/**
 * FERPlus (Barsoum et al., ICMI 2016): `fer2013new.csv` with `Usage,Image name,neutral,happiness,surprise,sadness,anger,
 * disgust,fear,contempt,unknown,NF` (10 votes a row, rows aligned with fer2013.csv). Images come from the FERPlus
 * folders `FER2013Train/`, `FER2013Valid/`, `FER2013Test/` (`fer0000000.png`, as FERPlus's generate_training_data.py
 * writes them) when present, else from `fer2013.csv`'s pixels, written to `images/`.
 *
 * - A row with an empty image name is a face-less image in FERPlus: skipped as `no-face`.
 * - Label: FERPlus's "majority" mode: votes of 1 are dropped as outliers, then a category needs more than half of the
 *   remaining votes, else the row is skipped as `no-majority`; contempt / unknown / NF majorities are skipped as
 *   `contempt` / `unknown` / `no-face`.
 * - distribution.npy: the raw votes of the 7 canonical classes, normalised to sum 1 (contempt, unknown, NF votes left
 *   out).
 */
import { join } from 'node:path';
import { readCsv, requireColumns } from '@ldl-alsg/artifacts';
import { AlsgError } from '@ldl-alsg/common';
import { classIndex, NUM_CLASSES } from '@ldl-alsg/labels';
import type { SkipReason } from '../class-names';
import { isDir, isFile, requirePath } from '../dataset-files';
import { writeGrayPng } from '../images';
import type { Adapter, AdapterContext, SourceItem } from '../ingest-types';
import { FER_SIZE, FER_USAGE_SPLITS, parsePixels, streamFer2013 } from './fer-pixels';
import { isInside, keepSafe } from './safe-path';

const VOTE_COLUMNS = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt', 'unknown', 'NF'];
const VOTE_CLASS = ['neutral', 'happy', 'surprise', 'sad', 'anger', 'disgust', 'fear'].map(classIndex);
const DROP_REASON: Record<number, SkipReason> = { 7: 'contempt', 8: 'unknown', 9: 'no-face' };
const FOLDERS: Record<string, string> = { Training: 'FER2013Train', PublicTest: 'FER2013Valid', PrivateTest: 'FER2013Test' };

/** FERPlus majority vote (its `_process_data`, mode "majority"): index into VOTE_COLUMNS, or -1 when no majority. */
export function ferplusMajority(votes: readonly number[]): number {
  const kept = votes.map((v) => (v <= 1 ? 0 : v));
  const sum = kept.reduce((a, b) => a + b, 0);
  const max = Math.max(...kept);
  return sum > 0 && max > 0.5 * sum ? kept.indexOf(max) : -1;
}

export const ferplusAdapter: Adapter = {
  format: 'ferplus',
  dataset: 'ferplus',
  domain: 'wild',
  defaultSplit: 'test',
  defaultSplitMap: FER_USAGE_SPLITS,
  layout: 'ferplus: fer2013new.csv (Usage,Image name,<10 vote columns>) + FER2013Train|Valid|Test/ images or fer2013.csv pixels',
  detect: (root) => isFile(join(root, 'fer2013new.csv')),
  async run(ctx: AdapterContext) {
    const file = requirePath('ferplus', ctx.root, ['fer2013new.csv'], 'the FERPlus votes CSV');
    const table = readCsv(file);
    requireColumns(table, ['Usage', 'Image name', ...VOTE_COLUMNS], file);
    const useFolders = Object.values(FOLDERS).some((f) => isDir(join(ctx.root, f)));
    const pixelsFile = useFolders ? null : requirePath('ferplus', ctx.root, ['fer2013.csv', 'FER2013Train'], 'fer2013.csv (pixels) or the FER2013Train/ image folders');
    const wanted = new Map<number, SourceItem>();
    table.rows.forEach((row, k) => {
      const line = table.lines[k];
      ctx.tick();
      const name = row['Image name'].trim();
      if (name === '') {
        ctx.collector.skip('no-face', file, line, 'empty image name');
        return;
      }
      const votes = VOTE_COLUMNS.map((c) => {
        const v = Number(row[c]);
        if (row[c].trim() === '' || !Number.isInteger(v) || v < 0) {
          throw new AlsgError('E_INPUT', `${file}:${line}: ${c} must be a non-negative integer vote count, but got "${row[c]}"`, { file, line });
        }
        return v;
      });
      const winner = ferplusMajority(votes);
      if (winner < 0) {
        ctx.collector.skip('no-majority', file, line, `votes ${votes.join(' ')}`);
        return;
      }
      if (winner >= NUM_CLASSES) {
        ctx.collector.skip(DROP_REASON[winner], file, line, `majority ${VOTE_COLUMNS[winner]}`);
        return;
      }
      const split = ctx.collector.split(row.Usage, file, line);
      if (split === null) return;
      const distribution = new Float64Array(NUM_CLASSES);
      const sum = votes.slice(0, NUM_CLASSES).reduce((a, b) => a + b, 0);
      for (let c = 0; c < NUM_CLASSES; c++) distribution[VOTE_CLASS[c]] = votes[c] / sum;
      const id = name.replace(/\.[^.]+$/, '');
      if (!keepSafe(ctx, file, line, { 'Image name': name })) return;
      const folder = FOLDERS[row.Usage] ?? row.Usage;
      const item: SourceItem = {
        id,
        path: pixelsFile ? `images/${id}.png` : join(ctx.root, folder, name),
        labelIndex: VOTE_CLASS[winner],
        split,
        sourceLabel: VOTE_COLUMNS[winner],
        distribution,
        file,
        line,
        written: pixelsFile !== null,
      };
      ctx.collector.add(item);
      wanted.set(k, item);
    });
    if (!pixelsFile) return;
    const pending: Promise<void>[] = [];
    let rows: number;
    try {
      rows = await streamFer2013(pixelsFile, async (row) => {
        const item = wanted.get(row.index);
        if (!item) return;
        const pixels = parsePixels(row.pixels);
        if (typeof pixels === 'string') {
          // The item is already a row; a malformed pixel row in the aligned file is an error, not a skip.
          throw new AlsgError('E_INPUT', `${pixelsFile}:${row.line}: ${pixels} (needed for ${file}:${item.line})`, { file: pixelsFile, line: row.line });
        }
        const target = join(ctx.imagesDir, `${item.id}.png`);
        // keepSafe() vetted the id; this is the last line of defence before a write.
        if (!isInside(ctx.imagesDir, target)) throw new Error(`ferplus: ${target} is outside ${ctx.imagesDir} (an unsafe id passed the check)`);
        pending.push(writeGrayPng(target, pixels, FER_SIZE, FER_SIZE));
        if (pending.length >= 16) await Promise.all(pending.splice(0));
      });
      await Promise.all(pending);
    } finally {
      // On an error, let in-flight PNG writes finish before the caller removes the staging folder (no stray rejections).
      await Promise.allSettled(pending);
    }
    if (rows !== table.rows.length) {
      throw new AlsgError('E_INPUT', `${pixelsFile}: has ${rows} data rows but ${file} has ${table.rows.length}; FERPlus rows must align with fer2013.csv`, {
        file: pixelsFile,
      });
    }
  },
};
