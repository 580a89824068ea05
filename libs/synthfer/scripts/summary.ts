/**
 * Prints the summary statistics tables of docs/synthfer.md, measured on a generated set (default profile, seed 1,
 * without pixels or CSV files: the statistics do not depend on them).
 *
 *   npx tsx libs/synthfer/scripts/summary.ts [profile=default] [seed=1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSES } from '@ldl-alsg/labels';
import { generateSynthfer, type SynthferProfile } from '../src/index';

const profile = (process.argv[2] ?? 'default') as SynthferProfile;
const seed = Number(process.argv[3] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'synthfer-summary-'));
try {
  const r = await generateSynthfer({ profile, seed, render: false, openface: false, workers: 0 }, dir);
  console.log(`Measured on profile ${profile}, seed ${seed}: ${r.n} faces.\n`);
  console.log('Published label frequencies (%) and agreement:\n');
  console.log(`| set | n | ${CLASSES.join(' | ')} | label = latent argmax | label = dominant | no face | low conf. | 2 faces |`);
  console.log(`|---|---|${CLASSES.map(() => '---').join('|')}|---|---|---|---|---|`);
  for (const s of r.splits) {
    const f = (v: number) => ((100 * v) / s.n).toFixed(1);
    console.log(
      `| ${s.dataset}/${s.split} | ${s.n} | ${CLASSES.map((c) => f(s.labels[c])).join(' | ')} | ${f(s.agreementWithLatentArgmax * s.n)} | ${f(s.agreementWithDominant * s.n)} | ${f(s.openface.noFace)} | ${f(s.openface.lowConfidence)} | ${f(s.openface.twoFaces)} |`,
    );
  }
  console.log('\nMean true AU intensity per dominant class, measured (prototype mean = intensity x prevalence in brackets):\n');
  const a = r.auByClass;
  console.log(`| class | n | ${a.aus.join(' | ')} |`);
  console.log(`|---|---|${a.aus.map(() => '---').join('|')}|`);
  a.measured.forEach((row, k) => {
    console.log(`| ${CLASSES[k]} | ${a.n[k]} | ${row.map((v, j) => `${v.toFixed(2)}${a.prototype[k][j] > 0 ? ` (${a.prototype[k][j].toFixed(1)})` : ''}`).join(' | ')} |`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
