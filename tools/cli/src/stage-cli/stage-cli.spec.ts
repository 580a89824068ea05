import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import sharp from 'sharp';
import { readCsv, readNpy, writeNpy } from '@ldl-alsg/artifacts';
import { AlsgError, Rng, type StageCliHooks } from '@ldl-alsg/common';
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { cli as extractCli } from '../../../../stages/extract/src/cli';
import { stage as extractStage } from '../../../../stages/extract/src/stage';
import { cli as graphCli } from '../../../../stages/graph/src/cli';
import { stage as graphStage } from '../../../../stages/graph/src/stage';
import { cli as ingestCli } from '../../../../stages/ingest/src/cli';
import { stage as ingestStage } from '../../../../stages/ingest/src/stage';
import { cli as noiseCli } from '../../../../stages/noise/src/cli';
import { stage as noiseStage } from '../../../../stages/noise/src/stage';
import { cli as trainCli } from '../../../../stages/train/src/cli';
import { stage as trainStage } from '../../../../stages/train/src/stage';
import { main } from '../main';
import { deriveFlags, flagName, helpText, parseStageArgs, runStageCli } from './index';
import { paramLeaves } from './flags';

const temp = (name: string): string => mkdtempSync(join(tmpdir(), `stage-cli-${name}-`));

/** A toy stage exercising every kind of parameter. */
const toy: StageDefinition = {
  name: 'toy',
  description: 'A toy stage.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['space'],
    properties: {
      space: { enum: ['au', 'landmarks'], description: 'Space.' },
      k: { type: 'integer', minimum: 1, default: 4, description: 'Neighbours.' },
      lambda: {
        type: 'object',
        additionalProperties: false,
        default: { au: 0.5, landmarks: 0.5 },
        description: 'Weights.',
        properties: { au: { type: 'number', minimum: 0, default: 0.5, description: 'AU weight.' }, landmarks: { type: 'number', minimum: 0, default: 0.5, description: 'Landmark weight.' } },
      },
      rates: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, default: [0.1], description: 'Rates.' },
      tags: { type: 'object', additionalProperties: { type: 'string' }, default: {}, description: 'Tags.' },
      exact: { type: 'boolean', default: true, description: 'Exact.' },
      M: { type: 'integer', minimum: 2, default: 16, description: 'Links.' },
      claims: { type: 'array', items: { type: 'object' }, default: [], description: 'Claims (a pipeline-only list of objects).' },
    },
  },
  inputs: {
    dataset: { description: 'Datasets.', from: ['ingest'], required: true, multiple: true },
    labels: { description: 'Labels.', from: ['noise'], required: false, multiple: false },
  },
  run: vi.fn(async () => undefined),
};

/** Runs `fn`, returning the AlsgError it throws. */
async function usageError(fn: () => Promise<unknown>): Promise<AlsgError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AlsgError) return err;
    throw err;
  }
  throw new Error('expected an AlsgError');
}

afterEach(() => vi.restoreAllMocks());

describe('stage CLI flags', () => {
  it('derives kebab-case flags, flattening groups, and input slots with their required/repeatable marks', () => {
    expect(flagName('minFaceConfidence')).toBe('min-face-confidence');
    expect(flagName('M')).toBe('M');
    const flags = deriveFlags(toy);
    expect(flags.map((f) => f.name)).toEqual(['space', 'k', 'lambda-au', 'lambda-landmarks', 'rates', 'tags', 'exact', 'M', 'dataset', 'labels', 'out', 'quiet', 'help']);
    expect(flags.find((f) => f.name === 'lambda-au')?.path).toEqual(['lambda', 'au']);
    expect(flags.find((f) => f.name === 'dataset')).toMatchObject({ kind: 'input', required: true, multiple: true });
    expect(flags.find((f) => f.name === 'exact')).toMatchObject({ takesValue: false, negatable: true });
  });

  it('parses typed values, nested flags, lists, maps, negations and repeated inputs', () => {
    const flags = deriveFlags(toy);
    const args = parseStageArgs(toy, flags, {}, ['--space', 'au', '--k=-2', '--lambda-au', '0', '--rates', '0.1,0.2', '--rates', '0.3', '--tags', 'a=1', '--tags', 'b=x', '--no-exact', '--M', '8', '--dataset', 'd1', '--dataset', 'd2', '--out', 'o']);
    expect(args?.params).toEqual({ space: 'au', k: -2, lambda: { au: 0 }, rates: [0.1, 0.2, 0.3], tags: { a: '1', b: 'x' }, exact: false, M: 8 });
    expect(args?.inputs).toEqual({ dataset: ['d1', 'd2'] });
    expect(parseStageArgs(toy, flags, {}, ['-h'])).toBeNull();
  });

  it('--help lists every schema property with its default, every input and the pipeline-only ones', () => {
    for (const [stage, hooks] of [[toy, {}], [trainStage, trainCli], [noiseStage, noiseCli], [graphStage, graphCli], [ingestStage, ingestCli]] as [StageDefinition<never>, StageCliHooks][]) {
      const flags = deriveFlags(stage, hooks);
      const help = helpText(stage, flags, hooks);
      for (const [path, prop] of paramLeaves(stage.paramsSchema)) {
        const flag = flags.find((f) => f.path?.join('.') === path.join('.'));
        if (!flag) {
          expect(help, `${stage.name} ${path.join('.')}`).toMatch(new RegExp(`No flag of their own .*: .*${path.join('.')}`));
          continue;
        }
        const shown = `${flag.negatable ? '--[no-]' : '--'}${flag.name}`;
        const at = help.search(new RegExp(`^  ${shown.replace(/[[\]-]/g, '\\$&')}[ \n]`, 'm'));
        expect(at, `${stage.name} ${shown}`).toBeGreaterThan(0);
        const row = help.slice(at + 2);
        if ('default' in prop) expect(row.slice(0, row.indexOf('\n  --')), `${stage.name} --${flag.name}`).toMatch(/\[default:\s/);
      }
      for (const f of flags.filter((f) => f.kind === 'input')) expect(help).toContain(`--${f.name} <`);
    }
    const trainHelp = helpText(trainStage, deriveFlags(trainStage, trainCli), trainCli);
    expect(trainHelp).toContain('--lambda-au <number>');
    expect(trainHelp).toContain('[default: 0.0005]');
    expect(trainHelp).toContain('--graph <graph dir>');
    expect(trainHelp).toContain('--air-count <integer>\n      Same as --air-auxiliary-count');
  });
});

describe('stage CLI usage errors', () => {
  it('names the flag, says what was expected and what arrived, and carries the usage', async () => {
    const cases: [StageDefinition<never>, StageCliHooks, string[], string][] = [
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--epochs', 'abc'], 'alsg train: --epochs must be an integer, but got "abc"'],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--lambda-au', '-1'], 'alsg train: --lambda-au must be >= 0, but got -1'],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--air-count', '0'], 'alsg train: --air-count must be >= 1, but got 0'],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--bogus'], "alsg train: unknown option '--bogus'"],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--epoch', '3'], "alsg train: unknown option '--epoch' (did you mean '--epochs'?)"],
      [trainStage, trainCli, ['--out', 'o'], 'alsg train: --dataset <ingest dir> is required'],
      [trainStage, trainCli, ['--dataset', 'd'], 'alsg train: --out <dir> is required'],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', 'extra'], "alsg train: unexpected argument 'extra'"],
      [trainStage, trainCli, ['--dataset', 'd', '--out', 'o', '--epochs'], 'alsg train: --epochs needs a value'],
      [graphStage, graphCli, ['--extract', 'e', '--dataset', 'd', '--space', 'au', '--k', '-2', '--out', 'o'], 'alsg graph: --k must be >= 1, but got -2'],
      [graphStage, graphCli, ['--extract', 'e', '--dataset', 'd', '--out', 'o'], 'alsg graph: --space <au|landmarks> is required'],
      [graphStage, graphCli, ['--features', 'x.npy', '--k', '4', '--sigma=-1', '--out', 'o'], 'alsg graph: --sigma must be > 0, but got -1'],
      [graphStage, graphCli, ['--features', 'x.npy', '--k', '4', '--out', 'o'], 'alsg graph: --sigma is required with --features unless --space is given'],
      [graphStage, graphCli, ['--features', 'x.npy', '--k', 'four', '--sigma', '1', '--out', 'o'], 'alsg graph: --k must be an integer, but got "four"'],
      [graphStage, graphCli, ['--extract', 'e', '--out', 'o'], 'alsg graph: give --features <file.npy>, or --extract <dir> with --dataset <dir>'],
      [graphStage, graphCli, ['--features', 'x.npy', '--sigma', '1', '--exact', '--mode', 'hnsw', '--out', 'o'], 'alsg graph: --exact contradicts --mode hnsw'],
      [noiseStage, noiseCli, ['--dataset', 'd', '--mode', 'abc', '--rates', '0.1,2', '--out', 'o'], 'alsg noise: --rates[1] must be < 1, but got 2'],
      [noiseStage, noiseCli, ['--dataset', 'd', '--mode', 'symmetric', '--rate', 'abc', '--out', 'o'], 'alsg noise: --rate must be a number, but got "abc"'],
      [extractStage, extractCli, ['--dataset', 'd', '--extractor', 'dlib', '--out', 'o'], 'alsg extract: --extractor must be one of openface, openface-csv, face-api, but got "dlib"'],
      [ingestStage, ingestCli, ['--root', '/x', '--out', '/y'], 'alsg ingest: --format <format> is required'],
      [ingestStage, ingestCli, ['--format', 'nope', '--out', '/y'], 'alsg ingest: --format must be one of raf-db, affectnet'],
      [ingestStage, ingestCli, ['--format', 'raf-db', '--out', '/y'], 'alsg ingest: --root <dir> is required for --format raf-db'],
      [ingestStage, ingestCli, ['--format', 'csv', '--root', '/x', '--out', '/y', '--max-listed-skips', '1.5'], 'alsg ingest: --max-listed-skips must be an integer, but got "1.5"'],
    ];
    for (const [stage, hooks, argv, message] of cases) {
      const err = await usageError(() => runStageCli(stage, argv, hooks));
      expect(err.code, argv.join(' ')).toBe('E_USAGE');
      expect(err.message, argv.join(' ')).toContain(message);
      expect(err.message).not.toContain('Usage:');
      expect(String(err.details.usage), argv.join(' ')).toMatch(new RegExp(`^Usage: alsg ${stage.name} `));
    }
  });
});

describe('alsg <stage> through the dispatcher', () => {
  it('prints a usage error once, without a doubled prefix, then that command\'s usage; a data error without usage', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    expect(await main(['train', '--epochs', 'abc', '--dataset', 'd', '--out', 'o'])).toBe(1);
    expect(err.startsWith('alsg train: --epochs must be an integer, but got "abc"\n\nUsage: alsg train ')).toBe(true);
    expect(err).not.toContain('alsg: alsg');
    expect(err.match(/Usage:/g)).toHaveLength(1);
    expect(err).not.toMatch(/internal error|    at /);
    err = '';
    expect(await main(['graph', '--k', '-2', '--extract', 'e', '--dataset', 'd', '--space', 'au', '--out', 'o'])).toBe(1);
    expect(err.split('\n')[0]).toBe('alsg graph: --k must be >= 1, but got -2');
    err = '';
    const out = temp('data-error');
    expect(await main(['noise', '--dataset', join(out, 'missing'), '--out', join(out, 'o')])).toBe(1);
    expect(err).toContain('manifest.csv: manifest not found');
    expect(err).not.toContain('Usage:');
  });
});

describe('stage CLI runs', () => {
  it('applies the schema defaults and hands the stage a command-line context', async () => {
    const run = vi.fn(async () => undefined);
    const out = join(temp('toy'), 'out');
    expect(await runStageCli({ ...toy, run }, ['--space', 'au', '--lambda-au', '0.25', '--dataset', 'd', '--out', out])).toBe(0);
    const ctx = (run.mock.calls[0] as unknown[])[0] as { params: Record<string, unknown>; inputs: unknown; outDir: string; seed: number; scratchDir: string };
    expect(ctx.params).toEqual({ space: 'au', k: 4, lambda: { au: 0.25, landmarks: 0.5 }, rates: [0.1], tags: {}, exact: true, M: 16, claims: [] });
    expect(ctx.inputs).toEqual({ dataset: ['d'] });
    expect(ctx.outDir).toBe(out);
    expect(ctx.seed).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(ctx.scratchDir)).toBe(false);
  });

  it('noise: writes to --out what the stage writes in a pipeline', async () => {
    const ds = temp('noise-ds');
    const rows = Array.from({ length: 200 }, (_, i) => `n${i},${i}.png,${['happy', 'sad', 'neutral'][i % 3]},toy,train`);
    writeFileSync(join(ds, 'manifest.csv'), `id,path,label,dataset,split\n${rows.join('\n')}\n`);
    const out = temp('noise-out');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runStageCli(noiseStage, ['--dataset', ds, '--mode', 'symmetric', '--rate', '0.25', '--seed', '9', '--out', out], noiseCli)).toBe(0);
    expect(readCsv(join(out, 'labels.csv')).rows.filter((r) => r.label !== r.original)).toHaveLength(50);
    const again = temp('noise-again');
    expect(await runStageCli(noiseStage, ['--dataset', ds, '--mode', 'symmetric', '--rate=0.25', '--seed=9', '--per-sample', '--out', again], noiseCli)).toBe(0);
    expect(JSON.parse(readFileSync(join(again, 'noise-report.json'), 'utf8'))).toMatchObject({ exact: false });
  });

  it('graph plain form: every row of a .npy, --exact', async () => {
    const dir = temp('graph');
    const rng = new Rng(1, 'cli');
    writeNpy(join(dir, 'x.npy'), Float32Array.from({ length: 50 * 4 }, () => rng.normal()), [50, 4]);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runStageCli(graphStage, ['--features', join(dir, 'x.npy'), '--k', '4', '--sigma', '0.5', '--exact', '--out', join(dir, 'out')], graphCli)).toBe(0);
    const nb = readNpy(join(dir, 'out', 'neighbors.npy'));
    expect(nb.shape).toEqual([50, 4]);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'graph.json'), 'utf8'))).toMatchObject({ mode: 'exact', k: 4, sigma: 0.5, rows: { total: 50, inGraph: 50 } });
  });

  it('ingest: a CSV manifest end to end with --format auto', async () => {
    const root = temp('csv');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toFile(join(root, 'a.jpg'));
    writeFileSync(join(root, 'labels.csv'), 'path,label,split\na.jpg,surprised,train\n');
    const out = join(temp('out'), 'nested');
    mkdirSync(out, { recursive: true });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runStageCli(ingestStage, ['--format', 'auto', '--root', root, '--out', out, '--quiet'], ingestCli)).toBe(0);
    expect(readFileSync(join(out, 'manifest.csv'), 'utf8')).toBe(
      `id,path,label,dataset,split,domain,subject,source_label\ncsv/a,${join(root, 'a.jpg')},surprise,csv,train,lab,,surprised\n`,
    );
  });

  it('ingest: generator flags from the synthfer schema, and its own default seed by hand', () => {
    const flags = deriveFlags(ingestStage, ingestCli);
    const syn = parseStageArgs(ingestStage, flags, ingestCli, ['--format', 'synthfer', '--out', '/tmp/x', '--sizes', 'raf-syn/train=50', '--datasets', 'raf-syn,ckplus-syn']);
    expect(syn?.params).toMatchObject({ format: 'synthfer', sizes: { 'raf-syn/train': 50 }, datasets: ['raf-syn', 'ckplus-syn'], seed: 1 });
    const real = parseStageArgs(ingestStage, flags, ingestCli, ['--format', 'sfew', '--root', '/data/sfew', '--out', '/x', '--split-map', 'Val=val,Train=skip', '--min-face-confidence', '0.5']);
    expect(real?.params).toEqual({ format: 'sfew', root: '/data/sfew', splitMap: { Val: 'val', Train: 'skip' }, minFaceConfidence: 0.5 });
  });
});
