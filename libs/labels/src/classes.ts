/**
 * The label spaces of the paper: the 7 expression classes (main task) and the two auxiliary spaces, 17 OpenFace AU
 * intensities and 68 iBUG facial points.
 */

/** Canonical class order (AffectNet's, used by LDLVA); every artifact's class index refers to this order. */
export const CLASSES = ['neutral', 'happy', 'sad', 'surprise', 'fear', 'disgust', 'anger'] as const;
export type ClassName = (typeof CLASSES)[number];
export const NUM_CLASSES = CLASSES.length;

/** Index of a canonical class name, or -1. */
export function classIndex(name: string): number {
  return (CLASSES as readonly string[]).indexOf(name);
}

/** The 17 AU intensities OpenFace 2 reports (`AUxx_r`, 0..5), in OpenFace's column order. */
export const AU_IDS = ['01', '02', '04', '05', '06', '07', '09', '10', '12', '14', '15', '17', '20', '23', '25', '26', '45'] as const;
export const AU_COLUMNS = AU_IDS.map((id) => `AU${id}_r`);
export const NUM_AUS = AU_IDS.length;

/** iBUG-68 facial points; stored as x_0..x_67 then y_0..y_67 (OpenFace's column order), 136 values per face. */
export const NUM_LANDMARKS = 68;
export const LANDMARK_COLUMNS = [...Array.from({ length: 68 }, (_, i) => `x_${i}`), ...Array.from({ length: 68 }, (_, i) => `y_${i}`)];

/** The paper's sigma of Eq. 3 for each auxiliary space (Sec. 4.2). */
export const PAPER_SIGMA = { au: 1, landmarks: 68 } as const;
