/**
 * JSON Schema of the report stage's params (ajv, additionalProperties false, a description and default on each).
 */
import { claimsJsonSchema } from './claims';
import { DESCRIPTOR_FIELDS } from './descriptors';
import { TABLE_IDS } from './paper-values';

const fields = `descriptor fields (${DESCRIPTOR_FIELDS.join(', ')}, or tags set on the evaluate stage)`;

/** The schema (see docs/report.md for examples). */
export const REPORT_PARAMS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['table'],
  properties: {
    table: { enum: [...TABLE_IDS], description: "which of the paper's tables this reproduces (its layout, caption and the paper's values)" },
    title: { type: 'string', default: '', description: 'report title; default "Table N reproduction"' },
    rows: { type: 'array', items: { type: 'string' }, description: `${fields} that name a row; default the paper table's (table1: [method]; table2/3: [noise, method]; table4: [backbone, method]; table5-7: [kAU, kFL, lambda])` },
    columns: { type: 'array', items: { type: 'string' }, default: [], description: `${fields} that name a column group (e.g. [noise]); default none` },
    metrics: {
      description: "metric columns: 'datasets' (each test set, then Wild/Lab/All), 'averages' (Wild/Lab/All) or a list of dataset names / wild / lab / all; default datasets for table1, else averages",
      oneOf: [{ enum: ['datasets', 'averages'] }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    },
    paperRows: { type: 'boolean', default: true, description: "also list the paper's rows this pipeline did not run (shown as 'not run (paper x)')" },
    expect: claimsJsonSchema(),
    failOnClaims: { type: 'boolean', default: false, description: 'fail the stage when a claim is not supported (contradicted or inconclusive); default: report it, do not fail' },
    bootstrap: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "the claims' paired bootstrap over test images (predictions.csv)",
      properties: {
        resamples: { type: 'integer', minimum: 100, maximum: 100000, default: 2000, description: 'bootstrap resamples' },
        seed: { type: 'integer', default: 0, description: 'seed of the resampling' },
      },
    },
    reference: {
      description: 'compare with committed reference results; null = no comparison',
      default: null,
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['file'],
          properties: {
            file: { type: 'string', description: 'reference JSON relative to the workspace root, e.g. pipelines/reference/smoke.json' },
            tolerance: { type: 'number', minimum: 0, description: 'allowed |ours - reference| in percentage points (default 0)' },
            failOnMismatch: { type: 'boolean', description: 'fail the stage (and CI) when any cell moved, is missing or is new (default true)' },
          },
        },
      ],
    },
    sweep: {
      description: 'line chart of accuracy over one field (x) with one line per series fields; default per table (table2/3: noise by method, table5: k by space, table6/7: lambda by space); null = none',
      oneOf: [
        { type: 'null' },
        { type: 'object', additionalProperties: false, required: ['x'], properties: { x: { type: 'string' }, series: { type: 'array', items: { type: 'string' }, description: 'fields naming a line (default [method])' } } },
      ],
    },
    tsne: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: "t-SNE maps of the AU and landmark spaces (the paper's Fig. 3/4), when the features and dataset inputs are wired",
      properties: {
        enabled: { type: 'boolean', default: true, description: 'draw the maps' },
        dataset: { type: 'string', default: '', description: "dataset to map; '' = the CK+-like set if present (as in the paper), else all rows" },
        maxPoints: { type: 'integer', minimum: 10, maximum: 5000, default: 1500, description: 'seeded subsample size (exact t-SNE is O(n^2))' },
        perplexity: { type: 'number', exclusiveMinimum: 1, default: 30, description: 't-SNE perplexity' },
        iterations: { type: 'integer', minimum: 50, default: 1000, description: 'gradient iterations' },
        seed: { type: 'integer', default: 0, description: 'seed of the subsample and the initial map' },
      },
    },
  },
};
