/**
 * `--format auto`: finds the format whose signature files are under the root, or fails listing what each format expects.
 */
import { AlsgError } from '@ldl-alsg/common';
import { ADAPTERS, DETECTION_ORDER } from './adapters/index';
import { describeMissing, isDir, isFile, listDir } from './dataset-files';
import type { RealFormat } from './ingest-types';

/** The first format (in {@link DETECTION_ORDER}) whose layout `root` matches; throws when none does. */
export function detectFormat(root: string): RealFormat {
  if (!isDir(root) && !isFile(root)) throw new AlsgError('E_INPUT', `ingest: dataset root ${root} does not exist; ${describeMissing(root, root)}`, { file: root });
  const match = DETECTION_ORDER.find((f) => ADAPTERS[f].detect(root));
  if (match) return match;
  const found = isDir(root) ? listDir(root).slice(0, 15).join(', ') || '(empty)' : root;
  const expected = DETECTION_ORDER.map((f) => `  - ${ADAPTERS[f].layout}`).join('\n');
  throw new AlsgError('E_INPUT', `ingest: ${root} matches no known dataset layout (found: ${found}). Expected one of:\n${expected}`, { file: root });
}
