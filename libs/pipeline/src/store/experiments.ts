/**
 * Experiments from the store alone (`alsg exp show`, `alsg diff`; DVC's `exp show` / `params diff` / `metrics diff` are
 * the model): one row per stage instance folder, with where it came from (pipeline, profile, instance), whether it is
 * the current result of that address, its parameters and its key metrics.
 *
 * Why rows come from address records as well as from stage.json: a content-addressed result is shared, so the folder of
 * an ingest used by Table 1 and Table 7 records only the pipeline that produced it first. `.addresses/<pipeline>/
 * <profile>/<instance>.json` says which key each address last completed with; every such address is a row ("current"),
 * and a folder no address points to any more is a row of its own ("old": an earlier result kept in the store).
 *
 * The files read are the stage contracts of docs/contracts.md: `stage.json` (every stage), `train-summary.json` and
 * `train-log.jsonl` (train), `metrics.json` (evaluate). A file that is missing or unreadable leaves its columns empty;
 * reading the store never fails on one damaged result.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactDir, readAddressRecord, readStageRecord } from './artifact-store';

/** Whether a row is the latest result of its address, or an earlier one still in the store. */
export type ExperimentStatus = 'current' | 'old';

/** One stage instance result as `alsg exp show` lists it. */
export interface ExperimentRow {
  readonly stage: string;
  /** Content key (the store folder's name). */
  readonly key: string;
  readonly dir: string;
  readonly pipeline: string;
  readonly profile: string;
  readonly instance: string;
  readonly status: ExperimentStatus;
  readonly seed?: number;
  /** ISO time the instance finished. */
  readonly finished?: string;
  /** Wall seconds of the instance. */
  readonly seconds?: number;
  /**
   * Parameters, flattened to dotted names (`lambda.au`): the resolved params of stage.json (schema defaults included);
   * evaluate rows add the params of the train instance they scored, and keep their own under `eval.`.
   */
  readonly params: Readonly<Record<string, unknown>>;
  /** Parameter names the pipeline file set (not defaults): the "varying" ones shown by default. */
  readonly written: readonly string[];
  /** Descriptors that are results, not settings (variant, backend, noise). */
  readonly info: Readonly<Record<string, string>>;
  /** Key metrics (numbers), e.g. `all`, `wild`, `acc.raf-syn`, `kl`, `val.acc`. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface ReadExperimentsOptions {
  /** Stages to read (default all stage folders). */
  stages?: readonly string[];
}

/** Flattens nested objects to dotted names; arrays and scalars are leaves. */
export function flattenParams(value: Readonly<Record<string, unknown>>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) Object.assign(out, flattenParams(v as Record<string, unknown>, name));
    else if (!(v && typeof v === 'object' && !Array.isArray(v))) out[name] = v;
  }
  return out;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The last per-epoch record (`epochEnd`) of the last phase in a train-log.jsonl, if any. */
export function lastEpochRecord(logFile: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].includes('"epochEnd"')) continue;
    try {
      return JSON.parse(lines[i]) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Metrics and descriptors of a train result: final loss, last-epoch train/validation accuracy, speed. */
export function trainResults(dir: string): { metrics: Record<string, number>; info: Record<string, string> } {
  const metrics: Record<string, number> = {};
  const info: Record<string, string> = {};
  const summary = readJson(join(dir, 'train-summary.json'));
  if (summary) {
    if (typeof summary.variant === 'string') info.variant = summary.variant;
    const backend = summary.backend as { name?: string } | undefined;
    if (backend?.name) info.backend = backend.name;
    const final = num((summary.finalLosses as Record<string, unknown> | undefined)?.total);
    if (final !== undefined) metrics['train.loss'] = final;
    const seconds = num(summary.trainSeconds);
    const images = num(summary.samples);
    const epochs = num((summary.params as Record<string, unknown> | undefined)?.epochs);
    if (seconds && images && epochs) metrics['images/s'] = (images * epochs) / seconds;
  }
  const last = lastEpochRecord(join(dir, 'train-log.jsonl'));
  if (last) {
    const put = (name: string, v: unknown): void => {
      const n = num(v);
      if (n !== undefined) metrics[name] = n;
    };
    put('train.acc', last.trainAccuracy);
    put('val.loss', last.valLoss);
    put('val.acc', last.valAccuracy);
  }
  return { metrics, info };
}

/** Metrics of an evaluate result: per-set accuracy, Wild / Lab / All, the pooled LDL metrics and ECE. */
export function evaluateResults(dir: string): { metrics: Record<string, number>; info: Record<string, string> } {
  const metrics: Record<string, number> = {};
  const info: Record<string, string> = {};
  const m = readJson(join(dir, 'metrics.json'));
  if (!m) return { metrics, info };
  const averages = (m.averages ?? {}) as Record<string, unknown>;
  for (const k of ['all', 'wild', 'lab']) {
    const v = num(averages[k]);
    if (v !== undefined) metrics[k] = v;
  }
  for (const set of (m.sets ?? []) as Array<Record<string, unknown>>) {
    const v = num(set.accuracy);
    if (typeof set.dataset === 'string' && v !== undefined) metrics[`acc.${set.dataset}`] = v;
  }
  const pooled = (m.pooled ?? {}) as Record<string, unknown>;
  const ece = num(pooled.ece);
  if (ece !== undefined) metrics.ece = ece;
  for (const [k, v] of Object.entries((pooled.ldl ?? {}) as Record<string, unknown>)) {
    if (k !== 'n' && num(v) !== undefined) metrics[k] = v as number;
  }
  const run = (m.run ?? {}) as Record<string, unknown>;
  const noise = run.noise as Record<string, unknown> | undefined;
  if (noise?.mode) info.noise = noise.mode === 'none' ? 'none' : `${String(noise.mode)}${noise.rate !== undefined ? ` ${String(noise.rate)}` : ''}`;
  if (typeof run.backend === 'string') info.backend = run.backend;
  return { metrics, info };
}

interface AddressRef {
  pipeline: string;
  profile: string;
  instance: string;
  stage: string;
  key: string;
}

/** Every address record under `<store>/.addresses` (pipeline, profile, instance -> stage, key). */
export function readAddressRecords(storeDir: string): AddressRef[] {
  const root = join(storeDir, '.addresses');
  const out: AddressRef[] = [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir).sort();
    } catch {
      return [];
    }
  };
  for (const pipeline of list(root)) {
    for (const profile of list(join(root, pipeline))) {
      for (const file of list(join(root, pipeline, profile))) {
        if (!file.endsWith('.json')) continue;
        const rec = readJson(join(root, pipeline, profile, file));
        if (typeof rec?.stage !== 'string' || typeof rec.key !== 'string') continue;
        out.push({ pipeline, profile, instance: decodeURIComponent(file.slice(0, -'.json'.length)), stage: rec.stage, key: rec.key });
      }
    }
  }
  return out;
}

/** Completed instance folders of a stage (names that are keys; temporary and lock files skipped). */
function storedKeys(storeDir: string, stage: string): string[] {
  try {
    return readdirSync(join(storeDir, stage)).filter((k) => /^[0-9a-f]{20}$/.test(k) && existsSync(join(storeDir, stage, k, 'stage.json')));
  } catch {
    return [];
  }
}

/** Stage folders of the store (names without a leading dot). */
function storedStages(storeDir: string): string[] {
  try {
    return readdirSync(storeDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  } catch {
    return [];
  }
}

/** readStageRecord, each stage.json read once (an evaluation's row also reads the train instance it evaluates). */
function stageRecordReader(storeDir: string): (stage: string, key: string) => Record<string, unknown> | undefined {
  const records = new Map<string, Record<string, unknown> | undefined>();
  return (stage, key) => {
    const id = `${stage}/${key}`;
    if (!records.has(id)) records.set(id, readStageRecord(storeDir, { stage, key }));
    return records.get(id);
  };
}

/** The paper's steps in pipeline order (rows sort by it). */
const STAGE_ORDER = ['ingest', 'extract', 'graph', 'noise', 'train', 'evaluate', 'report'];

/**
 * Reads the store into experiment rows: every address's current result, then every stored result no address points
 * to (old). Sorted by pipeline, profile, instance, then finish time.
 */
export function readExperiments(storeDir: string, options: ReadExperimentsOptions = {}): ExperimentRow[] {
  const stages = new Set(options.stages ?? storedStages(storeDir));
  const recordOf = stageRecordReader(storeDir);
  const rows: ExperimentRow[] = [];
  const pointed = new Set<string>();
  for (const ref of readAddressRecords(storeDir)) {
    if (!stages.has(ref.stage)) continue;
    const rec = recordOf(ref.stage, ref.key);
    if (!rec) continue;
    pointed.add(`${ref.stage}/${ref.key}`);
    rows.push(buildRow(storeDir, ref, rec, 'current', recordOf));
  }
  for (const stage of stages) {
    for (const key of storedKeys(storeDir, stage)) {
      if (pointed.has(`${stage}/${key}`)) continue;
      const rec = recordOf(stage, key);
      if (!rec) continue;
      const ref = { pipeline: String(rec.pipeline ?? '?'), profile: String(rec.profile ?? '?'), instance: String(rec.instance ?? '?'), stage, key };
      rows.push(buildRow(storeDir, ref, rec, 'old', recordOf));
    }
  }
  // Stages in pipeline order (a train before the evaluation of it), then instance names, then older results first.
  const rank = (stage: string): string => String(STAGE_ORDER.indexOf(stage) < 0 ? 9 : STAGE_ORDER.indexOf(stage));
  const order = (r: ExperimentRow): string => `${r.pipeline}\u0000${r.profile}\u0000${rank(r.stage)}${r.stage}\u0000${r.instance}\u0000${r.finished ?? ''}`;
  return rows.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * One stored result as a row: `ref` names the address it is shown under (default: the one its stage.json records);
 * its status is current when that address's record points at this key. Undefined when the folder holds no stage.json.
 */
export function readExperiment(storeDir: string, loc: { stage: string; key: string }, ref?: { pipeline: string; profile: string; instance: string }): ExperimentRow | undefined {
  const recordOf = stageRecordReader(storeDir);
  const rec = recordOf(loc.stage, loc.key);
  if (!rec) return undefined;
  const at = ref ?? { pipeline: String(rec.pipeline ?? '?'), profile: String(rec.profile ?? '?'), instance: String(rec.instance ?? '?') };
  // The one address record, not every record in the store: `alsg diff` calls this once per instance of a plan.
  const current = readAddressRecord(storeDir, at.pipeline, at.profile, at.instance)?.key === loc.key;
  return buildRow(storeDir, { ...at, ...loc }, rec, current ? 'current' : 'old', recordOf);
}

/** Stage folders holding a result under `key` (a full key, or a prefix of at least 6 hex digits). */
export function findStoredKey(storeDir: string, key: string): Array<{ stage: string; key: string }> {
  return storedStages(storeDir).flatMap((stage) => storedKeys(storeDir, stage).filter((k) => k.startsWith(key)).map((k) => ({ stage, key: k })));
}

function buildRow(
  storeDir: string,
  ref: AddressRef,
  rec: Record<string, unknown>,
  status: ExperimentStatus,
  recordOf: (stage: string, key: string) => Record<string, unknown> | undefined,
): ExperimentRow {
  const dir = artifactDir(storeDir, ref);
  const own = (rec.params ?? {}) as Record<string, unknown>;
  let params = flattenParams(own);
  let written = Object.keys(flattenParams((rec.writtenParams ?? {}) as Record<string, unknown>));
  let seed = num(rec.seed);
  let results: { metrics: Record<string, number>; info: Record<string, string> } = { metrics: {}, info: {} };
  if (ref.stage === 'train') results = trainResults(dir);
  if (ref.stage === 'evaluate') {
    results = evaluateResults(dir);
    // An evaluation's own settings rarely vary; what it is an evaluation OF is the train instance's parameters.
    const modelKey = ((rec.inputKeys ?? {}) as Record<string, string[]>).model?.[0];
    const train = modelKey ? recordOf('train', modelKey) : undefined;
    const evalParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [`eval.${k}`, v]));
    const evalWritten = written.map((k) => `eval.${k}`);
    params = { ...flattenParams((train?.params ?? {}) as Record<string, unknown>), ...evalParams };
    written = [...Object.keys(flattenParams((train?.writtenParams ?? {}) as Record<string, unknown>)), ...evalWritten];
    // The seed that matters is the model's (an evaluation is deterministic; its own seed is the pipeline default).
    if (num(train?.seed) !== undefined) seed = num(train?.seed);
    const variant = (train?.record as Record<string, unknown> | undefined)?.variant;
    if (typeof variant === 'string') results.info.variant = variant;
  }
  const timings = (rec.timings ?? {}) as Record<string, unknown>;
  return {
    stage: ref.stage,
    key: ref.key,
    dir,
    pipeline: ref.pipeline,
    profile: ref.profile,
    instance: ref.instance,
    status,
    seed,
    finished: typeof timings.finishedAt === 'string' ? timings.finishedAt : undefined,
    seconds: num(timings.seconds),
    params,
    written,
    info: results.info,
    metrics: results.metrics,
  };
}
