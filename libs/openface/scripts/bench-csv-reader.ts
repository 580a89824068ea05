/**
 * How fast the openface-csv mode reads OpenFace CSVs (one file per image, OpenFace's `-2Dfp -aus` columns with ", "
 * separators, 1-2 faces). Prints files/s and the projection to a paper-size run (300,000 images).
 *
 *   npx tsx libs/openface/scripts/bench-csv-reader.ts [count]     (default 20000)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AU_COLUMNS, LANDMARK_COLUMNS } from '@ldl-alsg/labels';
import { readOpenFaceCsv } from '../src/index';

const count = Number(process.argv[2] ?? 20000);
const dir = mkdtempSync(join(tmpdir(), 'bench-ofcsv-'));
mkdirSync(dir, { recursive: true });
const header = ['face', 'confidence', ...LANDMARK_COLUMNS, ...AU_COLUMNS, ...AU_COLUMNS.map((c) => c.replace('_r', '_c')), 'AU28_c'].join(', ');
for (let i = 0; i < count; i++) {
  const faces = i % 10 === 0 ? 2 : 1;
  const lines = [header];
  for (let f = 0; f < faces; f++) {
    const cells = [String(f), (0.9 - f * 0.4).toFixed(3)];
    for (let k = 0; k < 136; k++) cells.push((100 + ((i * 7 + k * 13) % 300) + 0.1 * f).toFixed(1));
    for (let k = 0; k < 17; k++) cells.push((((i + k) % 500) / 100).toFixed(2));
    for (let k = 0; k < 18; k++) cells.push('0.00');
    lines.push(cells.join(', '));
  }
  writeFileSync(join(dir, `img${i}.csv`), lines.join('\n') + '\n');
}
const t = performance.now();
let ok = 0;
for (let i = 0; i < count; i++) if (readOpenFaceCsv(join(dir, `img${i}.csv`), 0.5).status === 'ok') ok++;
const s = (performance.now() - t) / 1000;
console.log(`read ${count} OpenFace CSVs (${ok} ok) in ${s.toFixed(2)} s = ${Math.round(count / s)} files/s; 300,000 images -> ~${Math.round((300000 / count) * s)} s`);
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
rmSync(dir, { recursive: true, force: true });
