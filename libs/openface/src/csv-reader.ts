/**
 * Reader for OpenFace 2.x CSV output (FaceLandmarkImg and FeatureExtraction), shared by the subprocess extractor and the
 * `openface-csv` mode that reads CSVs produced elsewhere (another machine, or the synthetic benchmark). Quirks handled,
 * after reference/openface.md:
 * - some builds separate columns with ", ": every header name and cell is trimmed;
 * - image mode starts `face,confidence`, video mode `frame,face_id,timestamp,confidence,success` (success 0 = tracking
 *   failed, that row has no usable face);
 * - several faces give several rows: the most confident usable one is kept;
 * - no CSV at all means OpenFace found no face;
 * - the 17 `AUxx_r` intensities and the 136 landmark coordinates are found by column NAME, never by position (the
 *   columns between them depend on the output flags), and a missing column is an error naming the file and the column.
 * OpenFace never quotes fields, so lines are split on commas directly (much faster than a general CSV parser on the
 * ~300k files of a paper-size run).
 */
import { readFileSync } from 'node:fs';
import { AlsgError } from '@ldl-alsg/common';
import { AU_COLUMNS, LANDMARK_COLUMNS } from '@ldl-alsg/labels';

/** One row of an OpenFace CSV: one face (image mode) or one frame's face (video mode). */
export interface OpenFaceRow {
  /** 1-based line in the file. */
  line: number;
  /** `face` (image mode) or `face_id` (video mode). */
  face: number;
  /** Video mode: `frame` (1-based in OpenFace); image mode: undefined. */
  frame?: number;
  /** OpenFace's landmark-fit confidence, 0..1. */
  confidence: number;
  /** Video mode `success` = 1; image mode always true (a row is only written for a found face). */
  success: boolean;
  /** The 17 AUxx_r intensities (AU_COLUMNS order), or null when not read. */
  au: Float32Array | null;
  /** x_0..x_67, y_0..y_67 (pixels), or null when not read. */
  landmarks: Float32Array | null;
}

/** Which value groups must be present. */
export interface OpenFaceCsvOptions {
  /** Require and read the 17 `AUxx_r` columns. Default true. */
  aus?: boolean;
  /** Require and read the 136 `x_i`/`y_i` columns. Default true. */
  landmarks?: boolean;
}

/** A parsed OpenFace CSV. */
export interface OpenFaceCsv {
  mode: 'image' | 'video';
  /** Header names, trimmed. */
  header: string[];
  rows: OpenFaceRow[];
}

const IMAGE_LEAD = ['face', 'confidence'];
const VIDEO_LEAD = ['frame', 'face_id', 'timestamp', 'confidence', 'success'];

/** Parses one cell as a number; OpenFace's `nan`/`-nan`/`inf` spellings become NaN/Infinity, anything else non-numeric throws. */
function parseCell(cell: string, file: string, line: number, column: string): number {
  const text = cell.trim();
  if (text !== '') {
    const v = Number(text);
    if (!Number.isNaN(v)) return v;
    const lower = text.toLowerCase();
    if (lower === 'nan' || lower === '-nan' || lower === '+nan') return Number.NaN;
    if (lower === 'inf' || lower === '+inf') return Infinity;
    if (lower === '-inf') return -Infinity;
  }
  throw new AlsgError('E_INPUT', `${file}:${line}: column ${column} must be a number, but got "${cell}"`, { file, line, column });
}

/**
 * Parses the text of an OpenFace CSV.
 * @param text file content.
 * @param file path, used in error messages.
 */
export function parseOpenFaceCsv(text: string, file: string, options: OpenFaceCsvOptions = {}): OpenFaceCsv {
  const wantAus = options.aus ?? true;
  const wantLandmarks = options.landmarks ?? true;
  const lines = text.split('\n');
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '') {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new AlsgError('E_INPUT', `${file}: empty OpenFace CSV (expected a header line)`, { file });
  const header = lines[headerLine].split(',').map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, k) => {
    if (!index.has(h)) index.set(h, k);
  });
  const mode: 'image' | 'video' = index.has('frame') && index.has('face_id') ? 'video' : 'image';
  const needed = [...(mode === 'video' ? VIDEO_LEAD.filter((c) => c !== 'timestamp') : IMAGE_LEAD)];
  if (wantLandmarks) needed.push(...LANDMARK_COLUMNS);
  if (wantAus) needed.push(...AU_COLUMNS);
  const missing = needed.filter((c) => !index.has(c));
  if (missing.length > 0) {
    const hint =
      missing.some((c) => AU_COLUMNS.includes(c)) || missing.some((c) => LANDMARK_COLUMNS.includes(c))
        ? ' (run OpenFace with -2Dfp -aus, or with no output flag, so that 2D landmarks and AU intensities are written)'
        : '';
    const shown = missing.length > 6 ? `${missing.slice(0, 6).join(', ')}, ... (${missing.length} missing)` : missing.join(', ');
    throw new AlsgError('E_INPUT', `${file}: missing column ${shown}${hint}`, { file, column: missing[0], missing });
  }
  const auIdx = wantAus ? AU_COLUMNS.map((c) => index.get(c)!) : [];
  const lmIdx = wantLandmarks ? LANDMARK_COLUMNS.map((c) => index.get(c)!) : [];
  const confIdx = index.get('confidence')!;
  const faceIdx = index.get(mode === 'video' ? 'face_id' : 'face')!;
  const frameIdx = index.get('frame');
  const successIdx = index.get('success');
  const rows: OpenFaceRow[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      throw new AlsgError('E_INPUT', `${file}:${line}: expected ${header.length} fields like the header, but got ${cells.length}`, { file, line });
    }
    const au = wantAus ? Float32Array.from(auIdx, (k, j) => parseCell(cells[k], file, line, AU_COLUMNS[j])) : null;
    const landmarks = wantLandmarks ? Float32Array.from(lmIdx, (k, j) => parseCell(cells[k], file, line, LANDMARK_COLUMNS[j])) : null;
    rows.push({
      line,
      face: parseCell(cells[faceIdx], file, line, mode === 'video' ? 'face_id' : 'face'),
      frame: frameIdx === undefined || mode === 'image' ? undefined : parseCell(cells[frameIdx], file, line, 'frame'),
      confidence: parseCell(cells[confIdx], file, line, 'confidence'),
      success: mode === 'image' || successIdx === undefined ? true : parseCell(cells[successIdx], file, line, 'success') !== 0,
      au,
      landmarks,
    });
  }
  return { mode, header, rows };
}

/** True when a row is a usable face: success, finite confidence and finite values in every group that was read. */
export function isUsableRow(row: OpenFaceRow): boolean {
  if (!row.success || !Number.isFinite(row.confidence)) return false;
  for (const group of [row.au, row.landmarks]) if (group) for (const v of group) if (!Number.isFinite(v)) return false;
  return true;
}

/** The most confident usable row (first one on ties), or undefined when none is usable. */
export function mostConfidentFace(rows: readonly OpenFaceRow[]): OpenFaceRow | undefined {
  let best: OpenFaceRow | undefined;
  for (const row of rows) if (isUsableRow(row) && (!best || row.confidence > best.confidence)) best = row;
  return best;
}

/** Result of reading the CSV of one image. */
export interface FaceObservation {
  /** ok | no-face | low-confidence (unreadable is decided before OpenFace runs). */
  status: 'ok' | 'no-face' | 'low-confidence';
  /** Confidence of the kept face; NaN when there is none. */
  confidence: number;
  /** 17 AU intensities, or null when not ok or not read. */
  au: Float32Array | null;
  /** 136 landmark coordinates, or null when not ok or not read. */
  landmarks: Float32Array | null;
  /** How many faces (rows) the CSV held. */
  faces: number;
}

/** Turns the rows of one image into an observation: the most confident usable face, thresholded by `minConfidence`. */
export function observeRows(rows: readonly OpenFaceRow[], minConfidence: number): FaceObservation {
  const best = mostConfidentFace(rows);
  if (!best) {
    const confidences = rows.map((r) => r.confidence).filter(Number.isFinite);
    return { status: 'no-face', confidence: confidences.length ? Math.max(...confidences) : Number.NaN, au: null, landmarks: null, faces: rows.length };
  }
  if (best.confidence < minConfidence) return { status: 'low-confidence', confidence: best.confidence, au: null, landmarks: null, faces: rows.length };
  return { status: 'ok', confidence: best.confidence, au: best.au, landmarks: best.landmarks, faces: rows.length };
}

/**
 * Reads the FaceLandmarkImg CSV of one image. A missing file means OpenFace found no face (it writes no CSV then).
 * @param file path of `<stem>.csv`.
 * @param minConfidence faces below this confidence give status low-confidence.
 */
export function readOpenFaceCsv(file: string, minConfidence: number, options: OpenFaceCsvOptions = {}): FaceObservation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'no-face', confidence: Number.NaN, au: null, landmarks: null, faces: 0 };
    throw new AlsgError('E_INPUT', `${file}: cannot read OpenFace CSV`, { file, cause: err });
  }
  return observeRows(parseOpenFaceCsv(text, file, options).rows, minConfidence);
}
