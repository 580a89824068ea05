/**
 * The pipeline JSON Schema, composed from every stage's `paramsSchema` so editors complete and check stage parameters
 * (published as pipelines/schema.json by `alsg schema`). Parameter `required` lists are left out here on purpose: a
 * required parameter may come from a matrix axis or a profile, so it is checked after those are merged.
 */
import { NAME_PATTERN, REPORT_STAGE } from './pipeline-spec';
import type { StageMeta } from './stage-registry';

type Schema = Record<string, unknown>;

/** `resources:` of an instance or a profile override (SlurmResources; docs/slurm.md). Not part of content keys. */
const RESOURCES_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  description: 'What a Slurm job of this instance asks for (alsg run --executor slurm); not part of the content key.',
  properties: {
    cpus: { type: 'integer', minimum: 1, description: 'Cores for the task (sbatch --cpus-per-task).' },
    mem: { type: 'string', pattern: '^[0-9]+[KMGT]?$', description: 'Memory per node with a unit, e.g. 4G (sbatch --mem).' },
    time: { type: 'string', pattern: '^[0-9]+(-[0-9]+)?(:[0-9]+){0,2}$', description: 'Wall-time limit: MM, HH:MM:SS or D-HH[:MM[:SS]] (sbatch --time).' },
    gpus: { type: 'integer', minimum: 0, description: 'GPUs for the job (sbatch --gpus); 0 asks for none. Default: 1 for train with backend tensorflow-gpu.' },
    partition: { type: 'string', minLength: 1, description: 'Slurm partition (sbatch --partition); alsg run --partition overrides.' },
    account: { type: 'string', minLength: 1, description: 'Slurm account (sbatch --account); alsg run --account overrides.' },
    qos: { type: 'string', minLength: 1, description: 'Quality of service (sbatch --qos).' },
    extra: { type: 'array', items: { type: 'string', pattern: '^-' }, description: 'Further sbatch options, one argument each (e.g. --constraint=a100).' },
  },
};

/** Stage params schema without meta keys and without top-level `required` (see the file comment). */
export function structuralParamsSchema(paramsSchema: Schema): Schema {
  const { $schema: _s, $id: _i, required: _r, ...rest } = paramsSchema;
  return rest;
}

function instanceBranch(meta: StageMeta): Schema {
  const params = structuralParamsSchema(meta.paramsSchema);
  const props = (params.properties ?? {}) as Record<string, Schema>;
  const matrixProps: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(props)) {
    matrixProps[name] = {
      type: 'array',
      minItems: 1,
      items: { $ref: `#/definitions/params-${meta.name}/properties/${name}` },
      description: `Values of '${name}' to expand over. ${String(schema.description ?? '')}`.trim(),
    };
  }
  const inputProps: Record<string, Schema> = {};
  for (const [slot, spec] of Object.entries(meta.inputs)) {
    inputProps[slot] = {
      $ref: '#/definitions/inputRef',
      description: `${spec.description} (from ${spec.from.join(' | ')}; ${spec.multiple ? 'one or more' : 'exactly one'}${spec.required ? '' : ', optional'})`,
    };
  }
  return {
    if: { properties: { stage: { const: meta.name } }, required: ['stage'] },
    then: {
      properties: {
        params: { $ref: `#/definitions/params-${meta.name}` },
        matrix: { type: 'object', additionalProperties: false, properties: matrixProps },
        inputs: { type: 'object', additionalProperties: false, properties: inputProps },
      },
    },
  };
}

/** Builds the pipeline schema (draft-07) for the given stages. Deterministic: same stages, same text. */
export function buildPipelineSchema(metas: readonly StageMeta[]): Schema {
  const sorted = [...metas].sort((a, b) => a.name.localeCompare(b.name));
  const definitions: Record<string, Schema> = {
    inputRef: {
      type: ['string', 'array'],
      pattern: NAME_PATTERN,
      minItems: 1,
      items: { type: 'string', pattern: NAME_PATTERN },
      description: 'An instance name (paired by shared matrix axes) or a list of instance names (all their expansions).',
    },
    resources: RESOURCES_SCHEMA,
    instance: {
      type: 'object',
      additionalProperties: false,
      required: ['stage'],
      properties: {
        stage: { enum: sorted.map((m) => m.name), description: 'The stage this instance runs.' },
        description: { type: 'string', description: 'What this instance is for.' },
        params: { type: 'object', description: "The stage's parameters." },
        inputs: { type: 'object', description: 'Input slot -> upstream instance name or list of names.' },
        matrix: {
          type: 'object',
          description: 'Parameter -> list of values; one instance per combination.',
          additionalProperties: { type: 'array', minItems: 1 },
        },
        resources: { $ref: '#/definitions/resources' },
      },
      ...(sorted.length ? { allOf: sorted.map(instanceBranch) } : {}),
    },
    profileOverride: {
      type: 'object',
      additionalProperties: false,
      properties: {
        params: { type: 'object', description: "Parameters merged over the instance's own." },
        matrix: {
          type: 'object',
          description: 'Axes replacing those of the instance.',
          additionalProperties: { type: 'array', minItems: 1 },
        },
        resources: { $ref: '#/definitions/resources', description: "Slurm resources merged over the instance's own." },
      },
    },
  };
  for (const m of sorted) definitions[`params-${m.name}`] = structuralParamsSchema(m.paramsSchema);
  const report = sorted.find((m) => m.name === REPORT_STAGE);
  const reportExpect = (report?.paramsSchema.properties as Record<string, Schema> | undefined)?.expect;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://ldl-alsg.invalid/pipelines/schema.json',
    title: 'ldl-alsg pipeline',
    description: 'A declarative experiment pipeline: named stage instances, their parameters, inputs and matrices.',
    type: 'object',
    additionalProperties: false,
    required: ['stages'],
    properties: {
      $schema: { type: 'string' },
      name: { type: 'string', pattern: NAME_PATTERN, description: 'Pipeline name (default: file name).' },
      description: { type: 'string' },
      seed: { type: 'integer', minimum: 0, description: 'Seed for instances without their own seed parameter (default 0).' },
      stages: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: { $ref: '#/definitions/instance' },
        description: 'Instance name -> stage instance.',
      },
      profiles: {
        type: 'object',
        propertyNames: { pattern: NAME_PATTERN },
        additionalProperties: {
          type: 'object',
          propertyNames: { pattern: NAME_PATTERN },
          additionalProperties: { $ref: '#/definitions/profileOverride' },
        },
        description: 'Profile name -> instance name -> overrides (`default` applies when no profile is named).',
      },
      expect: reportExpect
        ? { $ref: `#/definitions/params-${REPORT_STAGE}/properties/expect` }
        : { type: 'array', description: 'Claims checked by the report stage.' },
    },
    definitions,
  };
}
