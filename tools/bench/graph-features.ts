/**
 * Features for tools/bench/graph.ts: synthfer's `generateSynthferFeatures` when @ldl-alsg/synthfer exports it, else a
 * clearly labelled STAND-IN with the same shapes and a comparable structure (7 expression prototypes mixed per image,
 * identity variation, pose, measurement noise). The stand-in exists only so the benchmark can run before synthfer's
 * generator does; figures measured on it are reported as such.
 */
import { Rng } from '@ldl-alsg/common';

export interface BenchFeatures {
  /** [n, 17] AU intensities (0..5). */
  au: Float32Array;
  /** [n, 136] landmarks, x_0..x_67 then y_0..y_67, pixels. */
  landmarks: Float32Array;
  /** Where the features came from (printed with every figure). */
  source: string;
}

interface SynthferFeaturesLike {
  n: number;
  observedAu: Float32Array;
  observedLandmarks: Float32Array;
  /** 0 no face, 1 ok, 2 low confidence. */
  status: Int32Array;
}
type Generator = (args: { n: number; seed: number; dataset: string; split: string; start?: number }) => SynthferFeaturesLike;

/**
 * Loads synthfer's generator if present (`forceStandin` skips it). The graph stage uses the train rows whose extract status
 * is ok, so this keeps the faces whose simulated OpenFace observation is ok (status 1) and generates further faces
 * (continuing the same sequence via `start`) until `n` such rows exist: the graph then holds exactly n training images.
 */
export async function loadBenchFeatures(n: number, seed: number, forceStandin = false): Promise<BenchFeatures> {
  if (!forceStandin) {
    let gen: Generator | undefined;
    try {
      // A variable specifier keeps this file type-checking whatever synthfer exports.
      const specifier = '@ldl-alsg/synthfer';
      gen = ((await import(specifier)) as Record<string, unknown>).generateSynthferFeatures as Generator | undefined;
    } catch (err) {
      console.warn(`graph bench: @ldl-alsg/synthfer not usable (${(err as Error).message.split('\n')[0]}); using the stand-in`);
    }
    if (typeof gen === 'function') {
      const au = new Float32Array(n * 17);
      const landmarks = new Float32Array(n * 136);
      let kept = 0;
      let generated = 0;
      while (kept < n) {
        const batch = Math.min(50_000, Math.ceil((n - kept) * 1.1));
        const f = gen({ n: batch, seed, dataset: 'affectnet-syn', split: 'train', start: generated });
        for (let i = 0; i < f.n && kept < n; i++) {
          if (f.status[i] !== 1) continue;
          au.set(f.observedAu.subarray(i * 17, (i + 1) * 17), kept * 17);
          landmarks.set(f.observedLandmarks.subarray(i * 136, (i + 1) * 136), kept * 136);
          kept++;
        }
        generated += batch;
      }
      return {
        au,
        landmarks,
        source: `@ldl-alsg/synthfer generateSynthferFeatures (affectnet-syn train, seed ${seed}): observed OpenFace AUs/landmarks of the first ${n} faces with status ok (of ${generated} generated)`,
      };
    }
  }
  return standinFeatures(n, seed);
}

/** A rough 68-point iBUG face (jaw, brows, nose, eyes, mouth) in a 112-pixel frame. */
function baseShape(): Float64Array {
  const pts: [number, number][] = [];
  for (let i = 0; i < 17; i++) {
    const a = Math.PI * (i / 16);
    pts.push([56 - 44 * Math.cos(a), 50 + 50 * Math.sin(a)]);
  }
  for (let i = 0; i < 10; i++) pts.push([20 + i * 8 + (i >= 5 ? 8 : 0), 38 - 4 * Math.sin((Math.PI * (i % 5)) / 4)]);
  for (let i = 0; i < 4; i++) pts.push([56, 45 + i * 6]);
  for (let i = 0; i < 5; i++) pts.push([46 + i * 5, 70 - (i === 2 ? 2 : 0)]);
  for (const cx of [36, 76]) for (let i = 0; i < 6; i++) pts.push([cx + 8 * Math.cos((Math.PI * i) / 3), 48 + 3 * Math.sin((Math.PI * i) / 3)]);
  for (let i = 0; i < 12; i++) pts.push([56 + 16 * Math.cos((Math.PI * i) / 6), 86 + 6 * Math.sin((Math.PI * i) / 6)]);
  for (let i = 0; i < 8; i++) pts.push([56 + 10 * Math.cos((Math.PI * i) / 4), 86 + 2 * Math.sin((Math.PI * i) / 4)]);
  const out = new Float64Array(136);
  pts.forEach(([x, y], i) => {
    out[i] = x;
    out[68 + i] = y;
  });
  return out;
}

/** The stand-in: see the file comment. Seeded; ~2 s for 300k rows. */
export function standinFeatures(n: number, seed: number): BenchFeatures {
  const rng = new Rng(seed, 'graph-bench-standin');
  const C = 7;
  // AU prototypes: each expression drives 3-5 AUs at intensity 1.5-4.
  const auProto = Array.from({ length: C }, () => {
    const p = new Float64Array(17);
    const m = 3 + rng.int(3);
    for (let j = 0; j < m; j++) p[rng.int(17)] = rng.range(1.5, 4);
    return p;
  });
  // Landmark expression displacements (pixels) and identity shape modes.
  const lmProto = Array.from({ length: C }, () => Float64Array.from({ length: 136 }, () => rng.normal(0, 2.5)));
  const idModes = Array.from({ length: 10 }, () => Float64Array.from({ length: 136 }, () => rng.normal(0, 0.6)));
  const base = baseShape();
  const au = new Float32Array(n * 17);
  const landmarks = new Float32Array(n * 136);
  const shape = new Float64Array(136);
  for (let i = 0; i < n; i++) {
    const a = rng.int(C);
    const b = rng.int(C);
    const wa = rng.range(0.3, 1.2);
    const wb = rng.range(0, 0.4);
    for (let j = 0; j < 17; j++) {
      const v = wa * auProto[a][j] + wb * auProto[b][j] + rng.normal(0, 0.3);
      au[i * 17 + j] = Math.min(5, Math.max(0, v));
    }
    for (let j = 0; j < 136; j++) shape[j] = base[j] + wa * lmProto[a][j] + wb * lmProto[b][j];
    for (const mode of idModes) {
      const z = rng.normal();
      for (let j = 0; j < 136; j++) shape[j] += z * mode[j];
    }
    const s = rng.range(0.9, 1.1);
    const th = rng.normal(0, 0.08);
    const tx = rng.normal(0, 3);
    const ty = rng.normal(0, 3);
    const cos = Math.cos(th) * s;
    const sin = Math.sin(th) * s;
    for (let p = 0; p < 68; p++) {
      const x = shape[p] - 56;
      const y = shape[68 + p] - 56;
      landmarks[i * 136 + p] = 56 + cos * x - sin * y + tx + rng.normal(0, 0.7);
      landmarks[i * 136 + 68 + p] = 56 + sin * x + cos * y + ty + rng.normal(0, 0.7);
    }
  }
  return { au, landmarks, source: `STAND-IN (tools/bench/graph-features.ts: 7 prototypes + identity + pose + noise; synthfer generator not available), n=${n}, seed=${seed}` };
}
