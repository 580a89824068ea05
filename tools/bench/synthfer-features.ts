/**
 * Speed of generateSynthferFeatures (no pixels, no files), the graph benchmark's source of AU and landmark features.
 *   npx tsx tools/bench/synthfer-features.ts [n=20000]
 */
import { execFileSync } from 'node:child_process';
import { generateSynthferFeatures } from '@ldl-alsg/synthfer';

const n = Number(process.argv[2] ?? 20000);
const t = performance.now();
const c0 = process.cpuUsage();
const f = generateSynthferFeatures({ n, seed: 1, domain: 'affectnet-syn' });
const s = (performance.now() - t) / 1000;
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1e6;
let ok = 0;
for (let i = 0; i < n; i++) if (f.status[i] === 1) ok++;
console.log(`generateSynthferFeatures n=${n}: ${s.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s, ${(n / s).toFixed(0)} faces/s wall, ${(n / cpu).toFixed(0)} faces per CPU-s; status ok ${ok}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load ${execFileSync('uptime').toString().trim()}`);
