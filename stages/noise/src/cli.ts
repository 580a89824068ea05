/**
 * `alsg noise --dataset <ingest dir> [--dataset ...] --mode <none|symmetric|asymmetric|abc> [--rate p] [--rates a,b,c]
 * [--per-sample] --seed <n> --out <dir>`: the noise stage outside a pipeline.
 */
import { parseArgs } from 'node:util';
import { AlsgError, parseNumberFlag, requireFlag } from '@ldl-alsg/common';
import { NOISE_MODES, type NoiseMode } from '@ldl-alsg/noise';
import { describeReport, runNoise } from './run-noise';

const HELP = `Usage: alsg noise --dataset <ingest dir> [--dataset <dir> ...] --mode <mode> [options] --out <dir>

Synthesises label noise on the train rows of the given manifests (val/test rows are never changed).
Writes <out>/labels.csv (id,original,label | id,original,label_a,label_b,...) and <out>/noise-report.json.

Options:
  --dataset <dir>   ingest output folder holding manifest.csv (repeatable; concatenated in order)
  --mode <mode>     ${NOISE_MODES.join(' | ')} (default none)
  --rate <p>        noise rate in [0, 1) for symmetric / asymmetric (default 0)
  --rates <list>    abc: comma-separated rates, one copy each (default 0.05,0.10,0.15)
  --per-sample      change each train label with probability p instead of exactly round(p * n)
  --seed <n>        integer seed (default 0)
  --out <dir>       output folder
  -h, --help        this text
`;

const parseNumber = (text: string, flag: string): number => parseNumberFlag('noise', flag, text) as number;

/** Runs the noise CLI; returns the exit code (0 ok, 2 usage error). */
export async function runCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string', multiple: true },
      mode: { type: 'string', default: 'none' },
      rate: { type: 'string' },
      rates: { type: 'string' },
      'per-sample': { type: 'boolean', default: false },
      seed: { type: 'string', default: '0' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  requireFlag('noise', '--dataset', '<ingest dir>', values.dataset, HELP);
  requireFlag('noise', '--out', '<dir>', values.out, HELP);
  if (!(NOISE_MODES as readonly string[]).includes(values.mode)) {
    throw new AlsgError('E_USAGE', `alsg noise: --mode must be one of ${NOISE_MODES.join(', ')}, but got "${values.mode}"`);
  }
  const seed = parseNumber(values.seed, '--seed');
  if (!Number.isInteger(seed)) throw new AlsgError('E_USAGE', `alsg noise: --seed must be an integer, but got "${values.seed}"`);
  const report = runNoise(
    values.dataset,
    {
      mode: values.mode as NoiseMode,
      rate: values.rate === undefined ? undefined : parseNumber(values.rate, '--rate'),
      rates: values.rates === undefined ? undefined : values.rates.split(',').map((r) => parseNumber(r, '--rates')),
      exact: !values['per-sample'],
    },
    seed,
    values.out,
  );
  for (const line of describeReport(report)) process.stderr.write(line + '\n');
  return 0;
}
