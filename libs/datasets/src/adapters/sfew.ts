/**
 * SFEW 2.0 (Dhall et al., ICCV-W 2011): `Train/<Class>/*.png`, `Val/<Class>/*.png` with classes Angry, Disgust, Fear,
 * Happy, Neutral, Sad, Surprise. The test split is unlabelled: its images are skipped as `unlabelled`, one record each.
 */
import { join, relative } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { mapClassName } from '../class-names';
import { isDir, isImageFile, listDir, requirePath } from '../dataset-files';
import type { Adapter } from '../ingest-types';
import { keepSafe } from './safe-path';

const SFEW_CLASSES = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'];
const LABELLED = ['Train', 'Val'];

/** All image files under `dir`, recursively, in natural order. */
function imagesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of listDir(dir)) {
    const full = join(dir, name);
    if (isDir(full)) out.push(...imagesUnder(full));
    else if (isImageFile(name)) out.push(full);
  }
  return out;
}

export const sfewAdapter: Adapter = {
  format: 'sfew',
  dataset: 'sfew',
  domain: 'wild',
  // The paper uses SFEW only as a test set, and only its labelled Val images can be scored: Val -> test.
  defaultSplit: 'test',
  defaultSplitMap: { Train: 'train', Val: 'test' },
  layout: `sfew: Train/<Class>/*.png and Val/<Class>/*.png, classes ${SFEW_CLASSES.join(' ')}`,
  detect: (root) => LABELLED.some((s) => isDir(join(root, s)) && listDir(join(root, s)).some((c) => SFEW_CLASSES.includes(c))),
  async run(ctx) {
    if (!LABELLED.some((s) => isDir(join(ctx.root, s)))) requirePath('sfew', ctx.root, LABELLED, 'the Train/ or Val/ folder', 'dir');
    let ignored = 0;
    for (const set of LABELLED) {
      const dir = join(ctx.root, set);
      if (!isDir(dir)) {
        ctx.log(`sfew: no ${set}/ folder; reading the other split only`);
        continue;
      }
      for (const cls of listDir(dir)) {
        const classDir = join(dir, cls);
        if (!isDir(classDir)) {
          ignored++;
          continue;
        }
        const mapping = mapClassName(cls);
        if (mapping === null || !SFEW_CLASSES.some((c) => c.toLowerCase() === cls.toLowerCase())) {
          throw new AlsgError('E_INPUT', `sfew: ${classDir}: class folder must be one of ${SFEW_CLASSES.join(', ')}, but got "${cls}"`, { file: classDir });
        }
        for (const image of imagesUnder(classDir)) {
          ctx.tick();
          const split = ctx.collector.split(set, image);
          if (split === null) continue;
          if (mapping.kind === 'drop') {
            ctx.collector.skip(mapping.reason, image);
            continue;
          }
          const id = relative(ctx.root, image).replace(/\.[^./]+$/, '');
          if (!keepSafe(ctx, image, undefined, { 'file name': id })) continue;
          ctx.collector.add({ id, path: image, labelIndex: mapping.index, split, subject: undefined, sourceLabel: cls, file: image });
        }
      }
    }
    // Listing the root (not probing 'Test' and 'test') keeps case-insensitive file systems from counting images twice.
    for (const testName of listDir(ctx.root).filter((n) => n.toLowerCase() === 'test')) {
      for (const image of imagesUnder(join(ctx.root, testName))) {
        ctx.tick();
        ctx.collector.skip('unlabelled', image, undefined, 'SFEW test images carry no label');
      }
    }
    if (ignored > 0) ctx.collector.notes.ignoredFiles = ignored;
  },
};
