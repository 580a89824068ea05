/**
 * Vega-Lite specs to standalone SVG text, in Node: vega-lite compiles the spec to Vega, a headless Vega view
 * (`renderer: 'none'`) lays it out and serialises its scenegraph with `toSVG()`. No browser, canvas or DOM.
 *
 * Determinism (same spec -> same bytes) needs two things vega leaves to its environment:
 * - text widths: vega measures labels with node-canvas when that package happens to be installed and estimates them
 *   otherwise; measured widths depend on the machine's fonts, so we always use the estimate;
 * - definition ids (clip paths, gradients) come from a counter global to the process, so they depend on what was drawn
 *   before; the counter is reset per figure and the ids are prefixed with the figure's id, which also keeps them unique
 *   when several figures are inlined into one HTML page (a repeated id would make one figure clip with another's path).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { AlsgError } from '@ldl-alsg/common';

/** A Vega-Lite spec as built by the plot modules (plain JSON; vega-lite checks it when compiling). */
export type VegaLiteSpec = Record<string, unknown>;

/** Runtime parts of vega that its typings do not declare. */
interface VegaRuntimeExtras {
  textMetrics?: { canvas(use: boolean): void };
  resetSVGDefIds?: () => void;
}

/** Collects vega-lite's compile warnings (a warning means a spec the plot modules built wrongly; tests assert none). */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  let current = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return current;
      current = l;
      return logger;
    },
    error(...args: readonly unknown[]) {
      warnings.push(`error: ${args.map(String).join(' ')}`);
      return logger;
    },
    warn(...args: readonly unknown[]) {
      const text = args.map(String).join(' ');
      // The dataflow optimiser stopping after its 5 passes leaves a correct, slightly larger Vega spec: not a fault.
      if (!/^Maximum optimization runs/.test(text)) warnings.push(text);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger as unknown as vega.LoggerInterface;
}

/** Vega spec of a Vega-Lite spec, with any compile warnings. */
export function compileVegaLite(spec: VegaLiteSpec): { vega: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  const out = compile(spec as unknown as TopLevelSpec, { logger: collectingLogger(warnings) });
  return { vega: out.spec as vega.Spec, warnings };
}

/**
 * Renders a Vega-Lite spec to SVG text. `id` (letters, digits, '-') prefixes every definition id in the output.
 * Throws E_STAGE naming the figure when vega cannot render it.
 */
export async function renderVegaLiteSvg(spec: VegaLiteSpec, id: string): Promise<string> {
  if (!/^[A-Za-z][\w-]*$/.test(id)) throw new AlsgError('E_STAGE', `report: figure id "${id}" must start with a letter and hold only letters, digits, '_' or '-'`);
  const extras = vega as unknown as VegaRuntimeExtras;
  extras.textMetrics?.canvas(false);
  extras.resetSVGDefIds?.();
  const { vega: compiled } = compileVegaLite(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  let svg: string;
  try {
    svg = await view.toSVG();
  } catch (cause) {
    throw new AlsgError('E_STAGE', `report: figure ${id}: vega could not render it: ${(cause as Error).message}`, { cause });
  } finally {
    view.finalize();
  }
  return prefixIds(svg, id);
}

/** Prefixes every `id="x"` with `<prefix>-` and rewrites the references to it (`url(#x)`, `href="#x"`). */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, x: string) => `id="${prefix}-${x}"`)
    .replace(/url\(#([^)]+)\)/g, (_, x: string) => `url(#${prefix}-${x})`)
    .replace(/href="#([^"]+)"/g, (_, x: string) => `href="#${prefix}-${x}"`);
}
