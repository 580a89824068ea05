/** Prints per-dataset rates used in docs/synthfer.md (agreement, failures) from generateSynthferFeatures. */
import { generateSynthferFeatures, SYNTHFER_DATASETS } from '@ldl-alsg/synthfer';
const n = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? 1);
console.log(`n=${n} per dataset, seed ${seed}`);
console.log('| dataset | label = latent argmax | no face | low confidence (< 0.5) | AU RMSE (observed vs true) | landmark RMSE (px) |');
console.log('|---|---|---|---|---|---|');
for (const d of SYNTHFER_DATASETS) {
  const f = generateSynthferFeatures({ n, domain: d, seed });
  let agree = 0, miss = 0, low = 0, se = 0, m = 0, le = 0, lm = 0;
  for (let i = 0; i < n; i++) {
    let am = 0;
    for (let c = 1; c < 7; c++) if (f.latent[i * 7 + c] > f.latent[i * 7 + am]) am = c;
    if (am === f.labels[i]) agree++;
    if (f.status[i] === 0) { miss++; continue; }
    if (f.status[i] === 2) low++;
    for (let j = 0; j < 17; j++) { se += (f.observedAu[i * 17 + j] - f.trueAu[i * 17 + j]) ** 2; m++; }
    for (let j = 0; j < 136; j++) { le += (f.observedLandmarks[i * 136 + j] - f.trueLandmarks[i * 136 + j]) ** 2; lm++; }
  }
  const pct = (v: number) => `${((100 * v) / n).toFixed(1)}%`;
  console.log(`| ${d} | ${pct(agree)} | ${pct(miss)} | ${pct(low)} | ${Math.sqrt(se / m).toFixed(2)} | ${Math.sqrt(le / lm).toFixed(2)} |`);
}
