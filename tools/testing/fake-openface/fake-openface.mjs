/**
 * Shared body of the OpenFace stand-ins (FaceLandmarkImg, FeatureExtraction) used by the tests. It imitates OpenFace 2.x
 * where the extract stage depends on it (reference/openface.md):
 * - flags `-f <img>` (repeatable), `-fdir <dir>`, `-out_dir <dir>`, `-2Dfp`, `-aus`, `-pose` (with no output flag, every
 *   group is written: gaze, pose, 2D, 3D, shape parameters, AUs), other flags ignored;
 * - FaceLandmarkImg: one `<stem>.csv` per image with columns `face, confidence, ...`, one row per face; no CSV (only
 *   `<stem>_of_details.txt`) when there is no face;
 * - FeatureExtraction: one `<dir name>.csv` for a `-fdir` folder (frames in name order), video columns
 *   `frame, face_id, timestamp, confidence, success, ...`, one row per frame (success 0 and zeros when no face);
 * - an unreadable image (not a complete PNG / JPEG / BMP) makes the whole run exit 1 before any CSV is written.
 * What it "finds" in an image is written in the image itself: a PNG `tEXt` chunk with keyword `fake-openface` holding
 * JSON `{ "faces": [{ "confidence": 0.9, "au": [17 numbers], "landmarks": [136 numbers] }], "separator": ", ",
 * "crash": true, "sleepMs": 5000 }` (all optional; default one face of confidence 0.98 with values derived from the
 * file size). `crash` = OpenFace fails on this readable image (exit 1); `sleepMs` = it hangs that long.
 * With FAKE_OPENFACE_LOG=<file> set, each call appends its arguments to that file as a JSON array.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const AU_IDS = ['01', '02', '04', '05', '06', '07', '09', '10', '12', '14', '15', '17', '20', '23', '25', '26', '45'];
const AU_C_IDS = [...AU_IDS.slice(0, 16), '28', '45'];

function readSpec(bytes) {
  // PNG: 8-byte signature, then chunks [length][type][data][crc]
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const len = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    if (type === 'tEXt') {
      const data = bytes.subarray(pos + 8, pos + 8 + len);
      const nul = data.indexOf(0);
      if (data.toString('latin1', 0, nul) === 'fake-openface') return JSON.parse(data.toString('utf8', nul + 1));
    }
    pos += 12 + len;
  }
  return {};
}

/** Readable = a complete PNG (signature + IEND), JPEG (SOI ... EOI) or BMP (BM + declared size). */
function isReadable(bytes) {
  if (bytes.length > 8 && bytes.readUInt32BE(0) === 0x89504e47) return bytes.includes(Buffer.from('IEND', 'latin1'));
  if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
  if (bytes.length > 14 && bytes.toString('latin1', 0, 2) === 'BM') return bytes.readUInt32LE(2) <= bytes.length;
  return false;
}

function defaultFace(seed) {
  return {
    confidence: 0.98,
    au: AU_IDS.map((_, k) => ((seed * 7 + k * 13) % 500) / 100),
    landmarks: Array.from({ length: 136 }, (_, k) => 100 + ((seed + k * 17) % 300) + (k < 68 ? 0 : 50)),
  };
}

function columns(flags) {
  const all = !flags.landmarks2d && !flags.aus && !flags.pose;
  const cols = [];
  const groups = [];
  if (all) {
    const gaze = ['gaze_0_x', 'gaze_0_y', 'gaze_0_z', 'gaze_1_x', 'gaze_1_y', 'gaze_1_z', 'gaze_angle_x', 'gaze_angle_y'];
    const eye = [...Array.from({ length: 56 }, (_, i) => `eye_lmk_x_${i}`), ...Array.from({ length: 56 }, (_, i) => `eye_lmk_y_${i}`)];
    cols.push(...gaze, ...eye);
    groups.push(['filler', gaze.length + eye.length]);
  }
  if (all || flags.pose) {
    cols.push('pose_Tx', 'pose_Ty', 'pose_Tz', 'pose_Rx', 'pose_Ry', 'pose_Rz');
    groups.push(['filler', 6]);
  }
  if (all || flags.landmarks2d) {
    cols.push(...Array.from({ length: 68 }, (_, i) => `x_${i}`), ...Array.from({ length: 68 }, (_, i) => `y_${i}`));
    groups.push(['landmarks', 136]);
  }
  if (all) {
    const l3 = ['X', 'Y', 'Z'].flatMap((a) => Array.from({ length: 68 }, (_, i) => `${a}_${i}`));
    const p = ['p_scale', 'p_rx', 'p_ry', 'p_rz', 'p_tx', 'p_ty', ...Array.from({ length: 34 }, (_, i) => `p_${i}`)];
    cols.push(...l3, ...p);
    groups.push(['filler', l3.length + p.length]);
  }
  if (all || flags.aus) {
    cols.push(...AU_IDS.map((id) => `AU${id}_r`), ...AU_C_IDS.map((id) => `AU${id}_c`));
    groups.push(['au', 17], ['au_c', 18]);
  }
  return { cols, groups };
}

function values(face, groups) {
  const out = [];
  for (const [kind, n] of groups) {
    if (kind === 'landmarks') out.push(...face.landmarks.map((v) => Number(v).toFixed(1)));
    else if (kind === 'au') out.push(...face.au.map((v) => Number(v).toFixed(2)));
    else if (kind === 'au_c') out.push(...Array.from({ length: n }, (_, k) => (face.au[Math.min(k, 16)] > 1 ? '1.00' : '0.00')));
    else out.push(...Array.from({ length: n }, (_, k) => (0.001 * k).toFixed(3)));
  }
  return out;
}

function parseArgs(argv) {
  // tests may ask for a log of every call's arguments
  if (process.env.FAKE_OPENFACE_LOG) appendFileSync(process.env.FAKE_OPENFACE_LOG, JSON.stringify(argv) + '\n');
  const opts = { files: [], fdir: undefined, outDir: 'processed', landmarks2d: false, aus: false, pose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-f') opts.files.push(argv[++i]);
    else if (a === '-fdir') opts.fdir = argv[++i];
    else if (a === '-out_dir') opts.outDir = argv[++i];
    else if (a === '-2Dfp') opts.landmarks2d = true;
    else if (a === '-aus') opts.aus = true;
    else if (a === '-pose') opts.pose = true;
    else if (a === '-mloc' || a === '-of' || a === '-fx' || a === '-fy' || a === '-cx' || a === '-cy') i++;
  }
  return opts;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.bmp']);

function listDir(dir) {
  return readdirSync(dir)
    .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
}

function loadAll(files) {
  const loaded = [];
  for (const file of files) {
    if (!existsSync(file) || !statSync(file).isFile()) {
      process.stderr.write(`Could not find the input file ${file}\n`);
      process.exit(1);
    }
    const bytes = readFileSync(file);
    if (!isReadable(bytes)) {
      // the real binary aborts the whole batch here
      process.stderr.write(`ERROR: Could not read the image ${file}\n`);
      process.exit(1);
    }
    const spec = bytes.readUInt32BE(0) === 0x89504e47 ? readSpec(bytes) : {};
    loaded.push({ file, spec, size: bytes.length });
  }
  return loaded;
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function facesOf(item) {
  if (item.spec.sleepMs) sleep(item.spec.sleepMs);
  if (item.spec.crash) {
    process.stderr.write(`terminate called after throwing an instance of 'cv::Exception' (${item.file})\n`);
    process.exit(1);
  }
  const faces = item.spec.faces ?? [{}];
  return faces.map((f, k) => ({ ...defaultFace(item.size + k), ...f }));
}

/** FaceLandmarkImg: one CSV per image, a row per face. */
export function faceLandmarkImg(argv) {
  const opts = parseArgs(argv);
  const files = [...opts.files, ...(opts.fdir ? listDir(opts.fdir) : [])];
  if (files.length === 0) {
    process.stderr.write('No input specified (use -f or -fdir)\n');
    process.exit(1);
  }
  const items = loadAll(files);
  mkdirSync(opts.outDir, { recursive: true });
  const { cols, groups } = columns(opts);
  for (const item of items) {
    const stem = basename(item.file, extname(item.file));
    const faces = facesOf(item);
    writeFileSync(join(opts.outDir, `${stem}_of_details.txt`), `Input:${item.file}\n`);
    if (faces.length === 0) continue;
    const sep = item.spec.separator ?? ',';
    const lines = [['face', 'confidence', ...cols].join(sep)];
    faces.forEach((f, k) => lines.push([String(k), Number(f.confidence).toFixed(3), ...values(f, groups)].join(sep)));
    writeFileSync(join(opts.outDir, `${stem}.csv`), lines.join('\n') + '\n');
  }
}

/** FeatureExtraction on a frame folder (-fdir): one CSV for the sequence, a row per frame. */
export function featureExtraction(argv) {
  const opts = parseArgs(argv);
  if (!opts.fdir) {
    process.stderr.write('fake FeatureExtraction supports -fdir <frames dir> only\n');
    process.exit(1);
  }
  const items = loadAll(listDir(opts.fdir));
  mkdirSync(opts.outDir, { recursive: true });
  const { cols, groups } = columns(opts);
  const sep = items[0]?.spec.separator ?? ', ';
  const lines = [['frame', 'face_id', 'timestamp', 'confidence', 'success', ...cols].join(sep)];
  items.forEach((item, k) => {
    const faces = facesOf(item);
    const f = faces[0];
    const head = [String(k + 1), '0', (k / 30).toFixed(3)];
    if (f) lines.push([...head, Number(f.confidence).toFixed(3), '1', ...values(f, groups)].join(sep));
    else lines.push([...head, '0.000', '0', ...values({ au: new Array(17).fill(0), landmarks: new Array(136).fill(0) }, groups)].join(sep));
  });
  writeFileSync(join(opts.outDir, `${basename(opts.fdir.replace(/\/+$/, ''))}.csv`), lines.join('\n') + '\n');
}
