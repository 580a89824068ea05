/**
 * `alsg train --dataset <ingest dir> [--graph <graph dir> ...] [--labels <noise dir>] --method <m> --out <dir> [...]`:
 * the train stage outside a pipeline (same library code, `trainFromArtifacts`).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AlsgError, startProgress } from '@ldl-alsg/common';
import { AIR_DEFAULTS, METHODS, trainFromArtifacts, TRAIN_DEFAULTS, type TrainParams } from '@ldl-alsg/training';

const d = TRAIN_DEFAULTS;
const HELP = `Usage: alsg train --dataset <ingest dir> [--dataset ...] [--graph <graph dir> ...] [--labels <noise dir>]
                  --method <${METHODS.join('|')}> --out <dir> [options]

Trains on the split=train rows; writes <out>/model/model.json + weights.bin (TF.js layers format, logits output),
<out>/train-log.jsonl and <out>/train-summary.json. Checkpoints go to --scratch (default <out>/.scratch): re-running the
same command after a kill resumes from the last finished epoch.

Options (defaults: the paper's optimiser, the embedded CPU backbone):
  --method <m>             ${METHODS.join(' | ')} (default ${d.method})
  --backbone <name>        mlp | small-cnn | resnet18 | resnet50 | mobilenetv2 (default ${d.backbone})
  --input-size <px>        grayscale input side (default ${d.inputSize})
  --lambda-au <x>          lambda of the AU guidance term, >= 0 (default ${d.lambda.au})
  --lambda-landmarks <x>   lambda of the landmark guidance term, >= 0 (default ${d.lambda.landmarks})
  --k-au <n>, --k-landmarks <n>   neighbours per centre (default 4)
  --reduction <r>          mean | sum (default ${d.reduction})
  --epochs <n>             (default ${d.epochs})     --lr <x> (default ${d.lr})
  --momentum <x>           (default ${d.momentum})    --weight-decay <x> (default ${d.weightDecay})
  --warmup-epochs <x>      (default ${d.warmupEpochs})
  --groups-per-batch <n>   LDL-ALSG centres per batch (default ${d.groupsPerBatch})
  --batch-size <n>         other methods (default ${d.batchSize})
  --backend <b>            auto | tensorflow-gpu | tensorflow | wasm | cpu (default ${d.backend})
  --neighbour-mode <m>     exact | epoch-cache (opt-in approximation; default exact)
  --seed <n>               (default 0)
  --auxiliary <dir>        AIR: an ingest output folder giving the auxiliary images (clean labels)
  --air-weight <x>         AIR regulariser weight (default 10)
  --air-labels <l>         AIR auxiliary labels: truth (distribution.npy argmax) | given (default truth)
  --air-count <n>          AIR auxiliary set size (default 700)   --air-per-batch <n> (default 32)
  --pretrained <dir>       a train output folder whose model/ gives the initial weights (NAL/IPA2LT skip pre-training)
  --scratch <dir>          checkpoint folder (default <out>/.scratch)
  -h, --help
`;

function num(text: string | undefined, flag: string, fallback: number, integer = false): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new AlsgError('E_USAGE', `alsg train: ${flag} must be ${integer ? 'an integer' : 'a number'}, but got "${text}"`);
  }
  return v;
}

/** Runs the train CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const s = { type: 'string' } as const;
  const { values: v } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string', multiple: true }, graph: { type: 'string', multiple: true }, labels: s, pretrained: s, auxiliary: s, 'air-weight': s, 'air-labels': s, 'air-count': s, 'air-per-batch': s, out: s, scratch: s,
      method: s, backbone: s, 'input-size': s, 'lambda-au': s, 'lambda-landmarks': s, 'k-au': s, 'k-landmarks': s, reduction: s,
      epochs: s, lr: s, momentum: s, 'weight-decay': s, 'warmup-epochs': s, 'groups-per-batch': s, 'batch-size': s,
      backend: s, 'neighbour-mode': s, seed: s, help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!v.dataset?.length) throw new AlsgError('E_USAGE', 'alsg train: --dataset <ingest dir> is required\n\n' + HELP);
  if (!v.out) throw new AlsgError('E_USAGE', 'alsg train: --out <dir> is required\n\n' + HELP);
  const method = (v.method ?? d.method) as TrainParams['method'];
  if (!METHODS.includes(method)) throw new AlsgError('E_USAGE', `alsg train: --method must be one of ${METHODS.join(', ')}, but got "${v.method}"`);
  const reduction = (v.reduction ?? d.reduction) as TrainParams['reduction'];
  if (reduction !== 'mean' && reduction !== 'sum') throw new AlsgError('E_USAGE', `alsg train: --reduction must be mean or sum, but got "${v.reduction}"`);
  const neighbourMode = (v['neighbour-mode'] ?? d.neighbourMode) as TrainParams['neighbourMode'];
  if (neighbourMode !== 'exact' && neighbourMode !== 'epoch-cache') throw new AlsgError('E_USAGE', `alsg train: --neighbour-mode must be exact or epoch-cache, but got "${neighbourMode}"`);
  const params: TrainParams = {
    ...d,
    method, reduction, neighbourMode,
    backbone: v.backbone ?? d.backbone,
    inputSize: num(v['input-size'], '--input-size', d.inputSize, true),
    lambda: { au: num(v['lambda-au'], '--lambda-au', d.lambda.au), landmarks: num(v['lambda-landmarks'], '--lambda-landmarks', d.lambda.landmarks) },
    k: { au: num(v['k-au'], '--k-au', d.k.au, true), landmarks: num(v['k-landmarks'], '--k-landmarks', d.k.landmarks, true) },
    epochs: num(v.epochs, '--epochs', d.epochs, true),
    lr: num(v.lr, '--lr', d.lr),
    momentum: num(v.momentum, '--momentum', d.momentum),
    weightDecay: num(v['weight-decay'], '--weight-decay', d.weightDecay),
    warmupEpochs: num(v['warmup-epochs'], '--warmup-epochs', d.warmupEpochs),
    groupsPerBatch: num(v['groups-per-batch'], '--groups-per-batch', d.groupsPerBatch, true),
    batchSize: num(v['batch-size'], '--batch-size', d.batchSize, true),
    backend: (v.backend ?? d.backend) as TrainParams['backend'],
    air: {
      ...AIR_DEFAULTS,
      weight: num(v['air-weight'], '--air-weight', AIR_DEFAULTS.weight),
      auxiliaryLabels: (v['air-labels'] ?? AIR_DEFAULTS.auxiliaryLabels) as 'truth' | 'given',
      auxiliaryCount: num(v['air-count'], '--air-count', AIR_DEFAULTS.auxiliaryCount, true),
      auxiliaryPerBatch: num(v['air-per-batch'], '--air-per-batch', AIR_DEFAULTS.auxiliaryPerBatch, true),
    },
  };
  const scratchDir = v.scratch ?? join(v.out, '.scratch');
  mkdirSync(v.out, { recursive: true });
  mkdirSync(scratchDir, { recursive: true });
  const summary = await trainFromArtifacts({
    datasetDirs: v.dataset, graphDirs: v.graph ?? [], labelsDir: v.labels, pretrainedDir: v.pretrained, auxiliaryDir: v.auxiliary, params,
    seed: num(v.seed, '--seed', 0, true), outDir: v.out, scratchDir,
    log: (m) => process.stderr.write(`train: ${m}\n`),
    progress: (label, total, unit) => startProgress(label, total, { unit }),
  });
  // The default scratch folder only holds checkpoints and the image cache: drop it once the run succeeded (as the engine does).
  if (!v.scratch) rmSync(scratchDir, { recursive: true, force: true });
  process.stderr.write(`train: done in ${(summary.seconds as number).toFixed(1)} s; model in ${join(v.out, 'model')}\n`);
  return 0;
}
