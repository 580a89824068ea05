/**
 * Generic CSV manifest: `path,label[,split,subject,sequence,frame,id]`, where `--root` is the CSV file itself or a folder
 * holding `labels.csv`. Paths are relative to the CSV's folder (or absolute); labels are class names as the folder
 * reader accepts them (neutral, happy, ..., Angry, happiness, contempt -> dropped). A `split` column is mapped through
 * splitMap (default train/val/test); without one (or in an empty cell) a row gets the `split` option.
 *
 * Sequence protocols (ckplus, mmi, oulu) group rows by the `sequence` column (required then), in `frame` order when that
 * column exists, else in file order; every row of a sequence must carry the same label. With the cfee protocol, labels
 * that are not basic classes are skipped as `non-basic` instead of being an error.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readCsv, requireColumns } from '@ldl-alsg/artifacts';
import { AlsgError } from '@ldl-alsg/common';
import { ACCEPTED_CLASS_NAMES, mapClassName } from '../class-names';
import { isDir, isFile, requirePath } from '../dataset-files';
import type { Adapter, AdapterContext } from '../ingest-types';
import type { Split } from '../manifest';
import { isSequenceProtocol } from '../sequence-protocols';
import { addSequence, type Frame } from './sequences';
import { keepSafe, unsafePathReason } from './safe-path';

interface CsvFrame extends Frame {
  label: string;
  split: Split;
  subject?: string;
  order: number;
}

/**
 * The row's id: the id column, or else the path as written (backslashes as /, extension dropped). A path that would make
 * an unsafe id (absolute, with `..`) gives the resolved absolute path without its root instead (`/data/x.png` ->
 * `data/x`), so the id never climbs out of a folder when a later stage joins it to one.
 */
function csvId(written: string, resolved: string): string {
  const id = written.replace(/\\/g, '/').replace(/\.[^./]+$/, '');
  if (unsafePathReason(id) === null) return id;
  return resolved.replace(/\\/g, '/').replace(/^([A-Za-z]:)?\/+/, '').replace(/\.[^./]+$/, '');
}

export const csvAdapter: Adapter = {
  format: 'csv',
  dataset: 'csv',
  domain: 'lab',
  defaultSplit: 'test',
  defaultSplitMap: { train: 'train', val: 'val', test: 'test' },
  layout: 'csv: a CSV file (or <root>/labels.csv) with columns path,label[,split,subject,sequence,frame,id]',
  detect: (root) => (isFile(root) && root.toLowerCase().endsWith('.csv')) || isFile(join(root, 'labels.csv')),
  async run(ctx: AdapterContext) {
    const file = isDir(ctx.root) ? requirePath('csv', ctx.root, ['labels.csv'], 'the CSV manifest') : ctx.root;
    if (!isFile(file)) throw new AlsgError('E_INPUT', `csv: expected a CSV file (or a folder holding labels.csv) at ${file}, but it does not exist`, { file });
    const base = dirname(file);
    const table = readCsv(file);
    requireColumns(table, ['path', 'label'], file);
    const protocol = ctx.options.protocol;
    const sequential = isSequenceProtocol(protocol);
    if (sequential) requireColumns(table, ['sequence'], file);
    const hasSplit = table.header.includes('split');
    const sequences = new Map<string, CsvFrame[]>();
    table.rows.forEach((row, k) => {
      const line = table.lines[k];
      ctx.tick();
      if (row.path.trim() === '') throw new AlsgError('E_INPUT', `${file}:${line}: path is empty`, { file, line });
      // An empty split cell takes the `split` option, like a CSV without the column.
      const split = hasSplit && row.split.trim() !== '' ? ctx.collector.split(row.split.trim(), file, line) : ctx.options.split;
      if (split === null) return;
      if (!keepSafe(ctx, file, line, row.id?.trim() ? { id: row.id.trim() } : {})) return;
      // The path is only read (absolute and ../ paths are the user's choice), but a NUL byte is never a real name.
      if (row.path.includes('\0')) return void ctx.collector.skip('unsafe-path', file, line, 'path holds a NUL byte');
      const path = isAbsolute(row.path) ? row.path : resolve(base, row.path);
      const id = csvId(row.id?.trim() || row.path.trim(), path);
      const subject = row.subject?.trim() || undefined;
      const mapping = mapClassName(row.label);
      if (mapping === null && protocol !== 'cfee') {
        throw new AlsgError('E_INPUT', `${file}:${line}: label must be one of ${ACCEPTED_CLASS_NAMES.join(', ')}, but got "${row.label}"`, { file, line });
      }
      if (sequential) {
        const key = row.sequence.trim();
        if (key === '') throw new AlsgError('E_INPUT', `${file}:${line}: sequence is empty (protocol ${protocol} groups rows by it)`, { file, line });
        const order = row.frame !== undefined && row.frame.trim() !== '' ? Number(row.frame) : k;
        if (!Number.isFinite(order)) throw new AlsgError('E_INPUT', `${file}:${line}: frame must be a number, but got "${row.frame}"`, { file, line });
        const list = sequences.get(key) ?? [];
        list.push({ id, path, file, line, label: row.label.trim(), split, subject, order });
        sequences.set(key, list);
        return;
      }
      if (mapping === null) ctx.collector.skip('non-basic', file, line, `label "${row.label}"`);
      else if (mapping.kind === 'drop') ctx.collector.skip(mapping.reason, file, line);
      else ctx.collector.add({ id, path, labelIndex: mapping.index, split, subject, sourceLabel: row.label.trim(), file, line });
    });
    for (const [key, frames] of sequences) {
      const first = frames[0];
      const other = frames.find((f) => f.label !== first.label || f.split !== first.split);
      if (other) {
        throw new AlsgError(
          'E_INPUT',
          `${file}:${other.line}: sequence "${key}" has label/split "${other.label}/${other.split}" but its first row (line ${first.line}) has "${first.label}/${first.split}"`,
          { file, line: other.line },
        );
      }
      frames.sort((a, b) => a.order - b.order);
      addSequence(ctx, protocol as 'ckplus' | 'mmi' | 'oulu', frames, mapClassName(first.label)!, first.split, first.subject, first.label, `${file}:${first.line} (sequence ${key})`);
    }
  },
};
