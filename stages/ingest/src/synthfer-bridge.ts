/**
 * The one place the ingest stage touches @ldl-alsg/synthfer: the generator's own option descriptions (merged into the
 * stage's JSON Schema and CLI flags, so editors and --help show the generator's text) and the call of
 * `generateSynthfer`.
 */
import { AlsgError, type Progress } from '@ldl-alsg/common';
import { generateSynthfer, SYNTHFER_OPTIONS_SCHEMA, type SynthferOptions, type SynthferReport } from '@ldl-alsg/synthfer';

function nullable(prop: Record<string, unknown>): Record<string, unknown> {
  const out = { ...prop };
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  else if (typeof out.type === 'string') out.type = [out.type, 'null'];
  else if (Array.isArray(out.type)) out.type = [...(out.type as string[]), 'null'];
  else if (out.items !== undefined) out.type = ['array', 'null'];
  return out;
}

/**
 * The generator's options as stage properties. Every stage property needs a default: options the generator leaves
 * unset (its default depends on other options, e.g. `render` is false for paper-graph) get `default: null`, meaning
 * "the generator's default". `seed` defaults to null = the pipeline's seed, so one pipeline seed drives everything.
 */
export const SYNTHFER_PROPERTIES: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(SYNTHFER_OPTIONS_SCHEMA.properties as Record<string, Record<string, unknown>>).map(([name, prop]) => {
    if (name === 'seed') {
      return [name, { type: ['integer', 'null'], default: null, description: `synthfer: ${prop.description} Default: the pipeline's seed (CLI: the generator's default, ${prop.default}).` }];
    }
    const described = { ...prop, description: `synthfer: ${prop.description}` };
    return [name, 'default' in prop ? described : { ...nullable(described), default: null }];
  }),
);

export interface RunSynthferHooks {
  /** The stage's progress factory (ctx.progress); the generator reports (done, total) after each chunk. */
  progress?: (label: string, total: number | undefined, unit?: string) => Progress;
}

/** Runs the generator into `outDir`; options with value null are left to the generator's defaults. */
export async function runSynthfer(options: Record<string, unknown>, outDir: string, hooks: RunSynthferHooks): Promise<SynthferReport> {
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== null && v !== undefined)) as SynthferOptions;
  if (typeof generateSynthfer !== 'function') throw new AlsgError('E_DEPENDENCY', 'ingest: @ldl-alsg/synthfer does not export generateSynthfer');
  let bar: Progress | undefined;
  const report = await generateSynthfer(clean, outDir, {
    progress: (done, total) => {
      bar ??= hooks.progress?.('generating synthfer', total, 'images');
      bar?.update(done);
    },
  });
  bar?.done();
  return report;
}
