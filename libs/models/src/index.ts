/**
 * @ldl-alsg/models: TensorFlow.js backend selection, wasm kernel workarounds, backbones, image input and model I/O.
 *
 * Usage (what the trainer does; see docs/models.md for the full contract):
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { initBackend, createBackbone, loadImageTensorCache, makeImageBatch, saveLayersModel } from '@ldl-alsg/models';
 *
 * const backend = await initBackend('auto');                 // {name, version, detail} -> stage.json
 * const images = await loadImageTensorCache(paths, 32, `${scratch}/images-32.npy`); // uint8 [n,32,32,1]
 * const net = createBackbone('mlp', { inputShape: [32, 32, 1], numClasses: 7, seed: 1 });
 * const opt = tf.train.momentum(0.001, 0.9);
 * const x = makeImageBatch(images, batchRows);               // float32 [b,32,32,1], pixel values 0..255
 * const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 7);
 * opt.minimize(() => tf.losses.softmaxCrossEntropy(y, net.logits(x, true)) as tf.Scalar, false, net.trainableVariables());
 * const probs = tf.tidy(() => tf.softmax(net.logits(x, false)));   // inference mode
 * await saveLayersModel(net.model, `${out}/model`);          // model.json + weights.bin
 * const again = await loadLayersModelFromDir(`${out}/model`); // or tf.loadLayersModel('file://...') after registerFileLoadRouter()
 * ```
 */
export { initBackend, type BackendInfo, type BackendPreference } from './backend';
export { installWasmFixes, uninstallWasmFixes } from './wasm/install';
export { BATCH_NORM_KERNELS, fusedSgdMomentum, hasFusedSgd, sumOfSquares, SGD_MOMENTUM_KERNEL, type SgdMomentumAttrs } from './wasm/heap-kernels';
export type { Backbone, BackboneName, BackboneOptions } from './backbone';
export { createBackbone, BACKBONES, DEFAULT_BACKBONE } from './create-backbone';
export type { MlpOptions } from './backbones/mlp';
export {
  loadImageTensorCache,
  imageCacheFile,
  makeImageBatch,
  type ImageTensorCache,
  type ImageCacheOptions,
} from './image-cache';
export { saveLayersModel, fileHandler, loadLayersModelFromDir, registerFileLoadRouter } from './model-io';
