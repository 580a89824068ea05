/**
 * AffectNet, manually annotated part (Mollahosseini et al., 2017). Two layouts:
 * - CSV release: `training.csv`, `validation.csv` (at the root or in `Manually_Annotated_file_lists/`) with columns
 *   `subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal`; images under
 *   `Manually_Annotated_Images/<subDirectory_filePath>`.
 * - Newer release: `train_set/images/<n>.jpg` + `train_set/annotations/<n>_exp.npy` (and `val_set/...`).
 * Codes: 0 neutral, 1 happy, 2 sad, 3 surprise, 4 fear, 5 disgust, 6 anger (the canonical order), 7 contempt, 8 none,
 * 9 uncertain, 10 no-face; 7-10 are dropped and counted.
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { codeTable } from '../class-names';
import { isDir, isFile, listDir, parseCode, requirePath, streamCsv } from '../dataset-files';
import { readNpyScalar } from '../npy-scalar';
import type { Adapter, AdapterContext } from '../ingest-types';
import { writeFaceCrops, type FaceCrop } from './crops';
import { keepSafe } from './safe-path';

const AFFECTNET_ORDER = codeTable([
  'neutral',
  'happy',
  'sad',
  'surprise',
  'fear',
  'disgust',
  'anger',
  { drop: 'contempt' },
  { drop: 'none' },
  { drop: 'uncertain' },
  { drop: 'no-face' },
]);
const CSV_DIRS = ['', 'Manually_Annotated_file_lists'];
const IMAGE_DIRS = ['Manually_Annotated_Images', 'Manually_Annotated/Manually_Annotated_Images'];
const NPY_SETS = ['train_set', 'val_set'];

function hasNpyLayout(root: string): boolean {
  return NPY_SETS.some((s) => isDir(join(root, s, 'annotations')));
}

async function runCsvLayout(ctx: AdapterContext): Promise<void> {
  const files = (['training', 'validation'] as const).map((name) => ({
    name,
    file: CSV_DIRS.map((d) => join(ctx.root, d, `${name}.csv`)).find(isFile),
  }));
  if (files.every((f) => f.file === undefined)) {
    requirePath('affectnet', ctx.root, ['training.csv', 'Manually_Annotated_file_lists/training.csv', 'train_set/annotations'], 'training.csv / validation.csv or train_set/annotations/');
  }
  const imageDir = requirePath('affectnet', ctx.root, IMAGE_DIRS, 'the images folder', 'dir');
  const crops: FaceCrop[] = [];
  for (const { name, file } of files) {
    if (!file) {
      ctx.log(`affectnet: no ${name}.csv found; reading the other file only`);
      continue;
    }
    // Streamed: the training list is ~290k rows with 68 landmark pairs each.
    const required = ['subDirectory_filePath', 'expression', ...(ctx.options.cropFaces ? ['face_x', 'face_y', 'face_width', 'face_height'] : [])];
    await streamCsv(file, required, (row, line) => {
      const code = parseCode(row.expression, 0, 10, file, line, 'expression');
      ctx.tick();
      const mapping = AFFECTNET_ORDER[code];
      if (mapping.kind === 'drop') {
        ctx.collector.skip(mapping.reason, file, line, `expression ${code}`);
        return;
      }
      const split = ctx.collector.split(name, file, line);
      if (split === null) return;
      const rel = row.subDirectory_filePath.trim();
      const id = rel.replace(/\.[^./]+$/, '');
      if (!keepSafe(ctx, file, line, { subDirectory_filePath: rel })) return;
      if (!ctx.options.cropFaces) {
        ctx.collector.add({ id, path: join(imageDir, rel), labelIndex: mapping.index, split, sourceLabel: String(code), file, line });
        return;
      }
      const [x, y, w, h] = ['face_x', 'face_y', 'face_width', 'face_height'].map((c) => Number(row[c]));
      if (![x, y, w, h].every(Number.isFinite)) {
        throw new AlsgError('E_INPUT', `${file}:${line}: face_x, face_y, face_width, face_height must be numbers, but got "${row.face_x},${row.face_y},${row.face_width},${row.face_height}"`, {
          file,
          line,
        });
      }
      const item = { id, path: `images/${id}.png`, labelIndex: mapping.index, split, sourceLabel: String(code), file, line, written: true };
      if (!ctx.collector.add(item)) return; // past the limit: no crop to write
      crops.push({ item, source: join(imageDir, rel), box: { left: Math.round(x), top: Math.round(y), right: Math.round(x + w), bottom: Math.round(y + h) } });
    });
  }
  if (crops.length > 0) await writeFaceCrops(ctx, crops);
}

function runNpyLayout(ctx: AdapterContext): void {
  for (const set of NPY_SETS) {
    const annotations = join(ctx.root, set, 'annotations');
    if (!isDir(annotations)) {
      ctx.log(`affectnet: no ${set}/annotations folder; skipping that set`);
      continue;
    }
    const images = requirePath('affectnet', ctx.root, [join(set, 'images')], `the ${set} images folder`, 'dir');
    const imageNames = new Map(listDir(images).map((n) => [n.replace(/\.[^.]+$/, ''), n]));
    for (const entry of listDir(annotations)) {
      const m = /^(.+)_exp\.npy$/.exec(entry);
      if (!m) continue; // _lnd, _val, _aro: landmarks and valence/arousal, not used here
      const file = join(annotations, entry);
      if (!keepSafe(ctx, file, undefined, { 'annotation name': m[1] })) continue;
      const code = parseCode(readNpyScalar(file), 0, 10, file, 1, 'expression');
      ctx.tick();
      const mapping = AFFECTNET_ORDER[code];
      if (mapping.kind === 'drop') {
        ctx.collector.skip(mapping.reason, file, undefined, `expression ${code}`);
        continue;
      }
      const split = ctx.collector.split(set, file);
      if (split === null) continue;
      const image = imageNames.get(m[1]) ?? `${m[1]}.jpg`;
      ctx.collector.add({ id: `${set}/${m[1]}`, path: join(images, image), labelIndex: mapping.index, split, sourceLabel: String(code), file });
    }
  }
}

export const affectnetAdapter: Adapter = {
  format: 'affectnet',
  dataset: 'affectnet',
  domain: 'wild',
  // The paper tests on AffectNet's validation set (its test set is not released): validation -> test by default.
  defaultSplit: 'test',
  defaultSplitMap: { training: 'train', validation: 'test', train_set: 'train', val_set: 'test' },
  layout:
    'affectnet: training.csv/validation.csv (subDirectory_filePath,...,expression) + Manually_Annotated_Images/, or train_set|val_set/annotations/<n>_exp.npy + images/<n>.jpg',
  detect: (root) => hasNpyLayout(root) || CSV_DIRS.some((d) => isFile(join(root, d, 'training.csv')) || isFile(join(root, d, 'validation.csv'))),
  async run(ctx) {
    if (hasNpyLayout(ctx.root)) runNpyLayout(ctx);
    else await runCsvLayout(ctx);
  },
};
