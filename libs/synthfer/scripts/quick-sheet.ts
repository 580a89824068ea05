import { writeFileSync } from 'node:fs';
import { DOMAINS, SYNTHFER_DATASETS } from '../src/domains';
import { sampleFace, faceRng } from '../src/face-sample';
import { renderFace } from '../src/render';
import { encodePngGray } from '../src/png';
const size = 64, cols = 7, rows = SYNTHFER_DATASETS.length;
const sheet = new Uint8Array(cols * size * rows * size);
SYNTHFER_DATASETS.forEach((ds, r) => {
  const spec = DOMAINS[ds];
  const split = spec.splits[0];
  const found: number[] = [];
  for (let cls = 0; cls < 7; cls++) {
    for (let i = 0; i < 5000; i++) {
      const f = sampleFace(1, spec, split, i, size);
      if (f.dominant !== cls || f.partner >= 0 || found.includes(i)) continue;
      found.push(i);
      const px = renderFace(f, size, faceRng(1, ds, split, i, 'render'));
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) sheet[(r * size + y) * cols * size + cls * size + x] = px[y * size + x];
      break;
    }
  }
});
writeFileSync(process.argv[2] ?? '/tmp/sheet.png', encodePngGray(sheet, cols * size, rows * size));
