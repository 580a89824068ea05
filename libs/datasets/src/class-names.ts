/**
 * Class names as they appear in folder names and CSV manifests, mapped to the canonical classes of @ldl-alsg/labels.
 * Contempt is a real expression outside the paper's 7 classes: it maps to a drop with reason `contempt`, never to an
 * error, so datasets that carry it (CK+, AffectNet, FERPlus, user folders) are counted, not rejected.
 */
import { CLASSES, classIndex } from '@ldl-alsg/labels';

/** What a source label means: a canonical class (index into CLASSES) or a counted drop with a stable reason. */
export type LabelMapping = { kind: 'class'; index: number } | { kind: 'drop'; reason: SkipReason };

/**
 * Stable skip reasons written to ingest-report.json. Each names why an item present in the source did not become a
 * manifest row.
 */
export type SkipReason =
  | 'contempt' // contempt expression (CK+ 2, AffectNet 7, FERPlus contempt majority)
  | 'none' // AffectNet 8: no expression among the 8
  | 'uncertain' // AffectNet 9
  | 'no-face' // AffectNet 10, FERPlus empty name / NF majority
  | 'unknown' // FERPlus "unknown" majority
  | 'no-majority' // FERPlus: no class holds more than half of the votes (after dropping single votes)
  | 'unlabelled' // SFEW test images, CK+ sequences without an emotion file
  | 'non-basic' // a class folder outside the 7 basic + contempt under the cfee protocol (compound expressions)
  | 'short-sequence' // a sequence too short for its protocol
  | 'split-excluded' // the split was mapped to `skip` by splitMap
  | 'low-confidence' // ExpW face box below minFaceConfidence
  | 'bad-box' // ExpW face box empty or outside the image
  | 'missing-image' // the label file lists an image that is not on disk
  | 'unsafe-path' // an image name or id that would leave its folder (.., absolute, backslash, NUL): adapters/safe-path.ts
  | 'unreadable'; // the image cannot be decoded (corrupt, truncated) or FER2013 pixels are malformed

const ALIASES: Record<string, string> = {
  neutral: 'neutral',
  happy: 'happy',
  happiness: 'happy',
  happily: 'happy',
  joy: 'happy',
  sad: 'sad',
  sadness: 'sad',
  surprise: 'surprise',
  surprised: 'surprise',
  fear: 'fear',
  fearful: 'fear',
  afraid: 'fear',
  disgust: 'disgust',
  disgusted: 'disgust',
  anger: 'anger',
  angry: 'anger',
};

/** The names {@link mapClassName} accepts, for error messages. */
export const ACCEPTED_CLASS_NAMES = [...Object.keys(ALIASES), 'contempt'];

/**
 * Maps a class name written by a person (folder name, CSV cell) to a canonical class: case-insensitive, with the usual
 * spellings (Angry, happiness, Surprised, ...). `contempt` maps to a drop. Returns null for anything else.
 */
export function mapClassName(name: string): LabelMapping | null {
  const key = name.trim().toLowerCase();
  if (key === 'contempt' || key === 'contemptuous') return { kind: 'drop', reason: 'contempt' };
  const canonical = ALIASES[key];
  if (canonical === undefined) return null;
  return { kind: 'class', index: classIndex(canonical) };
}

/** Builds a code -> mapping table from a dataset's label order written as canonical names (or drop reasons). */
export function codeTable(order: readonly (string | { drop: SkipReason })[]): LabelMapping[] {
  return order.map((entry) => {
    if (typeof entry !== 'string') return { kind: 'drop', reason: entry.drop };
    const index = classIndex(entry);
    // An internal invariant: code tables are constants in the adapters, checked when their module loads.
    if (index < 0) throw new Error(`codeTable: "${entry}" is not one of ${CLASSES.join(', ')}`);
    return { kind: 'class', index };
  });
}
