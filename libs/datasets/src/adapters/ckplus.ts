/**
 * CK+ (Lucey et al., CVPR-W 2010): frames `cohn-kanade-images/S005/001/S005_001_00000011.png`, labels
 * `Emotion/S005/001/S005_001_00000011_emotion.txt` holding one float such as `   3.0000000e+00` for the peak frame of
 * the 327 labelled sequences. Codes: 0 neutral, 1 anger, 2 contempt, 3 disgust, 4 fear, 5 happy, 6 sadness, 7 surprise.
 *
 * The paper's protocol (Sec. 4.1): the first frame of each labelled sequence is neutral and its last (peak) frame carries
 * the sequence's label: 327 neutral + 309 expressive = 636 images, because the 18 contempt peaks are dropped (counted as
 * `contempt`) while their neutral first frames are kept. Unlabelled sequences are skipped as `unlabelled`, one record per
 * sequence.
 */
import { basename, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { classIndex } from '@ldl-alsg/labels';
import { codeTable } from '../class-names';
import { isDir, isImageFile, listDir, parseCode, readLines, requirePath } from '../dataset-files';
import type { Adapter } from '../ingest-types';
import { keepSafe } from './safe-path';

export const CKPLUS_ORDER = codeTable(['neutral', 'anger', { drop: 'contempt' }, 'disgust', 'fear', 'happy', 'sad', 'surprise']);

export const ckplusAdapter: Adapter = {
  format: 'ckplus',
  dataset: 'ckplus',
  domain: 'lab',
  defaultSplit: 'test',
  defaultSplitMap: {},
  layout: 'ckplus: cohn-kanade-images/<S>/<seq>/<frames>.png and Emotion/<S>/<seq>/<S>_<seq>_<frame>_emotion.txt',
  detect: (root) => isDir(join(root, 'cohn-kanade-images')) && isDir(join(root, 'Emotion')),
  async run(ctx) {
    const images = requirePath('ckplus', ctx.root, ['cohn-kanade-images'], 'the frames folder', 'dir');
    const emotions = requirePath('ckplus', ctx.root, ['Emotion'], 'the labels folder', 'dir');
    const split = ctx.options.split;
    const neutral = classIndex('neutral');
    for (const subject of listDir(images)) {
      if (!isDir(join(images, subject))) continue;
      for (const seq of listDir(join(images, subject))) {
        const seqDir = join(images, subject, seq);
        if (!isDir(seqDir)) continue;
        ctx.tick();
        const frames = listDir(seqDir).filter(isImageFile);
        const labelDir = join(emotions, subject, seq);
        const labelFiles = listDir(labelDir).filter((n) => n.endsWith('_emotion.txt'));
        if (labelFiles.length === 0) {
          ctx.collector.skip('unlabelled', seqDir, undefined, 'no emotion file');
          continue;
        }
        if (labelFiles.length > 1) {
          throw new AlsgError('E_INPUT', `ckplus: ${labelDir}: expected one *_emotion.txt, but found ${labelFiles.join(', ')}`, { file: labelDir });
        }
        const labelFile = join(labelDir, labelFiles[0]);
        const lines = readLines(labelFile);
        if (lines.length !== 1) {
          throw new AlsgError('E_INPUT', `${labelFile}: expected one number such as 3.0000000e+00, but found ${lines.length} non-blank lines`, { file: labelFile });
        }
        const code = parseCode(lines[0].text, 0, 7, labelFile, lines[0].line, 'emotion code');
        // The label belongs to the frame the emotion file names (the sequence's last, peak frame).
        const peakName = basename(labelFile).replace(/_emotion\.txt$/, '');
        const peak = frames.find((f) => f.replace(/\.[^.]+$/, '') === peakName);
        if (!peak) {
          throw new AlsgError('E_INPUT', `${labelFile}: names frame ${peakName}, but ${seqDir} has no such image (found ${frames.slice(-3).join(', ') || 'no images'})`, {
            file: labelFile,
          });
        }
        const first = frames[0];
        if (first === peak) {
          ctx.collector.skip('short-sequence', seqDir, undefined, 'the first frame is the peak frame');
          continue;
        }
        const stemOf = (f: string): string => `${subject}/${seq}/${f.replace(/\.[^.]+$/, '')}`;
        // Names come from the disk, so only a backslash (legal in a Linux name) can make an id unsafe.
        if (!keepSafe(ctx, seqDir, undefined, { 'first frame': stemOf(first), 'peak frame': stemOf(peak) })) continue;
        ctx.collector.add({ id: stemOf(first), path: join(seqDir, first), labelIndex: neutral, split, subject, sourceLabel: 'first-frame', file: labelFile });
        const mapping = CKPLUS_ORDER[code];
        if (mapping.kind === 'drop') {
          ctx.collector.skip(mapping.reason, labelFile, lines[0].line, `peak frame ${peak}`);
          continue;
        }
        ctx.collector.add({ id: stemOf(peak), path: join(seqDir, peak), labelIndex: mapping.index, split, subject, sourceLabel: String(code), file: labelFile, line: lines[0].line });
      }
    }
  },
};
