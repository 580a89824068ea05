/**
 * Benchmark of the synthetic benchmark generator: images per second and peak RSS at two sizes, each in a fresh child
 * process (so peak RSS belongs to one run), rendering PNGs and writing OpenFace CSVs like the default profile.
 * Memory should be flat in the number of images (streamed outputs), and speed constant.
 *
 *   npx tsx tools/bench/synthfer.ts [small=4000] [large=20000] [workers=2]
 *
 * Prints a table plus the machine load (`uptime`), since these 2-core machines are shared: under load, wall-clock
 * images/s understates the generator; images per CPU-second (all threads of the process) is the steadier figure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSynthfer } from '@ldl-alsg/synthfer';

/**
 * Generates into `dir` and leaves the files there: the parent deletes every row's output only after the last row. On
 * ext4, creating a file skips inodes freed in the last minute or so (the kernel's `recently_deleted`, which a perf
 * profile showed at ~15% of all samples), so deleting 8,000-80,000 files right before the next row made that row pay
 * for its predecessor's cleanup.
 */
async function child(n: number, workers: number, render: boolean, dir: string): Promise<void> {
  // All images go to affectnet-syn/train (the bulk of every profile).
  const sizes: Record<string, number> = { 'affectnet-syn/train': n };
  for (const key of ['affectnet-syn/val', 'affectnet-syn/test', 'raf-syn/train', 'raf-syn/test', 'sfew-syn/test', 'ckplus-syn/test', 'cfee-syn/test', 'mmi-syn/test', 'oulu-syn/test']) sizes[key] = 0;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await generateSynthfer({ profile: 'smoke', seed: 1, sizes, workers, render }, dir);
  const s = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ n, workers: r.workers, render, seconds: s, imagesPerSecond: n / s, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMb, mbWritten: r.bytesWritten / 1e6 }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] !== 'false', process.argv[6]);
    return;
  }
  const small = Number(process.argv[2] ?? 4000);
  const large = Number(process.argv[3] ?? 20000);
  const workers = Number(process.argv[4] ?? 2);
  const self = fileURLToPath(import.meta.url);
  console.log(`synthfer benchmark, 64x64 PNG + OpenFace CSV per image; load before: ${execFileSync('uptime').toString().trim()}`);
  console.log('| images | workers | render | seconds | images/s | CPU s (all threads) | images per CPU-s | peak RSS (MB) | MB written |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const runs: [number, number, boolean][] = [[small, workers, true], [large, workers, true], [small, 0, true], [large, 0, false]];
  const dirs: string[] = [];
  try {
    for (const [n, w, render] of runs) {
      const dir = mkdtempSync(join(tmpdir(), 'synthfer-bench-'));
      dirs.push(dir);
      const res = spawnSync(process.execPath, [...process.execArgv, self, '--child', String(n), String(w), String(render), dir], { encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
      const r = JSON.parse(res.stdout.trim().split('\n').pop()!);
      console.log(`| ${r.n} | ${r.workers} | ${r.render} | ${r.seconds.toFixed(1)} | ${r.imagesPerSecond.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${(r.n / r.cpuSeconds).toFixed(0)} | ${r.maxRssMb.toFixed(0)} | ${r.mbWritten.toFixed(1)} |`);
    }
    console.log(`load after: ${execFileSync('uptime').toString().trim()}`);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
