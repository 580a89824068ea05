/**
 * The noise stage's body, shared by `stage.run` and the CLI: read the manifests, apply the protocol, write the outputs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { readNpy } from '@ldl-alsg/artifacts';
import { readManifests } from '@ldl-alsg/datasets';
import { argmaxRows } from '@ldl-alsg/labels';
import { makeNoisyLabels, writeNoisyLabels, type NoiseParams, type NoiseReport } from '@ldl-alsg/noise';

/** Runs the noise stage on ingest outputs `datasetDirs`, writing labels.csv and noise-report.json to `outDir`. */
export function runNoise(datasetDirs: readonly string[], params: NoiseParams, seed: number, outDir: string): NoiseReport {
  const { rows } = readManifests(datasetDirs);
  const noisy = makeNoisyLabels(rows, params, seed, params.mode === 'truth' ? readTrueArgmax(datasetDirs, rows.length) : undefined);
  writeNoisyLabels(outDir, noisy);
  return noisy.report;
}

/** One line per label column, e.g. `label_a: 150 of 3000 train labels changed (5.00%)`. */
export function describeReport(report: NoiseReport): string[] {
  return report.sets.map(
    (s) => `${s.column}: ${s.flipped} of ${report.trainRows} train labels changed (${(100 * s.fraction).toFixed(2)}%, mode ${report.mode}, rate ${s.rate})`,
  );
}

/** Argmax of each row's true label distribution (`distribution.npy` of every ingest output, concatenated in order). */
function readTrueArgmax(datasetDirs: readonly string[], numRows: number): Int32Array {
  const out = new Int32Array(numRows);
  let offset = 0;
  for (const dir of datasetDirs) {
    const file = join(dir, 'distribution.npy');
    if (!existsSync(file)) throw new AlsgError('E_INPUT', `${file}: not found; noise mode truth needs the true label distributions (the synthetic benchmark writes them)`, { file });
    const dist = readNpy(file);
    const [n, c] = dist.shape;
    if (dist.shape.length !== 2 || c !== 7) throw new AlsgError('E_ARTIFACT', `${file}: shape must be [n, 7], but got [${dist.shape.join(', ')}]`, { file });
    out.set(argmaxRows(dist.data, c), offset);
    offset += n;
  }
  if (offset !== numRows) throw new AlsgError('E_ARTIFACT', `noise: distribution.npy files hold ${offset} rows, but the manifests ${numRows}`);
  return out;
}
