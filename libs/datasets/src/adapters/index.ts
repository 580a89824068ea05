/** Every real-dataset adapter, by format name. */
import type { Adapter, RealFormat } from '../ingest-types';
import { affectnetAdapter } from './affectnet';
import { ckplusAdapter } from './ckplus';
import { csvAdapter } from './csv';
import { expwAdapter } from './expw';
import { fer2013Adapter } from './fer2013';
import { ferplusAdapter } from './ferplus';
import { folderAdapter } from './folder';
import { rafDbAdapter } from './raf-db';
import { sfewAdapter } from './sfew';

export const ADAPTERS: Readonly<Record<RealFormat, Adapter>> = {
  'raf-db': rafDbAdapter,
  affectnet: affectnetAdapter,
  fer2013: fer2013Adapter,
  ferplus: ferplusAdapter,
  sfew: sfewAdapter,
  ckplus: ckplusAdapter,
  expw: expwAdapter,
  folder: folderAdapter,
  csv: csvAdapter,
};

// Detection order matters where layouts overlap: FERPlus roots often also hold fer2013.csv, so ferplus goes first; the
// generic folder and csv readers go last.
export const DETECTION_ORDER: readonly RealFormat[] = ['raf-db', 'affectnet', 'ferplus', 'fer2013', 'sfew', 'ckplus', 'expw', 'csv', 'folder'];
