/**
 * `alsg extract`: flags and --help come from the stage's params schema (tools/cli/src/stage-cli); this adds the older
 * spellings --openface-arg (one OpenFace flag each) and --timeout.
 */
import type { StageCliHooks } from '@ldl-alsg/common';

export const cli: StageCliHooks = {
  usage: ['alsg extract --dataset <ingest dir> [--dataset <dir> ...] --extractor <name> [options] --out <dir>'],
  about:
    'Auxiliary labels per image: 17 AU intensities (au.npy [n,17]) and 68 landmarks (landmarks.npy [n,136]), a status per image (status.csv: ok | no-face | low-confidence | unreadable) and extract-report.json. Rows follow the manifests. openface finds FaceLandmarkImg via --openface-bin, OPENFACE_BIN, OPENFACE_DIR, then PATH; openface-csv reads <csv dir>/<id>.csv (default <ingest dir>/openface); face-api needs nothing installed (no AUs: au.npy is NaN).',
  flags: {
    'openface-arg': { param: 'openfaceArgs', placeholder: '<flag>', whole: true, multiple: true, description: 'one extra OpenFace flag, e.g. --openface-arg=-wild (repeatable).' },
    timeout: { param: 'timeoutS', placeholder: '<s>', description: 'seconds per image in an OpenFace call.' },
  },
};
