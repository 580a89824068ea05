/**
 * `alsg evaluate --model <train dir> --dataset <ingest dir> [--dataset ...] [--labels <noise dir>] [--backend b]
 * [--batch-size n] [--tag key=value ...] --out <dir>`: the evaluate stage outside a pipeline.
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AlsgError, requireFlag, startProgress } from '@ldl-alsg/common';
import { type EvaluateParams, runEvaluation } from '@ldl-alsg/evaluation';

const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

const HELP = `Usage: alsg evaluate --model <train dir> --dataset <ingest dir> [--dataset <dir> ...] --out <dir> [options]

Predicts every split=test row of the given manifests with the trained model and writes <out>/metrics.json (per-set n and
accuracy, Wild/Lab/All as plain means of per-set accuracies, LDL metrics and ECE where distribution.npy is known),
predictions.npy (float32 [n_test, 7]), predictions.csv and confusion.csv.

Options:
  --model <dir>       train output folder (model/model.json, train-summary.json)
  --dataset <dir>     ingest output folder (repeatable; concatenated in order)
  --labels <dir>      noise output the model was trained with (optional; records the noise rate)
  --backend <name>    ${BACKENDS.join(' | ')} (default auto)
  --batch-size <n>    images per forward pass (default 128)
  --tag key=value     descriptor override copied into metrics.json (repeatable), e.g. --tag noise=ABC
  --out <dir>         output folder
  -h, --help          this text
`;

/** Runs the evaluate CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      dataset: { type: 'string', multiple: true },
      labels: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      'batch-size': { type: 'string', default: '128' },
      tag: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  requireFlag('evaluate', '--model', '<train dir>', values.model, HELP);
  requireFlag('evaluate', '--dataset', '<ingest dir>', values.dataset, HELP);
  requireFlag('evaluate', '--out', '<dir>', values.out, HELP);
  if (!(BACKENDS as readonly string[]).includes(values.backend)) {
    throw new AlsgError('E_USAGE', `alsg evaluate: --backend must be one of ${BACKENDS.join(', ')}, but got "${values.backend}"`);
  }
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new AlsgError('E_USAGE', `alsg evaluate: --batch-size must be a positive integer, but got "${values['batch-size']}"`);
  const tags: Record<string, string> = {};
  for (const t of values.tag ?? []) {
    const eq = t.indexOf('=');
    if (eq < 1) throw new AlsgError('E_USAGE', `alsg evaluate: --tag must be key=value, but got "${t}"`);
    tags[t.slice(0, eq)] = t.slice(eq + 1);
  }
  mkdirSync(values.out, { recursive: true });
  const params: EvaluateParams = { backend: values.backend as EvaluateParams['backend'], batchSize, tags };
  await runEvaluation({
    params,
    modelDir: values.model,
    datasetDirs: values.dataset,
    labelsDir: values.labels,
    outDir: values.out,
    log: (m) => process.stderr.write(`evaluate: ${m}\n`),
    progress: (label, total) => startProgress(label, total, { unit: 'images' }),
  });
  return 0;
}
