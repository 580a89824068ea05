import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AlsgError, isAlsgError } from '@ldl-alsg/common';
import { writeFileAtomic, writeJsonAtomic } from '@ldl-alsg/artifacts';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Save a LayersModel in the TensorFlow.js layers format (`model.json` + `weights.bin`) into `dir`, on Node without
 * tfjs-node (whose `file://` save handler is unavailable here). Files are written atomically.
 *
 * @param model the model to save.
 * @param dir output folder (created if missing).
 * @param metadata optional JSON-serialisable `userDefinedMetadata` stored in model.json (e.g. class names, backbone).
 * @returns the path of model.json.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const modelPath = join(dir, 'model.json');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileAtomic(join(dir, WEIGHTS_FILE), Buffer.from(weightData));
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version['tfjs-layers']}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(metadata ?? artifacts.userDefinedMetadata ? { userDefinedMetadata: metadata ?? artifacts.userDefinedMetadata } : {}),
      } as tf.io.ModelJSON;
      writeJsonAtomic(modelPath, json);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer: false },
  );
  return modelPath;
}

/** Bytes per stored value of a weight (its quantisation dtype when quantised). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, int8: 1, complex64: 8 };

/**
 * Bytes the weight specs describe, or a message saying which spec cannot be sized. TF.js itself only notices a short
 * file deep inside tensor creation ("Based on the provided shape, [3,3,1,8], the tensor should have 72 values but has
 * 13"), which reads as an internal error and names no file.
 */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | string {
  let total = 0;
  for (const w of specs) {
    const dtype = w.quantization?.dtype ?? w.dtype;
    const bytes = DTYPE_BYTES[dtype];
    if (!Array.isArray(w.shape) || !w.shape.every((s) => Number.isInteger(s) && s >= 0)) return `weight ${w.name} has shape ${JSON.stringify(w.shape)}, not a list of sizes`;
    if (bytes === undefined) return `weight ${w.name} has dtype ${dtype}, which this loader cannot size`;
    total += w.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/**
 * An IOHandler that reads a layers-format `model.json` and the weight files its manifest names from disk.
 * Use as `tf.loadLayersModel(fileHandler('out/model/model.json'))`.
 *
 * @param modelJsonPath path of model.json (a folder is accepted: model.json inside it is used).
 */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  const path = modelJsonPath.endsWith('.json') ? modelJsonPath : join(modelJsonPath, 'model.json');
  return {
    load: async () => {
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(readFileSync(path, 'utf8')) as tf.io.ModelJSON;
      } catch (err) {
        throw new AlsgError('E_ARTIFACT', `${path}: cannot read a TF.js model.json (${(err as Error).message})`, { file: path, cause: err });
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new AlsgError('E_ARTIFACT', `${path}: modelTopology and weightsManifest must be present in a layers-format model.json`, { file: path });
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        const specs: tf.io.WeightsManifestEntry[] = [];
        const files: string[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const file = resolve(dirname(path), p);
            let buf: Buffer;
            try {
              buf = readFileSync(file);
            } catch (err) {
              throw new AlsgError('E_ARTIFACT', `${file}: cannot read the weights file that ${path} names (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); re-run the stage that saved this model`, {
                file,
                cause: err,
              });
            }
            files.push(file);
            buffers.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
          }
          specs.push(...group.weights);
        }
        const expected = expectedWeightBytes(specs);
        const actual = buffers.reduce((s, b) => s + b.byteLength, 0);
        const named = files.join(' + ') || `(no weights file in ${path})`;
        if (typeof expected === 'string') throw new AlsgError('E_ARTIFACT', `${path}: weightsManifest: ${expected}`, { file: path });
        if (actual !== expected) {
          throw new AlsgError(
            'E_ARTIFACT',
            `${named}: holds ${actual} bytes, but ${path} describes ${expected} bytes of weights (${specs.length} tensors); the file is ${actual < expected ? 'truncated' : 'longer than its model'} or belongs to another model. Re-run the stage that saved this model`,
            { file: files[0] ?? path, expectedBytes: expected, actualBytes: actual },
          );
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Load a model saved by {@link saveLayersModel} (or any layers-format model.json on disk).
 *
 * @param modelJsonPath path of model.json or of the folder holding it.
 */
export async function loadLayersModelFromDir(modelJsonPath: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(fileHandler(modelJsonPath));
  } catch (err) {
    if (isAlsgError(err)) throw err;
    // Anything TF.js itself rejects (an edited or foreign model.json: unknown layer, bad topology) is a damaged artifact,
    // not a bug of ours: name the file instead of printing TF.js's stack as an internal error.
    const path = modelJsonPath.endsWith('.json') ? modelJsonPath : join(modelJsonPath, 'model.json');
    throw new AlsgError('E_ARTIFACT', `${path}: TF.js cannot build a model from it (${(err as Error).message.split('\n')[0]}); re-run the stage that saved this model`, { file: path, cause: err });
  }
}

let routerRegistered = false;

/**
 * Make `tf.loadLayersModel('file://<path>/model.json')` work without tfjs-node, by registering a `file://` load router
 * backed by {@link fileHandler}. Skipped when another router (tfjs-node's) already handles `file://`, since two
 * handlers for one URL make loadLayersModel fail.
 */
export function registerFileLoadRouter(): void {
  if (routerRegistered || tf.io.getLoadHandlers('file:///probe/model.json').length > 0) return;
  tf.io.registerLoadRouter(((url: string | string[]) => {
    const u = Array.isArray(url) ? url[0] : url;
    return typeof u === 'string' && u.startsWith('file://') ? fileHandler(u.slice('file://'.length)) : null;
  }) as Parameters<typeof tf.io.registerLoadRouter>[0]);
  routerRegistered = true;
}
