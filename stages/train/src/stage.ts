/**
 * train: the baseline, LDL-ALSG (AU, FL, AU+FL) and the comparison methods NAL, IPA2LT and AIR (docs/contracts.md `train`,
 * docs/training.md). The work lives in `@ldl-alsg/training` (`trainFromArtifacts`).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { trainFromArtifacts, type TrainParams } from '@ldl-alsg/training';
import { trainParamsSchema } from './params-schema';

export const stage: StageDefinition<TrainParams> = {
  name: 'train',
  description: 'Trains a backbone with the baseline, LDL-ALSG (Eq. 2-5 on the auxiliary graphs), NAL, IPA2LT or AIR; writes a TF.js model.',
  paramsSchema: trainParamsSchema as unknown as Record<string, unknown>,
  inputs: {
    dataset: { description: 'Ingested datasets (manifests, concatenated in order); rows with split = train are trained on.', from: ['ingest'], required: true, multiple: true },
    graphs: { description: 'Index-similarity lists, one per auxiliary space (au, landmarks); LDL-ALSG uses those with lambda > 0.', from: ['graph'], required: false, multiple: true },
    pretrained: { description: 'A train instance (e.g. the baseline) whose model gives the initial weights (same backbone and inputSize); NAL and IPA2LT then skip their own pre-training phase.', from: ['train'], required: false, multiple: false },
    auxiliary: { description: 'AIR only: an ingest instance whose rows of split air.auxiliarySplit are the auxiliary images with clean labels (air.auxiliaryLabels: truth = argmax of its distribution.npy, given = its manifest labels).', from: ['ingest'], required: false, multiple: false },
    labels: { description: 'Noisy labels (labels.csv) replacing the manifest\'s; abc: mixture for every method but IPA2LT, which treats the columns as annotation sets.', from: ['noise'], required: false, multiple: false },
  },
  async run(ctx) {
    // ctx.params went through the schema (params-schema.ts): complete and checked, nothing to merge.
    const params = ctx.params;
    await trainFromArtifacts({
      datasetDirs: ctx.inputs.dataset ?? [],
      graphDirs: ctx.inputs.graphs ?? [],
      labelsDir: ctx.inputs.labels?.[0],
      pretrainedDir: ctx.inputs.pretrained?.[0],
      auxiliaryDir: ctx.inputs.auxiliary?.[0],
      params,
      seed: params.seed ?? ctx.seed,
      outDir: ctx.outDir,
      scratchDir: ctx.scratchDir,
      log: (m) => ctx.log(m),
      progress: (label, total, unit) => ctx.progress(label, total, unit),
      record: (info) => ctx.record(info),
    });
  },
};
