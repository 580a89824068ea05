/**
 * ExpW (Zhang et al., IJCV 2018): `label/label.lst` with lines `image_name face_id face_box_top face_box_left
 * face_box_right face_box_bottom face_box_confidence expression_label`; images in `image/origin/`. Each face box is
 * cropped (clipped to the image) and written to `images/<image stem>_<face_id>.png`. Codes: 0 angry, 1 disgust, 2 fear,
 * 3 happy, 4 sad, 5 surprise, 6 neutral. ExpW has no official split: every row gets the `split` option (default train).
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { isFile, parseCode, readLines, requirePath } from '../dataset-files';
import type { Adapter, SourceItem } from '../ingest-types';
import { writeFaceCrops, type FaceCrop } from './crops';
import { keepSafe } from './safe-path';
import { FER2013_ORDER } from './fer2013';

const LIST = 'label/label.lst';

export const expwAdapter: Adapter = {
  format: 'expw',
  dataset: 'expw',
  domain: 'wild',
  defaultSplit: 'train',
  defaultSplitMap: {},
  layout: `expw: ${LIST} ("name face_id top left right bottom confidence label") and image/origin/<name>`,
  detect: (root) => isFile(join(root, LIST)),
  async run(ctx) {
    const list = requirePath('expw', ctx.root, [LIST], 'the face list');
    const origin = requirePath('expw', ctx.root, ['image/origin', 'origin'], 'the images folder', 'dir');
    const faces: FaceCrop[] = [];
    for (const { text, line } of readLines(list)) {
      const parts = text.split(/\s+/);
      if (parts.length !== 8) {
        throw new AlsgError('E_INPUT', `${list}:${line}: expected 8 fields (image_name face_id top left right bottom confidence label), but got ${parts.length}`, {
          file: list,
          line,
        });
      }
      ctx.tick();
      const [name, faceId, ...rest] = parts;
      const [top, left, right, bottom, confidence] = rest.slice(0, 5).map(Number);
      if ([top, left, right, bottom, confidence].some((v) => !Number.isFinite(v))) {
        throw new AlsgError('E_INPUT', `${list}:${line}: face box and confidence must be numbers, but got "${rest.slice(0, 5).join(' ')}"`, { file: list, line });
      }
      const code = parseCode(rest[5], 0, 6, list, line, 'expression_label');
      const label = FER2013_ORDER[code];
      if (label.kind === 'drop') continue;
      if (confidence < ctx.options.minFaceConfidence) {
        ctx.collector.skip('low-confidence', list, line, `confidence ${confidence} < ${ctx.options.minFaceConfidence}`);
        continue;
      }
      const id = `${name.replace(/\.[^.]+$/, '')}_${faceId}`;
      if (!keepSafe(ctx, list, line, { image_name: name, face_id: faceId })) continue;
      const item: SourceItem = { id, path: `images/${id}.png`, labelIndex: label.index, split: ctx.options.split, sourceLabel: String(code), file: list, line, written: true };
      if (!ctx.collector.add(item)) continue; // past the limit: no crop to write
      faces.push({ item, source: join(origin, name), box: { left: Math.round(left), top: Math.round(top), right: Math.round(right), bottom: Math.round(bottom) } });
    }
    await writeFaceCrops(ctx, faces);
  },
};
