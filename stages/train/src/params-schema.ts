/**
 * JSON Schema of the train stage's parameters: the ONLY home of each one's default, range and description. The defaults
 * are the paper's (Sec. 4.1) except the backbone and input size, which are the embedded CPU default (docs/training.md).
 * The executor and `alsg train` apply it (applyParamsSchema); @ldl-alsg/training takes the result as a complete,
 * checked `TrainParams` and merges no defaults of its own. Code outside a pipeline (tests, tools/bench) gets a complete
 * object from `paramsWithDefaults(trainParamsSchema, partial, ...)` (@ldl-alsg/pipeline). Nothing here imports the
 * engine: its code would count in this stage's code version, so every engine change would retrain every model.
 */
import { METHODS } from '@ldl-alsg/training';

const perSpace = (description: string, def: { au: number; landmarks: number }, integer: boolean) => ({
  type: 'object',
  additionalProperties: false,
  description,
  default: def,
  properties: {
    au: { type: integer ? 'integer' : 'number', minimum: integer ? 1 : 0, default: def.au, description: `${description} (action-unit graph).` },
    landmarks: { type: integer ? 'integer' : 'number', minimum: integer ? 1 : 0, default: def.landmarks, description: `${description} (facial-landmark graph).` },
  },
});

export const trainParamsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: {
      enum: [...METHODS],
      default: 'baseline',
      description:
        'baseline: cross-entropy only, batches of batchSize images; ldl-alsg: Eq. 5 with the wired graphs (AU, FL or AU+FL by which graphs are wired and which lambda > 0); nal: noise adaptation layer (Goldberger & Ben-Reuven); ipa2lt: LTNet with the three-step procedure (Zeng et al.); air: cross-entropy plus the auxiliary image regulariser (Azadi et al.), needs input `auxiliary`.',
    },
    backbone: { type: 'string', default: 'small-cnn', description: 'Backbone of @ldl-alsg/models: small-cnn (the embedded default, chosen on the baseline and the validation split: docs/models.md) | mlp | mlp-norm | resnet18 | resnet50 | mobilenetv2 (small-cnn and mlp train on 2 CPU cores).' },
    inputSize: { type: 'integer', minimum: 8, default: 32, description: 'Side of the grayscale input image in pixels.' },
    lambda: perSpace('Weight lambda_t of the task guidance term in Eq. 5, >= 0 (paper 0.0005; 0 disables the space)', { au: 0.0005, landmarks: 0.0005 }, false),
    k: perSpace('Neighbours per centre taken from the graph (<= the graph\'s k; paper 4)', { au: 4, landmarks: 4 }, true),
    reduction: { enum: ['mean', 'sum'], default: 'mean', description: 'Batch reduction of Eq. 5: mean over centres (default) or sum (Eq. 5 literally; the loss scales with the batch).' },
    epochs: { type: 'integer', minimum: 1, default: 10, description: 'Training epochs (paper 10).' },
    lr: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Peak learning rate (paper 0.001).' },
    momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'SGD momentum (paper 0.9).' },
    weightDecay: { type: 'number', minimum: 0, default: 0.0004, description: 'Weight decay (paper 0.0004), applied to the backbone\'s kernels.' },
    warmupEpochs: { type: 'number', minimum: 0, default: 1, description: 'Epochs of linear warm-up before cosine decay (paper 1).' },
    groupsPerBatch: { type: 'integer', minimum: 1, default: 32, description: 'LDL-ALSG: groups (centre + neighbours) per batch (paper 32, i.e. 288 images with k = 4 + 4).' },
    batchSize: { type: 'integer', minimum: 1, default: 32, description: 'Images per batch for baseline, NAL and IPA2LT (paper 32).' },
    backend: { enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], default: 'auto', description: 'TF.js backend; auto tries tfjs-node-gpu, tfjs-node, wasm, cpu. Recorded in stage.json.' },
    seed: { type: 'integer', description: 'Seed of initialisation and shuffles; default the pipeline\'s seed.' },
    neighbourMode: {
      enum: ['exact', 'epoch-cache'],
      default: 'exact',
      description: 'LDL-ALSG neighbours\' predictions: exact (current weights, forward-only, deduplicated per batch) or epoch-cache (opt-in approximation: one inference pass per epoch, predictions up to one epoch old).',
    },
    nal: {
      type: 'object', additionalProperties: false, default: {}, description: 'NAL options.',
      properties: { pretrainEpochs: { type: 'integer', minimum: 0, description: 'Epochs of baseline pre-training before the channel is added; default ceil(epochs / 2). Total epochs stay `epochs`.' } },
    },
    ipa2lt: {
      type: 'object', additionalProperties: false, default: {}, description: 'IPA2LT options (phases: pretrain, one coder per annotation set, LTNet).',
      properties: {
        pretrainEpochs: { type: 'integer', minimum: 0, description: 'Baseline pre-training epochs; default epochs.' },
        coderEpochs: { type: 'integer', minimum: 1, description: 'Fine-tuning epochs per coder; default 1.' },
        ltnetEpochs: { type: 'integer', minimum: 1, description: 'LTNet training epochs; default ceil(epochs / 2).' },
      },
    },
    air: {
      type: 'object', additionalProperties: false, default: {}, description: 'AIR options (Azadi et al., ICLR 2016; docs/training.md "AIR"). Used by method air only.',
      properties: {
        weight: { type: 'number', minimum: 0, default: 10, description: "Weight lambda of the auxiliary image regulariser next to the mean cross-entropy (the released code's lambda_sen = 10 in every published run)." },
        auxiliaryPerBatch: { type: 'integer', minimum: 1, default: 32, description: 'Auxiliary images forwarded per step (current weights, inference mode, no gradient) to estimate the regulariser; capped at auxiliaryCount.' },
        auxiliaryCount: { type: 'integer', minimum: 1, default: 700, description: "Size of the auxiliary set: a seeded selection stratified by clean class from the auxiliary input's rows (all of them when fewer)." },
        auxiliaryLabels: { enum: ['truth', 'given'], default: 'truth', description: 'Clean labels of the auxiliary rows: truth = argmax of the auxiliary ingest\'s distribution.npy (the synthetic benchmark\'s known truth; an error if it is missing), given = its manifest label (a clean subset a user provides).' },
        auxiliarySplit: { type: 'string', default: 'train', description: "Split of the auxiliary input's rows to draw the auxiliary set from." },
      },
    },
    logEvery: { type: 'integer', minimum: 1, default: 10, description: 'Write a train-log.jsonl line every this many steps (plus one per epoch).' },
  },
} as const;
