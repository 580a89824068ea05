/**
 * FER2013 (Goodfellow et al., 2013): `fer2013.csv` with `emotion,pixels,Usage`; each row's 48x48 grey pixels are
 * written to `images/<id>.png` in the output (ids `fer0000000`, FERPlus's names, so both sets line up). Codes: 0 angry,
 * 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral. Usage Training / PublicTest / PrivateTest.
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { codeTable } from '../class-names';
import { isFile, parseCode, requirePath } from '../dataset-files';
import { writeGrayPng } from '../images';
import type { Adapter } from '../ingest-types';
import { FER_SIZE, FER_USAGE_SPLITS, ferImageName, parsePixels, streamFer2013 } from './fer-pixels';

export const FER2013_ORDER = codeTable(['anger', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);

export const fer2013Adapter: Adapter = {
  format: 'fer2013',
  dataset: 'fer2013',
  domain: 'wild',
  defaultSplit: 'test',
  defaultSplitMap: FER_USAGE_SPLITS,
  layout: 'fer2013: fer2013.csv (emotion,pixels,Usage; 2304 grey values per row)',
  detect: (root) => isFile(join(root, 'fer2013.csv')),
  async run(ctx) {
    const file = requirePath('fer2013', ctx.root, ['fer2013.csv'], 'the pixels CSV');
    const pending: Promise<void>[] = [];
    try {
      await streamFer2013(file, async (row) => {
        ctx.tick();
        const code = parseCode(row.emotion, 0, 6, file, row.line, 'emotion');
        const label = FER2013_ORDER[code];
        const split = ctx.collector.split(row.usage, file, row.line);
        if (split === null || label.kind === 'drop') return;
        const pixels = parsePixels(row.pixels);
        if (typeof pixels === 'string') {
          if (ctx.options.onBadImage === 'error') throw new AlsgError('E_INPUT', `${file}:${row.line}: ${pixels}`, { file, line: row.line });
          ctx.collector.skip('unreadable', file, row.line, pixels);
          return;
        }
        const id = ferImageName(row.index);
        if (!ctx.collector.add({ id, path: `images/${id}.png`, labelIndex: label.index, split, sourceLabel: String(code), file, line: row.line, written: true })) return;
        pending.push(writeGrayPng(join(ctx.imagesDir, `${id}.png`), pixels, FER_SIZE, FER_SIZE));
        // Bound the number of in-flight encodes so memory stays flat on the 35k-row file.
        if (pending.length >= 16) await Promise.all(pending.splice(0));
      });
      await Promise.all(pending);
    } finally {
      // On an error, let in-flight PNG writes finish before the caller removes the staging folder (no stray rejections).
      await Promise.allSettled(pending);
    }
  },
};
