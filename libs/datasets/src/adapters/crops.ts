/**
 * Face crops for sources that store whole images plus a face box (ExpW always, AffectNet's CSV release with cropFaces):
 * each box is clipped to its image and written as `images/<id>.png`. Faces whose crop fails are removed from the rows
 * afterwards, in source order, each recorded with its reason (missing-image, unreadable, bad-box, unsafe-path).
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { isFile } from '../dataset-files';
import { cropToPng, forEachLimit, imageSize, type Box } from '../images';
import type { AdapterContext, SourceItem } from '../ingest-types';
import { isInside } from './safe-path';

export interface FaceCrop {
  /** The row (already added, path `images/<id>.png`, written: true). */
  item: SourceItem;
  /** Absolute path of the whole image. */
  source: string;
  /** Face box in the source's pixels (may extend past its edges). */
  box: Box;
}

/** Writes every crop; records and removes the ones that fail. */
export async function writeFaceCrops(ctx: AdapterContext, faces: readonly FaceCrop[]): Promise<void> {
  const failed = new Map<SourceItem, { reason: 'missing-image' | 'unreadable' | 'bad-box' | 'unsafe-path'; detail: string }>();
  const sizes = new Map<string, Promise<{ width: number; height: number } | string>>();
  await forEachLimit(faces, 4, async (face) => {
    if (!isFile(face.source)) {
      failed.set(face.item, { reason: 'missing-image', detail: `${face.source} does not exist` });
      return;
    }
    if (!sizes.has(face.source)) sizes.set(face.source, imageSize(face.source));
    const size = await sizes.get(face.source)!;
    if (typeof size === 'string') {
      failed.set(face.item, { reason: 'unreadable', detail: `${face.source}: ${size}` });
      return;
    }
    const box: Box = {
      left: Math.max(0, face.box.left),
      top: Math.max(0, face.box.top),
      right: Math.min(size.width, face.box.right),
      bottom: Math.min(size.height, face.box.bottom),
    };
    if (box.right - box.left < 1 || box.bottom - box.top < 1) {
      const b = face.box;
      failed.set(face.item, { reason: 'bad-box', detail: `box left ${b.left} top ${b.top} right ${b.right} bottom ${b.bottom} is empty inside ${size.width}x${size.height}` });
      return;
    }
    const target = join(ctx.imagesDir, `${face.item.id}.png`);
    // Adapters vet ids with keepSafe(); this is the last line of defence before a write.
    if (!isInside(ctx.imagesDir, target)) {
      failed.set(face.item, { reason: 'unsafe-path', detail: `id ${JSON.stringify(face.item.id)} would write ${target}, outside the output's images/` });
      return;
    }
    try {
      await cropToPng(face.source, box, target);
    } catch (err) {
      failed.set(face.item, { reason: 'unreadable', detail: `${face.source}: ${(err as Error).message.split('\n')[0]}` });
    }
  });
  if (failed.size === 0) return;
  for (const face of faces) {
    const f = failed.get(face.item);
    if (!f) continue;
    const at = `${face.item.file}${face.item.line ? `:${face.item.line}` : ''}`;
    if ((f.reason === 'missing-image' || f.reason === 'unreadable') && ctx.options.onBadImage === 'error') throw new AlsgError('E_INPUT', `${at}: ${f.reason}: ${f.detail}`, { file: face.item.file, line: face.item.line });
    ctx.collector.skip(f.reason, face.item.file, face.item.line, f.detail);
  }
  ctx.collector.removeItems(new Set(failed.keys()));
}
