/**
 * Per-class AU prototypes and the class affinity structure of synthfer, fixed from the FACS literature before any method
 * was trained on the data (see docs/synthfer.md for the full citations):
 * - Ekman & Friesen, EMFACS-7 (1983) and the FACS Investigator's Guide (Ekman, Friesen & Hager 2002), Table 12-1
 *   "prototypes and major variants": happiness 6+12; sadness 1+4+15 (+17); surprise 1+2+5B+26; fear 1+2+4+5+7+20+26;
 *   disgust 9 or 10 (+15+16/17); anger 4+5+7+23 (+10, +17, +25/26).
 * - Du, Tao & Martinez (2014), "Compound facial expressions of emotion", PNAS 111(15): the AUs used by >= 70% of subjects
 *   (core) and the prevalence of the others, for the basic classes and for compound expressions (happily surprised
 *   1+2+12+25, fearfully surprised 1+2+4+20+25, angrily disgusted 4+10+17, sadly angry 4+15, ...), which are close to the
 *   union of their components' AUs. synthfer blends prototypes with a soft union (see au-model.ts).
 */
import { AU_IDS, CLASSES } from '@ldl-alsg/labels';

/** One AU of a prototype: its typical intensity (FACS A..E ~ 1..5) and how often it appears (Du et al. 2014). */
export interface PrototypeAu {
  au: (typeof AU_IDS)[number];
  intensity: number;
  prevalence: number;
}

/**
 * Class prototypes. Core AUs have prevalence 1; optional ones carry Du et al.'s reported frequency. AUs that EMFACS lists
 * but Du et al. do not report (e.g. AU7 in happiness, AU45 in sadness) get a low prevalence of our choosing (0.15-0.35). AU25 (lips
 * part) accompanies the open-mouth prototypes; AU24 and AU16 are not among OpenFace's 17 and are left out.
 */
export const CLASS_PROTOTYPES: Record<(typeof CLASSES)[number], PrototypeAu[]> = {
  neutral: [],
  happy: [
    { au: '12', intensity: 3.6, prevalence: 1 },
    { au: '06', intensity: 2.6, prevalence: 0.51 },
    { au: '25', intensity: 2.2, prevalence: 1 },
    { au: '07', intensity: 1.2, prevalence: 0.3 },
    { au: '10', intensity: 1.0, prevalence: 0.25 },
  ],
  sad: [
    { au: '01', intensity: 2.6, prevalence: 0.6 },
    { au: '04', intensity: 2.4, prevalence: 1 },
    { au: '15', intensity: 2.8, prevalence: 1 },
    { au: '17', intensity: 2.2, prevalence: 0.67 },
    { au: '06', intensity: 1.2, prevalence: 0.5 },
    { au: '45', intensity: 1.0, prevalence: 0.2 },
  ],
  surprise: [
    { au: '01', intensity: 3.4, prevalence: 1 },
    { au: '02', intensity: 3.4, prevalence: 1 },
    { au: '05', intensity: 2.6, prevalence: 0.66 },
    { au: '25', intensity: 3.0, prevalence: 1 },
    { au: '26', intensity: 3.2, prevalence: 1 },
  ],
  fear: [
    { au: '01', intensity: 3.0, prevalence: 1 },
    { au: '02', intensity: 2.2, prevalence: 0.57 },
    { au: '04', intensity: 2.2, prevalence: 1 },
    { au: '05', intensity: 3.0, prevalence: 0.63 },
    { au: '07', intensity: 1.6, prevalence: 0.4 },
    { au: '20', intensity: 3.0, prevalence: 1 },
    { au: '25', intensity: 2.6, prevalence: 1 },
    { au: '26', intensity: 1.8, prevalence: 0.33 },
  ],
  disgust: [
    { au: '09', intensity: 3.2, prevalence: 1 },
    { au: '10', intensity: 3.0, prevalence: 1 },
    { au: '17', intensity: 2.4, prevalence: 1 },
    { au: '04', intensity: 1.8, prevalence: 0.31 },
    { au: '15', intensity: 1.4, prevalence: 0.3 },
    { au: '25', intensity: 1.4, prevalence: 0.35 },
    { au: '07', intensity: 1.4, prevalence: 0.3 },
  ],
  anger: [
    { au: '04', intensity: 3.6, prevalence: 1 },
    { au: '07', intensity: 2.8, prevalence: 1 },
    { au: '05', intensity: 1.8, prevalence: 0.45 },
    // AU23 stands in for AU24 (lip presser: core in Du et al., not among OpenFace's 17), hence more often than Du's 29%.
    { au: '23', intensity: 2.8, prevalence: 0.75 },
    { au: '17', intensity: 2.2, prevalence: 0.52 },
    { au: '10', intensity: 1.6, prevalence: 0.26 },
    { au: '25', intensity: 1.6, prevalence: 0.3 },
    { au: '09', intensity: 1.0, prevalence: 0.15 },
  ],
};

/** Prototype means as a dense [7][17] table (intensity x prevalence), for the docs and tests. */
export function prototypeMeans(): Float64Array[] {
  return CLASSES.map((c) => {
    const row = new Float64Array(AU_IDS.length);
    for (const p of CLASS_PROTOTYPES[c]) row[AU_IDS.indexOf(p.au)] = p.intensity * p.prevalence;
    return row;
  });
}

/**
 * Which classes blend with which (row: dominant class, columns: partner weights, canonical order). From the compound
 * categories of Du et al. 2014 (happily/fearfully/angrily/sadly/disgustedly surprised, angrily/sadly/happily disgusted,
 * sadly angry, sadly fearful, fearfully angry) and the confusions reported for human observers (fear-surprise,
 * disgust-anger, sad-neutral; e.g. Mollahosseini et al. 2017, Li & Deng 2019). The diagonal is 0.
 */
export const CLASS_AFFINITY: readonly (readonly number[])[] = [
  //  neu   hap   sad   sur   fea   dis   ang
  [0.0, 0.22, 0.3, 0.12, 0.06, 0.1, 0.2], // neutral
  [0.3, 0.0, 0.03, 0.45, 0.02, 0.15, 0.05], // happy
  [0.3, 0.02, 0.0, 0.1, 0.2, 0.15, 0.2], // sad
  [0.08, 0.3, 0.05, 0.0, 0.4, 0.1, 0.07], // surprise
  [0.08, 0.02, 0.2, 0.5, 0.0, 0.1, 0.1], // fear
  [0.1, 0.1, 0.15, 0.1, 0.1, 0.0, 0.45], // disgust
  [0.2, 0.02, 0.15, 0.1, 0.1, 0.43, 0.0], // anger
];
