/**
 * JSON Schema of the evaluate stage's parameters: the only home of each one's meaning, range and default. The executor
 * and `alsg evaluate` apply it (applyParamsSchema); pipelines/schema.json is composed from it.
 */
export const evaluateParamsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    backend: {
      enum: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
      default: 'auto',
      description: 'TF.js backend for inference; auto tries tensorflow-gpu, tensorflow, wasm, cpu in turn. Default auto.',
    },
    batchSize: { type: 'integer', minimum: 1, maximum: 4096, default: 128, description: 'Images per forward pass. Default 128.' },
    tags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      default: {},
      description: 'Descriptor overrides copied into metrics.json run.tags and used by reports (e.g. {noise: "ABC"}, {data: "mixture of ABC"}). Default {}.',
    },
  },
};
