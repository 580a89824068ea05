/**
 * Describing the trained model an evaluation is about (RunInfo in metrics.json), read from the train output folder:
 * `train-summary.json` first, the engine's `stage.json` (params, seed, key, inputs) second, then the optional noise
 * stage output the pipeline wired to the evaluate stage, and finally the evaluate stage's `tags` param, which wins.
 *
 * Fields read from train-summary.json (each may also sit under `params`): method, backbone, backend (string or
 * {name}), inputSize, seed, spaces (['au','landmarks']; else the `graphs` entries with lambda > 0 for ldl-alsg),
 * k ({au, landmarks} or a number), lambda ({au, landmarks} or a number), noise ({mode, rate, rates}; else the folder of
 * `labels.source` when it is a noise stage's labels.csv, 'none' when it is 'manifest').
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import type { RunInfo } from './metrics-file';

type Json = Record<string, unknown>;

function readJson(file: string): Json | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (cause) {
    throw new AlsgError('E_ARTIFACT', `${file}: not valid JSON`, { file, cause });
  }
}

function first<T>(...values: unknown[]): T | undefined {
  return values.find((v) => v !== undefined && v !== null) as T | undefined;
}

function perSpace(value: unknown, spaces: string[]): Record<string, number> | undefined {
  if (typeof value === 'number') return Object.fromEntries(spaces.map((s) => [s, value]));
  if (value && typeof value === 'object') {
    const out: Record<string, number> = {};
    // Only the spaces in use: an unused space's default weight would read as if it had guided training.
    for (const [k, v] of Object.entries(value as Json)) if (typeof v === 'number' && (spaces.length === 0 || spaces.includes(k))) out[k] = v;
    return out;
  }
  return undefined;
}

/** Noise settings from a noise stage output folder (its stage.json params, else noise-report.json). */
export function readNoiseInfo(dir: string): RunInfo['noise'] {
  const stage = readJson(join(dir, 'stage.json'));
  const report = readJson(join(dir, 'noise-report.json'));
  const params = (stage?.params ?? {}) as Json;
  const mode = first<string>(params.mode, report?.mode);
  if (!mode) throw new AlsgError('E_ARTIFACT', `${dir}: cannot tell the noise mode (no stage.json params.mode or noise-report.json mode)`, { file: dir });
  const rate = first<number>(params.rate, report?.rate);
  const rates = first<number[]>(params.rates, report?.rates);
  return { mode, ...(typeof rate === 'number' ? { rate } : {}), ...(mode === 'abc' && Array.isArray(rates) ? { rates } : {}) };
}

/**
 * Builds RunInfo for the model in `modelDir`.
 * @param noiseDir optional noise stage output the train instance used (wired to the evaluate stage's `labels` input).
 * @param tags the evaluate stage's `tags` param (free-form descriptor overrides).
 */
export function readRunInfo(modelDir: string, noiseDir?: string, tags?: Record<string, string>): RunInfo {
  const summary = readJson(join(modelDir, 'train-summary.json'));
  const stage = readJson(join(modelDir, 'stage.json'));
  if (!summary && !stage) {
    throw new AlsgError('E_ARTIFACT', `${modelDir}: neither train-summary.json nor stage.json found (expected the output of a train stage)`, { file: modelDir });
  }
  const sp = (summary?.params ?? {}) as Json;
  const tp = (stage?.params ?? {}) as Json;
  const method = first<string>(summary?.method, sp.method, tp.method);
  if (!method) throw new AlsgError('E_ARTIFACT', `${modelDir}/train-summary.json: field "method" is missing`, { file: join(modelDir, 'train-summary.json') });
  const lambdaRaw = first(summary?.lambda, sp.lambda, tp.lambda);
  const kRaw = first(summary?.k, sp.k, tp.k);
  let spaces = first<string[]>(summary?.spaces, sp.spaces, tp.spaces);
  const graphs = Array.isArray(summary?.graphs) ? (summary!.graphs as Json[]) : null;
  if (!spaces && graphs) {
    // train-summary.json lists the wired graphs; LDL-ALSG uses those with lambda > 0 (libs/training).
    spaces = method.toLowerCase() === 'ldl-alsg' ? graphs.filter((g) => typeof g.space === 'string' && Number(g.lambda) > 0).map((g) => g.space as string) : [];
  }
  if (!spaces) {
    // Without an explicit list, the spaces are those with a positive guidance weight (LDL-ALSG only).
    const l = perSpace(lambdaRaw, []) ?? {};
    spaces = method.toLowerCase() === 'ldl-alsg' ? Object.keys(l).filter((s) => l[s] > 0) : [];
  }
  const backendRaw = first<unknown>(summary?.backend, sp.backend, tp.backend);
  const backend = typeof backendRaw === 'string' ? backendRaw : backendRaw && typeof backendRaw === 'object' ? String((backendRaw as Json).name ?? 'unknown') : undefined;
  let noise = first<RunInfo['noise']>(summary?.noise, sp.noise);
  if (!noise && noiseDir) noise = readNoiseInfo(noiseDir);
  const labelSource = ((summary?.labels ?? {}) as Json).source;
  if (!noise && typeof labelSource === 'string' && labelSource !== 'manifest') {
    // libs/training records the labels.csv it read; its folder is the noise stage output.
    noise = existsSync(dirname(labelSource)) ? readNoiseInfo(dirname(labelSource)) : { mode: 'unknown' };
  }
  if (!noise && labelSource === 'manifest') noise = { mode: 'none' };
  if (!noise) {
    const inputs = (stage?.inputs ?? {}) as Json;
    const labels = inputs.labels;
    noise = labels === undefined || (Array.isArray(labels) && labels.length === 0) ? { mode: 'none' } : { mode: 'unknown' };
  }
  const seed = first<number>(summary?.seed, sp.seed, stage?.seed, tp.seed);
  const inputSize = first<number>(summary?.inputSize, sp.inputSize, tp.inputSize);
  return {
    method,
    spaces,
    backbone: first<string>(summary?.backbone, sp.backbone, tp.backbone) ?? 'unknown',
    ...(typeof inputSize === 'number' ? { inputSize } : {}),
    ...(backend ? { backend } : {}),
    ...(spaces.length ? { k: perSpace(kRaw, spaces), lambda: perSpace(lambdaRaw, spaces) } : {}),
    noise,
    seed: typeof seed === 'number' ? seed : null,
    trainKey: first<string>(stage?.key) ?? basename(modelDir),
    ...(tags && Object.keys(tags).length ? { tags } : {}),
  };
}
