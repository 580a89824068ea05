/**
 * Finding the OpenFace executables. Order: the stage's `openfaceBin` parameter, then `OPENFACE_BIN` (a path to the
 * executable itself, or to the folder holding it), then `OPENFACE_DIR` (the OpenFace build folder: `<dir>`,
 * `<dir>/bin` and `<dir>/build/bin` are tried), then `PATH`. When nothing is found the stage fails before any work, with
 * instructions.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AlsgError } from '@ldl-alsg/common';

/** The OpenFace tools the extract stage calls. */
export type OpenFaceTool = 'FaceLandmarkImg' | 'FeatureExtraction';

/** Where to look; every field is optional and defaults to the process's. */
export interface LocateOptions {
  /** The stage's `openfaceBin` parameter: the executable, or the folder holding the OpenFace executables. */
  param?: string;
  /** Environment (default process.env): OPENFACE_BIN, OPENFACE_DIR, PATH. */
  env?: NodeJS.ProcessEnv;
}

/** How to get OpenFace, or avoid it: the text of the "not found" error. */
export const OPENFACE_INSTALL_HINT = [
  'Install OpenFace 2.x (https://github.com/TadasBaltrusaitis/OpenFace/wiki, "Unix Installation": build it with its',
  'install.sh, then run download_models.sh) and point the stage at it with the `openfaceBin` parameter (alsg extract',
  '--openface-bin <path>), OPENFACE_BIN=<path to FaceLandmarkImg>, OPENFACE_DIR=<OpenFace build folder>, or by adding its',
  'bin folder to PATH. Or choose another extractor: `openface-csv` reads OpenFace CSVs made on another machine',
  '(<ingest dir>/openface/<id>.csv, or --csv-dir), and `face-api` needs nothing installed (68 landmarks, no AUs).',
].join('\n');

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Candidate paths for `tool` given a path that is either the tool itself, a sibling tool, or a folder. */
function candidatesFrom(path: string, tool: OpenFaceTool, folders: string[]): string[] {
  if (isDirectory(path)) return folders.map((sub) => join(path, sub, tool));
  // a path to one OpenFace executable: its siblings are the other tools
  return [path.replace(/(FaceLandmarkImg|FeatureExtraction)$/, tool)];
}

/**
 * Returns the absolute path of an OpenFace tool, or throws E_DEPENDENCY naming every place tried and how to install.
 * @param tool `FaceLandmarkImg` (stills) or `FeatureExtraction` (sequences).
 */
export function locateOpenFace(tool: OpenFaceTool, options: LocateOptions = {}): string {
  const env = options.env ?? process.env;
  const tried: string[] = [];
  const sources: [string, string | undefined, string[]][] = [
    ['parameter openfaceBin', options.param, ['', 'bin', 'build/bin']],
    ['OPENFACE_BIN', env.OPENFACE_BIN, ['', 'bin', 'build/bin']],
    ['OPENFACE_DIR', env.OPENFACE_DIR, ['', 'bin', 'build/bin']],
  ];
  for (const [source, value, folders] of sources) {
    if (!value) continue;
    for (const candidate of candidatesFrom(value, tool, folders)) {
      if (isExecutableFile(candidate)) return candidate;
      tried.push(`${candidate} (${source})`);
    }
    if (source === 'parameter openfaceBin') {
      // an explicit parameter that points nowhere is a mistake, not a reason to fall back silently
      throw new AlsgError('E_DEPENDENCY', `extract: OpenFace ${tool} not found at ${tried.join(', ')}\n${OPENFACE_INSTALL_HINT}`, { tried });
    }
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, tool);
    if (isExecutableFile(candidate)) return candidate;
  }
  tried.push(`${tool} on PATH`);
  throw new AlsgError('E_DEPENDENCY', `extract: OpenFace ${tool} not found (tried ${tried.join(', ')})\n${OPENFACE_INSTALL_HINT}`, { tried });
}
