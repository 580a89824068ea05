/**
 * What every report figure shares: the palette, fonts, and axis / legend settings that keep labels whole (vega's
 * default label limit of 180 px truncates long row labels such as "LDL-ALSG(AU+FL) @ 15%").
 */
import type { VegaLiteSpec } from './render-svg';

/** Vega-Lite's schema id, which the compiler reads to pick the spec's version (never fetched). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Colour-blind-safe categorical palette (Okabe-Ito, then Tol's muted for more series). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#332288', '#882255', '#44AA99', '#999933', '#AA4499'];

/** Shared config block of every spec. */
export const BASE_CONFIG = {
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  title: { fontSize: 13, anchor: 'start', offset: 8 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 400, gridColor: '#e6e6e6', tickCount: 6 },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 400, symbolSize: 80 },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400 },
  view: { stroke: '#cccccc' },
  range: { category: PALETTE },
};

/** The common top of every spec: schema, title, config. */
export function baseSpec(title: string): VegaLiteSpec {
  return { $schema: VEGA_LITE_SCHEMA, title, autosize: { type: 'pad' }, config: BASE_CONFIG };
}
