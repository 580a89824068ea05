/**
 * The seven synthetic datasets of synthfer and what makes each one differ. Every number here was fixed from the real
 * dataset's published description (sizes, class counts, capture conditions, annotation protocol) before any method was
 * trained; docs/synthfer.md gives the reasoning per dataset. Never tune these to make a method win.
 */
import type { Split } from '@ldl-alsg/datasets';

export type SynthferDataset = 'affectnet-syn' | 'raf-syn' | 'sfew-syn' | 'ckplus-syn' | 'cfee-syn' | 'mmi-syn' | 'oulu-syn';
/** The synthetic datasets in canonical order (wild first, then lab; the order of every generated output). */
export const SYNTHFER_DATASETS: readonly SynthferDataset[] = ['affectnet-syn', 'raf-syn', 'sfew-syn', 'ckplus-syn', 'cfee-syn', 'mmi-syn', 'oulu-syn'];

/** How the observed label is produced from the latent distribution (see annotator.ts). */
export interface AnnotatorSpec {
  /**
   * Decisiveness: the annotator's perceived distribution is p^(1/temperature), renormalised. 1 = a single annotator who
   * picks a class with the latent probability; < 1 = a majority vote of many annotators (sharper, closer to the argmax).
   * 0 = the posed (instructed) class, as in lab datasets.
   */
  temperature: number;
  /** Systematic confusions: [from, to, rate] - a perceived `from` is reported as `to` with this probability. */
  confusions: [string, string, number][];
  /** Per-class reporting bias (multiplies the perceived probabilities; canonical order). */
  bias: number[];
  /** Probability of a careless label drawn uniformly from the other classes. */
  slip: number;
}

/** Nuisance of the capture conditions (see render.ts). Angles in degrees, sizes in pixels at 64x64. */
export interface CaptureSpec {
  yawSd: number;
  pitchSd: number;
  rollSd: number;
  /** Face scale (pixels per face unit at 64x64) mean and sd. */
  scale: [number, number];
  /** Translation sd of the face centre, pixels at 64x64. */
  shiftSd: number;
  /** Probability that the source was low resolution, and the range of its effective size (pixels). */
  lowRes: [number, number, number];
  /** Gaussian blur sigma range (pixels at 64x64). */
  blur: [number, number];
  /** Pixel noise sd range (0..1 grey). */
  noise: [number, number];
  /** Brightness mean/sd, contrast range, strength of a directional illumination gradient (0..1). */
  brightness: [number, number];
  contrast: [number, number];
  lightGradient: number;
  /** Probability of an occluder (hand, hair, object) over part of the face. */
  occlusion: number;
  /** Cluttered background (wild) or uniform (lab). */
  clutter: boolean;
  /** Near-infrared look (Oulu-CASIA's NIR/weak-light captures): flattened skin/lip contrast. */
  nir: boolean;
}

/** What an OpenFace extractor would get from these images (see observation.ts). */
export interface ExtractorSpec {
  /** Base probability that no face is found, before pose/resolution/occlusion make it worse. */
  missBase: number;
  /** Probability of a second (spurious) detection in the image. */
  secondFace: number;
  /** AU intensity noise sd at ideal quality (OpenFace units); grows with difficulty. */
  auNoise: number;
  /** Landmark noise sd as a fraction of the inter-ocular distance at ideal quality. */
  landmarkNoise: number;
}

export interface DomainSpec {
  dataset: SynthferDataset;
  domain: 'wild' | 'lab';
  splits: readonly Split[];
  /** Dominant-class prior per split (canonical order; normalised on use). */
  prior: Partial<Record<Split, number[]>>;
  /** Ambiguity: Beta(a, b) for the share of the latent distribution spread over blended classes. */
  ambiguity: [number, number];
  /** Probability that a face shows a compound expression (Du et al. 2014) of its class and an affine partner. */
  compound: number;
  /** Expression intensity multiplier mean and sd (1 = prototype intensity; posed lab data > 1, spontaneous < 1). */
  intensity: [number, number];
  /** Number of distinct subjects (0 = every image a new person). */
  subjects: number;
  capture: CaptureSpec;
  annotator: AnnotatorSpec;
  extractor: ExtractorSpec;
}

const WILD_CONFUSIONS: [string, string, number][] = [
  ['fear', 'surprise', 0.12],
  ['disgust', 'anger', 0.1],
  ['anger', 'disgust', 0.05],
  ['sad', 'neutral', 0.06],
  ['surprise', 'happy', 0.03],
];

const LAB_CAPTURE: CaptureSpec = {
  yawSd: 3,
  pitchSd: 3,
  rollSd: 2,
  scale: [50, 2],
  shiftSd: 1,
  lowRes: [0, 64, 64],
  blur: [0, 0.3],
  noise: [0.005, 0.015],
  brightness: [0.0, 0.04],
  contrast: [0.95, 1.05],
  lightGradient: 0.05,
  occlusion: 0,
  clutter: false,
  nir: false,
};

const LAB_EXTRACTOR: ExtractorSpec = { missBase: 0.004, secondFace: 0, auNoise: 0.3, landmarkNoise: 0.02 };
const POSED: AnnotatorSpec = { temperature: 0, confusions: [], bias: [1, 1, 1, 1, 1, 1, 1], slip: 0.01 };

/** The seven domains. Priors are the real datasets' class frequencies (canonical order neutral..anger). */
export const DOMAINS: Record<SynthferDataset, DomainSpec> = {
  // AffectNet (Mollahosseini et al. 2017): web images, one annotator per image (60.7% agreement between two annotators),
  // strongly imbalanced training set (happy 47%, neutral 26%), balanced validation set (500 per class).
  'affectnet-syn': {
    dataset: 'affectnet-syn',
    domain: 'wild',
    splits: ['train', 'val', 'test'],
    prior: {
      train: [0.264, 0.472, 0.09, 0.05, 0.022, 0.013, 0.088],
      val: [1, 1, 1, 1, 1, 1, 1],
      test: [1, 1, 1, 1, 1, 1, 1],
    },
    ambiguity: [2.2, 4.5],
    compound: 0.2,
    intensity: [0.8, 0.25],
    subjects: 0,
    capture: {
      yawSd: 18,
      pitchSd: 10,
      rollSd: 8,
      scale: [48, 5],
      shiftSd: 2.5,
      lowRes: [0.35, 22, 48],
      blur: [0, 0.9],
      noise: [0.01, 0.04],
      brightness: [0, 0.12],
      contrast: [0.7, 1.2],
      lightGradient: 0.35,
      occlusion: 0.1,
      clutter: true,
      nir: false,
    },
    annotator: { temperature: 1, confusions: WILD_CONFUSIONS, bias: [1.25, 1.1, 1, 1, 0.9, 0.85, 1], slip: 0.04 },
    extractor: { missBase: 0.015, secondFace: 0.01, auNoise: 0.45, landmarkNoise: 0.04 },
  },
  // RAF-DB (Li, Deng & Du 2017): web images, ~40 crowd votes per image reduced by EM (a sharper label), aligned crops
  // (less pose/scale jitter in the crop), class frequencies of the basic set (12,271 train / 3,068 test).
  'raf-syn': {
    dataset: 'raf-syn',
    domain: 'wild',
    splits: ['train', 'test'],
    prior: {
      train: [0.206, 0.389, 0.162, 0.105, 0.023, 0.058, 0.057],
      test: [0.222, 0.386, 0.156, 0.107, 0.024, 0.052, 0.053],
    },
    ambiguity: [2, 5],
    compound: 0.25,
    intensity: [0.85, 0.25],
    subjects: 0,
    capture: {
      yawSd: 15,
      pitchSd: 8,
      rollSd: 3,
      scale: [52, 2.5],
      shiftSd: 1,
      lowRes: [0.25, 24, 56],
      blur: [0, 0.7],
      noise: [0.01, 0.035],
      brightness: [0, 0.1],
      contrast: [0.75, 1.2],
      lightGradient: 0.3,
      occlusion: 0.08,
      clutter: true,
      nir: false,
    },
    annotator: {
      temperature: 0.5,
      confusions: [['fear', 'surprise', 0.1], ['disgust', 'anger', 0.06], ['sad', 'neutral', 0.04], ['anger', 'disgust', 0.03]],
      bias: [1, 1, 1.1, 1, 0.9, 1.1, 0.95],
      slip: 0.02,
    },
    extractor: { missBase: 0.01, secondFace: 0.005, auNoise: 0.42, landmarkNoise: 0.035 },
  },
  // SFEW 2.0 (Dhall et al. 2011): frames from movies; extreme pose, low resolution, motion blur, dark scenes; labels from
  // context by two annotators. Class frequencies of the validation set.
  'sfew-syn': {
    dataset: 'sfew-syn',
    domain: 'wild',
    splits: ['test'],
    prior: { test: [0.19, 0.17, 0.17, 0.13, 0.11, 0.05, 0.18] },
    ambiguity: [2.5, 4],
    compound: 0.25,
    intensity: [0.75, 0.3],
    subjects: 0,
    capture: {
      yawSd: 32,
      pitchSd: 15,
      rollSd: 10,
      scale: [44, 7],
      shiftSd: 4,
      lowRes: [1, 18, 36],
      blur: [0.2, 1.0],
      noise: [0.02, 0.05],
      brightness: [-0.12, 0.12],
      contrast: [0.5, 1.0],
      lightGradient: 0.5,
      occlusion: 0.18,
      clutter: true,
      nir: false,
    },
    annotator: {
      temperature: 0.85,
      confusions: [['fear', 'surprise', 0.12], ['disgust', 'anger', 0.12], ['neutral', 'sad', 0.08], ['sad', 'neutral', 0.08]],
      bias: [1, 1, 1.1, 1, 1.05, 0.8, 1.1],
      slip: 0.05,
    },
    extractor: { missBase: 0.04, secondFace: 0.02, auNoise: 0.6, landmarkNoise: 0.06 },
  },
  // CK+ (Lucey et al. 2010): posed, frontal, studio light, 123 subjects; the paper's protocol: first frame neutral, last
  // (peak) frame expressive, 636 images, so half are neutral; labels FACS-validated.
  'ckplus-syn': {
    dataset: 'ckplus-syn',
    domain: 'lab',
    splits: ['test'],
    prior: { test: [0.514, 0.108, 0.044, 0.131, 0.039, 0.093, 0.071] },
    ambiguity: [1, 12],
    compound: 0.03,
    intensity: [1.15, 0.15],
    subjects: 123,
    capture: { ...LAB_CAPTURE, contrast: [0.9, 1.1] },
    annotator: POSED,
    extractor: LAB_EXTRACTOR,
  },
  // CFEE (Du et al. 2014): 230 subjects, posed under instruction, well lit, frontal; 7 images per subject selected
  // (balanced); the strongest, cleanest expressions.
  'cfee-syn': {
    dataset: 'cfee-syn',
    domain: 'lab',
    splits: ['test'],
    prior: { test: [1, 1, 1, 1, 1, 1, 1] },
    ambiguity: [1, 14],
    compound: 0.02,
    intensity: [1.2, 0.12],
    subjects: 230,
    capture: { ...LAB_CAPTURE, brightness: [0.05, 0.03], noise: [0.003, 0.01] },
    annotator: POSED,
    extractor: LAB_EXTRACTOR,
  },
  // MMI (Pantic et al. 2005; Valstar & Pantic 2010): 30 subjects, the middle third of onset-apex-offset sequences, so
  // intensities vary and are often subtle; some head motion.
  'mmi-syn': {
    dataset: 'mmi-syn',
    domain: 'lab',
    splits: ['test'],
    prior: { test: [0.25, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125] },
    ambiguity: [1.5, 8],
    compound: 0.05,
    intensity: [0.7, 0.25],
    subjects: 30,
    capture: { ...LAB_CAPTURE, yawSd: 6, pitchSd: 5, rollSd: 4 },
    annotator: { ...POSED, slip: 0.02 },
    extractor: { ...LAB_EXTRACTOR, auNoise: 0.35 },
  },
  // Oulu-CASIA (Zhao et al. 2011): 80 subjects, NIR and weak-light captures: low contrast, dark, noisy; last two fifths
  // of each posed sequence (near apex).
  'oulu-syn': {
    dataset: 'oulu-syn',
    domain: 'lab',
    splits: ['test'],
    prior: { test: [0.25, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125] },
    ambiguity: [1, 10],
    compound: 0.03,
    intensity: [1.0, 0.18],
    subjects: 80,
    capture: { ...LAB_CAPTURE, brightness: [-0.15, 0.05], contrast: [0.45, 0.6], noise: [0.02, 0.035], blur: [0.3, 0.7], nir: true },
    annotator: POSED,
    extractor: { ...LAB_EXTRACTOR, missBase: 0.01, auNoise: 0.45, landmarkNoise: 0.03 },
  },
};
