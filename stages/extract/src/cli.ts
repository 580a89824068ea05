/**
 * `alsg extract --dataset <ingest dir> [--dataset ...] --extractor <openface|openface-csv|face-api> --out <dir>`:
 * the extract stage outside a pipeline.
 */
import { parseArgs } from 'node:util';
import { AlsgError, startProgress, parseNumberFlag, requireFlag } from '@ldl-alsg/common';
import { EXTRACTORS, runExtraction, type ExtractorName } from '@ldl-alsg/openface';

const HELP = `Usage: alsg extract --dataset <ingest dir> [--dataset <dir> ...] --extractor <name> [options] --out <dir>

Auxiliary labels per image: 17 AU intensities (au.npy [n,17]) and 68 landmarks (landmarks.npy [n,136]), a status per
image (status.csv: ok | no-face | low-confidence | unreadable) and extract-report.json. Rows follow the manifests.

Extractors:
  openface       run OpenFace FaceLandmarkImg (-2Dfp -aus) on the images; found via --openface-bin,
                 OPENFACE_BIN, OPENFACE_DIR, then PATH
  openface-csv   read OpenFace CSVs made elsewhere: <csv dir>/<id>.csv (default <ingest dir>/openface)
  face-api       embedded face detector + 68 landmarks (needs nothing installed; no AUs: au.npy is NaN)

Options:
  --dataset <dir>         ingest output folder (repeatable; concatenated in order)
  --extractor <name>      ${EXTRACTORS.join(' | ')} (default openface-csv)
  --openface-bin <path>   FaceLandmarkImg, or the OpenFace bin folder
  --openface-arg <flag>   openface: extra OpenFace flag (repeatable), e.g. --openface-arg=-wild
  --csv-dir <dir>         openface-csv: one folder of CSVs for every dataset
  --csv-name <id|stem>    openface-csv: CSV named after the row id (default) or the image file stem
  --min-confidence <c>    faces below c get status low-confidence (default 0.5)
  --batch-size <n>        openface: images per OpenFace call (default 32)
  --timeout <s>           openface: seconds per image in a call (default 30)
  --concurrency <n>       openface: OpenFace processes at a time (default 1)
  --face-box <mode>       face-api: auto (default) | detect | whole-image (aligned face crops)
  --sequences             openface: images sharing a folder are one sequence (FeatureExtraction)
  --out <dir>             output folder
  -h, --help              this text
`;

const num = (text: string | undefined, flag: string): number | undefined => parseNumberFlag('extract', flag, text);

/** Runs the extract CLI; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string', multiple: true },
      extractor: { type: 'string', default: 'openface-csv' },
      'openface-bin': { type: 'string' },
      'openface-arg': { type: 'string', multiple: true },
      'csv-dir': { type: 'string' },
      'csv-name': { type: 'string' },
      'min-confidence': { type: 'string' },
      'batch-size': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      sequences: { type: 'boolean', default: false },
      'face-box': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  requireFlag('extract', '--dataset', '<ingest dir>', values.dataset, HELP);
  requireFlag('extract', '--out', '<dir>', values.out, HELP);
  if (!(EXTRACTORS as readonly string[]).includes(values.extractor)) {
    throw new AlsgError('E_USAGE', `alsg extract: --extractor must be one of ${EXTRACTORS.join(', ')}, but got "${values.extractor}"`);
  }
  const csvName = values['csv-name'];
  if (csvName !== undefined && csvName !== 'id' && csvName !== 'stem') throw new AlsgError('E_USAGE', `alsg extract: --csv-name must be id or stem, but got "${csvName}"`);
  await runExtraction(
    values.dataset,
    {
      extractor: values.extractor as ExtractorName,
      openfaceBin: values['openface-bin'],
      openfaceArgs: values['openface-arg'],
      csvDir: values['csv-dir'],
      csvName,
      minConfidence: num(values['min-confidence'], '--min-confidence'),
      batchSize: num(values['batch-size'], '--batch-size'),
      timeoutS: num(values.timeout, '--timeout'),
      concurrency: num(values.concurrency, '--concurrency'),
      sequences: values.sequences,
      faceBox: values['face-box'] as 'auto' | 'detect' | 'whole-image' | undefined,
    },
    values.out,
    {
      log: (m) => process.stderr.write(`extract: ${m}\n`),
      progress: (label, total, unit) => startProgress(label, total, { unit }),
    },
  );
  return 0;
}
