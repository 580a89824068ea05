/**
 * The noise stage's body, shared by `stage.run` and the CLI: read the manifests, apply the protocol, write the outputs.
 */
import { readManifests } from '@ldl-alsg/datasets';
import { makeNoisyLabels, writeNoisyLabels, type NoiseParams, type NoiseReport } from '@ldl-alsg/noise';

/** Runs the noise stage on ingest outputs `datasetDirs`, writing labels.csv and noise-report.json to `outDir`. */
export function runNoise(datasetDirs: readonly string[], params: NoiseParams, seed: number, outDir: string): NoiseReport {
  const { rows } = readManifests(datasetDirs);
  const noisy = makeNoisyLabels(rows, params, seed);
  writeNoisyLabels(outDir, noisy);
  return noisy.report;
}

/** One line per label column, e.g. `label_a: 150 of 3000 train labels changed (5.00%)`. */
export function describeReport(report: NoiseReport): string[] {
  return report.sets.map(
    (s) => `${s.column}: ${s.flipped} of ${report.trainRows} train labels changed (${(100 * s.fraction).toFixed(2)}%, mode ${report.mode}, rate ${s.rate})`,
  );
}
