import { AlsgError } from '@ldl-alsg/common';
import { wrapModel, type Backbone, type BackboneName, type BackboneOptions } from './backbone';
import { buildResNet } from './backbones/resnet';
import { buildMobileNetV2 } from './backbones/mobilenet-v2';
import { buildSmallCnn } from './backbones/small-cnn';
import { buildMlp, type MlpOptions } from './backbones/mlp';

/** All backbone names, for validation and help texts. */
export const BACKBONES: readonly BackboneName[] = ['mlp', 'mlp-norm', 'small-cnn', 'resnet18', 'resnet50', 'mobilenetv2'];

/** The embedded default (chosen by measurement, see docs/models.md). */
export const DEFAULT_BACKBONE: BackboneName = 'small-cnn';

/**
 * Build a backbone by name.
 *
 * @param name one of {@link BACKBONES}: 'mlp' and 'small-cnn' train on 2 CPU cores; 'resnet18', 'resnet50',
 *   'mobilenetv2' are the paper's networks (train them on a GPU backend).
 * @param opts input shape [H, W, C], number of classes, initialisation seed (default 0); for 'mlp' also `poolTo` and
 *   `hidden` (see {@link MlpOptions}).
 * @throws AlsgError E_CONFIG for an unknown name or invalid options.
 */
export function createBackbone(name: BackboneName | string, opts: BackboneOptions & Partial<MlpOptions>): Backbone {
  try {
    switch (name) {
      case 'mlp':
        return wrapModel(name, buildMlp(opts), opts);
      case 'mlp-norm':
        return wrapModel(name, buildMlp({ ...opts, layerNorm: true }), opts);
      case 'small-cnn':
        return wrapModel(name, buildSmallCnn(opts), opts);
      case 'resnet18':
        return wrapModel(name, buildResNet(18, opts), opts);
      case 'resnet50':
        return wrapModel(name, buildResNet(50, opts), opts);
      case 'mobilenetv2':
        return wrapModel(name, buildMobileNetV2(opts), opts);
    }
  } catch (err) {
    throw new AlsgError('E_CONFIG', `createBackbone(${name}): ${(err as Error).message}`, { name, opts });
  }
  throw new AlsgError('E_CONFIG', `createBackbone: backbone must be one of ${BACKBONES.join(', ')}, but got '${name}'`, { name });
}
