/**
 * The embedded extractor: `@vladmandic/face-api` (SSD MobileNetV1 face detector + 68-point landmark net, weights shipped
 * in the package) on the TensorFlow.js wasm backend, so it needs nothing installed. It provides the facial-landmark
 * label space (iBUG-68, the same layout as OpenFace's x_0..x_67, y_0..y_67, in pixels of the original image). It has
 * no action-unit model: AU values stay NaN, and nothing here is presented as OpenFace AUs.
 *
 * Why these choices: `dist/face-api.node-wasm.js` is the build that runs on `@tensorflow/tfjs` + wasm without
 * tfjs-node (which cannot install here); images are decoded with sharp (`removeAlpha().toColourspace('srgb').raw()`),
 * because face-api's own loaders need a canvas. Faces that fill the whole frame (aligned crops such as RAF-DB's) are
 * hard for an SSD detector, so an image where no face is found is tried again with a grey border (`padFraction`), and
 * the points are mapped back to the original pixels.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { AlsgError } from '@ldl-alsg/common';
import type { ImageResult } from './openface-runner';

// face-api's node-wasm build is CommonJS and its d.ts is loose; the few members used are typed here.
interface FaceApiPoint {
  x: number;
  y: number;
}
interface FaceApiResult {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } };
  landmarks: { positions: FaceApiPoint[] };
}
interface FaceApiTensor {
  dispose(): void;
}
interface FaceApiModule {
  version: string;
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    version_core: string;
    tensor3d(data: Uint8Array, shape: [number, number, number], dtype: 'int32'): FaceApiTensor;
    engine(): { startScope(): void; endScope(): void };
  };
  nets: { ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> }; faceLandmark68Net: { loadFromDisk(dir: string): Promise<void> } };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(input: FaceApiTensor, options: unknown): { withFaceLandmarks(): Promise<FaceApiResult[]> };
  detectFaceLandmarks(input: FaceApiTensor): Promise<{ positions: FaceApiPoint[] }>;
}

/** One face found by face-api. */
export interface DetectedFace {
  /** SSD detection score, 0..1 (the extractor's "confidence"). */
  score: number;
  /** Face box in original-image pixels. */
  box: { x: number; y: number; width: number; height: number };
  /** x_0..x_67 then y_0..y_67, original-image pixels. */
  landmarks: Float32Array;
}

/** How the face is found: see {@link FaceApiOptions.faceBox}. */
export type FaceBoxMode = 'auto' | 'detect' | 'whole-image';

/** Options of {@link FaceApiExtractor.create}. */
export interface FaceApiOptions {
  /**
   * detect: SSD face detection, then landmarks in the best box (photos, full frames); whole-image: the image is an
   * aligned face crop (RAF-DB aligned, FER2013, the synthetic benchmark) and the landmark net reads all of it, with no
   * detector and so no confidence; auto (default): whole-image when the larger image side is at most `cropMaxSide`
   * pixels, detect otherwise. Measured on 60 of the synthetic benchmark's 64x64 crops: SSD found 5 faces (~0.7 s per
   * image); the landmark net on the whole image found all 60, mean absolute coordinate error against the true points
   * 1.6 px (median over images; p90 4.5 px), ~25 ms per image.
   */
  faceBox?: FaceBoxMode;
  /** auto: images whose larger side is at most this many pixels are treated as face crops. Default 200. */
  cropMaxSide?: number;
  /** Detector threshold: faces scoring below it are not returned at all. Default 0.1 (low, so that weak faces are seen and reported as low-confidence rather than no-face). */
  detectorMinConfidence?: number;
  /** At most this many faces per image. Default 20. */
  maxFaces?: number;
  /** Grey border added on each side for the second try on an image where no face was found, as a fraction of the larger image side; 0 = no second try. Default 0.25. */
  padFraction?: number;
}

let loaded: Promise<FaceApiModule> | undefined;

/** Loads face-api once per process, on the wasm backend, with the SSD and 68-landmark weights of the package. */
async function loadFaceApi(): Promise<FaceApiModule> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    let faceapi: FaceApiModule;
    let modelDir: string;
    try {
      faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
      modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    } catch (cause) {
      throw new AlsgError('E_DEPENDENCY', 'extract: cannot load @vladmandic/face-api with @tensorflow/tfjs-backend-wasm (are they installed? run `npm install` at the repository root)', { cause });
    }
    // the wasm binary ships in @tensorflow/tfjs-backend-wasm and is found next to its JS in Node: no download
    await faceapi.tf.setBackend('wasm');
    await faceapi.tf.ready();
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
    return faceapi;
  })();
  return loaded;
}

/** face-api with its models loaded; one per process is enough. */
export class FaceApiExtractor {
  private constructor(
    private readonly api: FaceApiModule,
    private readonly options: Required<FaceApiOptions>,
  ) {}

  /** Loads the models (about 0.2 s) and switches TensorFlow.js to the wasm backend. */
  static async create(options: FaceApiOptions = {}): Promise<FaceApiExtractor> {
    const api = await loadFaceApi();
    return new FaceApiExtractor(api, {
      detectorMinConfidence: options.detectorMinConfidence ?? 0.1,
      maxFaces: options.maxFaces ?? 20,
      padFraction: options.padFraction ?? 0.25,
      faceBox: options.faceBox ?? 'auto',
      cropMaxSide: options.cropMaxSide ?? 200,
    });
  }

  /** Name and versions for stage.json / extract-report.json. */
  get version(): { extractor: string; version: string; tfjs: string; backend: string; detector: string; landmarks: string } {
    return {
      extractor: 'face-api',
      version: this.api.version,
      tfjs: this.api.tf.version_core,
      backend: this.api.tf.getBackend(),
      detector: 'ssd_mobilenetv1',
      landmarks: 'face_landmark_68',
    };
  }

  /**
   * Detects every face in an image file, most confident first. Throws on an unreadable image. The image is tried as
   * it is first; only when no face is found is it tried again padded (see `padFraction`), because padding shrinks the
   * faces of a full photo in the detector's 512x512 input and costs them score.
   */
  async detect(path: string): Promise<DetectedFace[]> {
    const faces = await this.detectPadded(path, 0);
    if (faces.length > 0 || this.options.padFraction <= 0) return faces;
    return this.detectPadded(path, this.options.padFraction);
  }

  private async detectPadded(path: string, padFraction: number): Promise<DetectedFace[]> {
    const meta = await sharp(path).metadata();
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    const pad = Math.round(padFraction * Math.max(width, height));
    const tensor = await this.decode(path, pad);
    let found: FaceApiResult[];
    try {
      const options = new this.api.SsdMobilenetv1Options({ minConfidence: this.options.detectorMinConfidence, maxResults: this.options.maxFaces });
      found = await this.api.detectAllFaces(tensor, options).withFaceLandmarks();
    } finally {
      tensor.dispose();
    }
    return found
      .map((r): DetectedFace => {
        const lm = new Float32Array(136);
        r.landmarks.positions.forEach((p, i) => {
          lm[i] = p.x - pad;
          lm[68 + i] = p.y - pad;
        });
        const b = r.detection.box;
        return { score: r.detection.score, box: { x: b.x - pad, y: b.y - pad, width: b.width, height: b.height }, landmarks: lm };
      })
      .sort((a, b) => b.score - a.score);
  }

  /** Decodes an image to an int32 [h, w, 3] tensor (EXIF orientation applied, grey/alpha to sRGB), with a grey border of `pad` pixels. */
  private async decode(path: string, pad: number): Promise<FaceApiTensor> {
    const { data, info } = await sharp(path)
      .rotate() // honour EXIF orientation, as the points must match what a viewer shows
      .removeAlpha()
      .toColourspace('srgb')
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 128, g: 128, b: 128 } })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return this.api.tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.length), [info.height, info.width, info.channels], 'int32');
  }

  /** The 68 points of an aligned face crop: the landmark net reads the whole image (no detector). Throws on an unreadable image. */
  async landmarksOfCrop(path: string): Promise<Float32Array> {
    const tensor = await this.decode(path, 0);
    try {
      const found = await this.api.detectFaceLandmarks(tensor);
      const lm = new Float32Array(136);
      found.positions.forEach((p, i) => {
        lm[i] = p.x;
        lm[68 + i] = p.y;
      });
      return lm;
    } finally {
      tensor.dispose();
    }
  }

  /** Whether `path` is handled as a face crop under the extractor's `faceBox` mode. */
  async isCrop(path: string): Promise<boolean> {
    if (this.options.faceBox !== 'auto') return this.options.faceBox === 'whole-image';
    const meta = await sharp(path).metadata();
    return Math.max(meta.width ?? Infinity, meta.height ?? Infinity) <= this.options.cropMaxSide;
  }

  /**
   * The extract stage's result for one image: for a face crop (see `faceBox`), the landmark net on the whole image
   * (status ok, no confidence); otherwise the most confident detected face's 68 points (status ok), low-confidence
   * below `minConfidence`, no-face when none. Unreadable when the file cannot be decoded. `au` is always null.
   */
  async extract(path: string, minConfidence: number): Promise<ImageResult> {
    let faces: DetectedFace[];
    try {
      if (await this.isCrop(path)) {
        // an aligned crop: no detector, so no confidence (minConfidence does not apply)
        return { status: 'ok', confidence: Number.NaN, au: null, landmarks: await this.landmarksOfCrop(path), faces: 1, wholeImage: true };
      }
      faces = await this.detect(path);
    } catch (err) {
      return { status: 'unreadable', confidence: Number.NaN, au: null, landmarks: null, faces: 0, reason: (err as Error).message.split('\n')[0] };
    }
    const best = faces[0];
    if (!best) return { status: 'no-face', confidence: Number.NaN, au: null, landmarks: null, faces: 0 };
    if (best.score < minConfidence) return { status: 'low-confidence', confidence: best.score, au: null, landmarks: null, faces: faces.length };
    return { status: 'ok', confidence: best.score, au: null, landmarks: best.landmarks, faces: faces.length };
  }
}
