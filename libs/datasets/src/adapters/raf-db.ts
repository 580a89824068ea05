/**
 * RAF-DB basic (Li, Deng & Du, CVPR 2017): `EmoLabel/list_patition_label.txt` (the misspelling is the dataset's own)
 * with lines `train_00001.jpg 5`, labels 1-based in RAF's order (1 surprise, 2 fear, 3 disgust, 4 happy, 5 sad,
 * 6 anger, 7 neutral); images `Image/aligned/train_00001_aligned.jpg` (or `Image/original/train_00001.jpg`); crowd label
 * distributions in `EmoLabel/distribution_basic.txt` (`name p1 ... p7`, same 1..7 order) when present.
 */
import { join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';
import { NUM_CLASSES } from '@ldl-alsg/labels';
import { codeTable } from '../class-names';
import { isFile, parseCode, readLines, requirePath } from '../dataset-files';
import type { Adapter, AdapterContext } from '../ingest-types';
import { keepSafe } from './safe-path';

/** RAF-DB code k (1..7) -> canonical class, at index k-1. */
const RAF_ORDER = codeTable(['surprise', 'fear', 'disgust', 'happy', 'sad', 'anger', 'neutral']);
const LIST = 'EmoLabel/list_patition_label.txt';
const DISTRIBUTION = 'EmoLabel/distribution_basic.txt';

function stem(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

/** Reads distribution_basic.txt into stem -> canonical-order distribution (normalised to sum 1). */
function readDistributions(file: string): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const { text, line } of readLines(file)) {
    const parts = text.split(/\s+/);
    if (parts.length !== 1 + NUM_CLASSES) {
      throw new AlsgError('E_INPUT', `${file}:${line}: expected an image name and 7 probabilities, but got ${parts.length} fields`, { file, line });
    }
    const values = parts.slice(1).map(Number);
    const sum = values.reduce((a, b) => a + b, 0);
    if (values.some((v) => !Number.isFinite(v) || v < 0) || !(sum > 0)) {
      throw new AlsgError('E_INPUT', `${file}:${line}: probabilities must be non-negative numbers with a positive sum, but got "${parts.slice(1).join(' ')}"`, {
        file,
        line,
      });
    }
    const dist = new Float64Array(NUM_CLASSES);
    values.forEach((v, k) => {
      const m = RAF_ORDER[k];
      if (m.kind === 'class') dist[m.index] += v / sum;
    });
    out.set(stem(parts[0]), dist);
  }
  return out;
}

export const rafDbAdapter: Adapter = {
  format: 'raf-db',
  dataset: 'raf-db',
  domain: 'wild',
  defaultSplit: 'test',
  defaultSplitMap: { train: 'train', test: 'test' },
  layout: `raf-db: ${LIST} ("train_00001.jpg 5", labels 1..7) and Image/aligned/<name>_aligned.jpg`,
  detect: (root) => isFile(join(root, LIST)),
  async run(ctx: AdapterContext): Promise<void> {
    const list = requirePath('raf-db', ctx.root, [LIST], 'the label list');
    const aligned = ctx.options.rafImages === 'aligned';
    const imageDir = requirePath('raf-db', ctx.root, [aligned ? 'Image/aligned' : 'Image/original'], `the ${ctx.options.rafImages} images folder`, 'dir');
    const distFile = join(ctx.root, DISTRIBUTION);
    const dists = isFile(distFile) ? readDistributions(distFile) : null;
    let matched = 0;
    for (const { text, line } of readLines(list)) {
      const parts = text.split(/\s+/);
      if (parts.length !== 2) {
        throw new AlsgError('E_INPUT', `${list}:${line}: expected "<image name> <label 1..7>", but got "${text}"`, { file: list, line });
      }
      const [name, code] = parts;
      if (!keepSafe(ctx, list, line, { 'image name': name })) continue;
      const label = RAF_ORDER[parseCode(code, 1, 7, list, line) - 1];
      const sourceSplit = /^(train|test)_/.exec(name)?.[1];
      if (!sourceSplit) {
        throw new AlsgError('E_INPUT', `${list}:${line}: image name must start with train_ or test_, but got "${name}"`, { file: list, line });
      }
      ctx.tick();
      const split = ctx.collector.split(sourceSplit, list, line);
      if (split === null || label.kind === 'drop') continue;
      const file = aligned ? `${stem(name)}_aligned${name.slice(stem(name).length)}` : name;
      const distribution = dists?.get(stem(name));
      if (distribution) matched++;
      ctx.collector.add({ id: stem(name), path: join(imageDir, file), labelIndex: label.index, split, sourceLabel: code, distribution, file: list, line });
    }
    ctx.collector.notes.distributionFile = dists ? distFile : null;
    ctx.collector.notes.distributionsMatched = matched;
  },
};
