/**
 * Generic folder-per-class reader: `<root>/<class>/<image>`, optionally under split folders
 * (`<root>/<train|val|test>/<class>/...`) and subject folders (`<root>/<subject>/<class>/...`). Class folder names are
 * matched case-insensitively with the usual spellings (Angry, happiness, surprised, ...); contempt is dropped and counted.
 *
 * With a sequence protocol (ckplus, mmi, oulu) every folder holding images is one sequence, its frames in natural name
 * order (frame_2 before frame_10), e.g. Oulu-CASIA's `<subject>/<Class>/000.jpeg ...`. With the cfee protocol, folders
 * whose name is not a basic class (CFEE's compound expressions) are skipped as `non-basic` instead of being an error.
 */
import { join, relative, sep } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { ACCEPTED_CLASS_NAMES, mapClassName, type LabelMapping } from '../class-names';
import { isDir, isImageFile, listDir, requirePath } from '../dataset-files';
import type { Adapter, AdapterContext } from '../ingest-types';
import type { Split } from '../manifest';
import { isSequenceProtocol } from '../sequence-protocols';
import { addSequence, type Frame } from './sequences';
import { keepSafe } from './safe-path';

/** Folders that directly hold images, each with its image names, in natural order. */
function imageFolders(dir: string, out: { dir: string; images: string[] }[] = []): { dir: string; images: string[] }[] {
  const names = listDir(dir);
  const images = names.filter(isImageFile);
  if (images.length > 0) out.push({ dir, images });
  for (const name of names) if (isDir(join(dir, name))) imageFolders(join(dir, name), out);
  return out;
}

/** How a folder path reads: its split (source name), class and subject components. */
export interface FolderPath {
  sourceSplit?: string;
  mapping: LabelMapping | null;
  className?: string;
  subject?: string;
}

/** Reads the components of a folder path relative to the root (pure; exported for tests). */
export function parseFolderPath(parts: readonly string[], splitNames: readonly string[]): FolderPath {
  let rest = [...parts];
  let sourceSplit: string | undefined;
  if (rest.length > 0 && splitNames.includes(rest[0])) {
    sourceSplit = rest[0];
    rest = rest.slice(1);
  }
  // The class is the folder nearest to the images whose name is a class.
  let classAt = -1;
  for (let k = rest.length - 1; k >= 0; k--) {
    if (mapClassName(rest[k]) !== null) {
      classAt = k;
      break;
    }
  }
  // The subject is the first folder above the class folder (Oulu-CASIA `<subject>/<Class>/`, CFEE `<subject>/<class>/`).
  return {
    sourceSplit,
    mapping: classAt >= 0 ? mapClassName(rest[classAt]) : null,
    className: classAt >= 0 ? rest[classAt] : rest[rest.length - 1],
    subject: classAt > 0 ? rest[0] : undefined,
  };
}

export const folderAdapter: Adapter = {
  format: 'folder',
  dataset: 'folder',
  domain: 'lab',
  defaultSplit: 'test',
  defaultSplitMap: { train: 'train', val: 'val', test: 'test' },
  layout: 'folder: <class>/<image> (optionally under <train|val|test>/ or <subject>/), class = neutral, happy, sad, surprise, fear, disgust, anger (or angry, happiness, ...)',
  detect: (root) => {
    const top = listDir(root).filter((n) => isDir(join(root, n)));
    return top.length > 0 && top.every((n) => mapClassName(n) !== null || ['train', 'val', 'test'].includes(n));
  },
  async run(ctx: AdapterContext) {
    requirePath('folder', ctx.root, ['.'], 'the dataset folder', 'dir');
    const protocol = ctx.options.protocol;
    const splitNames = Object.keys(ctx.collector.splitMap);
    const folders = imageFolders(ctx.root);
    if (folders.length === 0) {
      throw new AlsgError('E_INPUT', `folder: ${ctx.root} holds no images (expected ${folderAdapter.layout})`, { file: ctx.root });
    }
    for (const { dir, images } of folders) {
      const rel = relative(ctx.root, dir);
      const parsed = parseFolderPath(rel === '' ? [] : rel.split(sep), splitNames);
      let split: Split | null = ctx.options.split;
      if (parsed.sourceSplit !== undefined) split = ctx.collector.split(parsed.sourceSplit, dir);
      if (split === null) {
        ctx.tick(images.length);
        continue;
      }
      if (parsed.mapping === null) {
        if (protocol === 'cfee' && rel !== '') {
          for (const image of images) ctx.collector.skip('non-basic', join(dir, image), undefined, `class folder "${parsed.className}"`);
          ctx.tick(images.length);
          continue;
        }
        throw new AlsgError(
          'E_INPUT',
          `folder: ${dir}: no class folder in "${rel || '.'}"; the folder holding the images (or one above it) must be named one of ${ACCEPTED_CLASS_NAMES.join(', ')}`,
          { file: dir },
        );
      }
      const frames: Frame[] = images
        .map((name) => ({
          id: join(rel, name).split(sep).join('/').replace(/\.[^./]+$/, ''),
          path: join(dir, name),
          file: join(dir, name),
        }))
        // File names come from the disk, so only a backslash (legal in a Linux name) can make an id unsafe.
        .filter((f) => keepSafe(ctx, f.file, undefined, { 'file name': f.id }));
      ctx.tick(images.length);
      if (isSequenceProtocol(protocol)) {
        addSequence(ctx, protocol as 'ckplus' | 'mmi' | 'oulu', frames, parsed.mapping, split, parsed.subject, parsed.className ?? '', dir);
        continue;
      }
      for (const f of frames) {
        if (parsed.mapping.kind === 'drop') ctx.collector.skip(parsed.mapping.reason, f.file);
        else ctx.collector.add({ id: f.id, path: f.path, labelIndex: parsed.mapping.index, split, subject: parsed.subject, sourceLabel: parsed.className ?? '', file: f.file });
      }
    }
  },
};
