/**
 * evaluate: cross-dataset test accuracy of a trained model on every test set, the paper's Wild / Lab / All averages,
 * confusion matrices, and (where true distributions are known) LDL metrics and calibration (docs/contracts.md,
 * docs/evaluation.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { type EvaluateParams, runEvaluation } from '@ldl-alsg/evaluation';
import { evaluateParamsSchema } from './params-schema';

export const stage: StageDefinition<EvaluateParams> = {
  name: 'evaluate',
  description: 'Predicts every split=test row of the given datasets with a trained model; per-set accuracy, paper averages, confusion, LDL metrics, ECE.',
  paramsSchema: evaluateParamsSchema,
  inputs: {
    model: { description: 'A trained model (train output: model/model.json, train-summary.json).', from: ['train'], required: true, multiple: false },
    dataset: { description: 'Ingested datasets whose split=test rows are evaluated, each test set named by the manifest `dataset` column.', from: ['ingest'], required: true, multiple: true },
    labels: { description: 'The noise output the model was trained with (optional; states the noise rate in metrics.json).', from: ['noise'], required: false, multiple: false },
  },
  async run(ctx) {
    const metrics = await runEvaluation({
      params: ctx.params,
      modelDir: ctx.inputs.model[0],
      datasetDirs: ctx.inputs.dataset ?? [],
      labelsDir: ctx.inputs.labels?.[0],
      outDir: ctx.outDir,
      log: (m) => ctx.log(m),
      progress: (label, total) => ctx.progress(label, total, 'images'),
    });
    ctx.record({
      evaluation: {
        backend: metrics.inference.backend,
        testRows: metrics.pooled.n,
        sets: metrics.sets.map((s) => ({ dataset: s.dataset, n: s.n, accuracy: s.accuracy })),
        averages: { wild: metrics.averages.wild, lab: metrics.averages.lab, all: metrics.averages.all },
      },
    });
  },
};
