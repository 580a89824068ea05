/**
 * Reproduces docs/images/synthfer-contact-sheet.png: one face per class (columns: neutral, happy, sad, surprise, fear,
 * disgust, anger) and dataset (rows: affectnet-syn, raf-syn, sfew-syn, ckplus-syn, cfee-syn, mmi-syn, oulu-syn), 64x64
 * each, shown at 2x. Each cell is the first face (seed 1, the dataset's first split) whose dominant class is the column's,
 * with no compound partner and whose published label agrees, i.e. a typical clean example, not a hand-picked one.
 *
 *   npx tsx libs/synthfer/scripts/contact-sheet.ts [out.png]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DOMAINS, SYNTHFER_DATASETS } from '../src/domains';
import { faceRng, sampleFace } from '../src/face-sample';
import { encodePngGray } from '../src/png';
import { renderFace } from '../src/render';

const out = process.argv[2] ?? 'docs/images/synthfer-contact-sheet.png';
const size = 64;
const zoom = 2;
const gap = 4;
const cols = 7;
const rows = SYNTHFER_DATASETS.length;
const W = cols * (size * zoom + gap) + gap;
const H = rows * (size * zoom + gap) + gap;
const sheet = new Uint8Array(W * H).fill(255);
SYNTHFER_DATASETS.forEach((ds, r) => {
  const spec = DOMAINS[ds];
  const split = spec.splits[0];
  for (let cls = 0; cls < cols; cls++) {
    for (let i = 0; i < 20000; i++) {
      const f = sampleFace(1, spec, split, i, size);
      if (f.dominant !== cls || f.partner >= 0 || f.label !== cls) continue;
      const px = renderFace(f, size, faceRng(1, ds, split, i, 'render'));
      const ox = gap + cls * (size * zoom + gap);
      const oy = gap + r * (size * zoom + gap);
      for (let y = 0; y < size * zoom; y++) {
        for (let x = 0; x < size * zoom; x++) sheet[(oy + y) * W + ox + x] = px[Math.floor(y / zoom) * size + Math.floor(x / zoom)];
      }
      break;
    }
  }
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, encodePngGray(sheet, W, H));
console.log(`wrote ${out} (${W}x${H}: rows ${SYNTHFER_DATASETS.join(', ')}; columns neutral..anger)`);
