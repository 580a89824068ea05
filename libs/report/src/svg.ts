/**
 * Small inline-SVG charts for the self-contained HTML report: grouped bars, lines with error bars, and a class-coloured
 * scatter (t-SNE maps). No scripts, no external fonts or links; the `<svg>` elements are inlined in HTML5, so they need
 * no namespace URL.
 */

/** Escapes text for HTML/SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Colour-blind-safe categorical palette (Okabe-Ito, then Tol's muted for more series). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#332288', '#882255', '#44AA99', '#999933', '#AA4499'];

/** One bar series: a value (and optional sd, paper value) per group. */
export interface BarSeries {
  name: string;
  values: (number | null)[];
  sd?: (number | null)[];
  /** The paper's value per group, drawn as a black tick on the bar. */
  paper?: (number | null | undefined)[];
}

function niceRange(values: number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 100];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo = Math.max(0, Math.floor((lo - pad) / 5) * 5);
  hi = Math.min(100, Math.ceil((hi + pad) / 5) * 5);
  return hi > lo ? [lo, hi] : [lo, lo + 5];
}

function yAxis(x0: number, y0: number, h: number, lo: number, hi: number, width: number, label: string): string {
  const parts: string[] = [];
  const step = (hi - lo) / 5;
  for (let i = 0; i <= 5; i++) {
    const v = lo + step * i;
    const y = y0 + h - (h * i) / 5;
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${v.toFixed(step < 1 ? 1 : 0)}</text>`);
  }
  parts.push(`<text x="14" y="${y0 + h / 2}" font-size="12" transform="rotate(-90 14 ${y0 + h / 2})" text-anchor="middle">${escapeXml(label)}</text>`);
  return parts.join('');
}

function legend(names: string[], x: number, y: number, colors: string[], markers = 'rect'): string {
  return names
    .map((n, i) => {
      const yy = y + i * 16;
      const mark = markers === 'rect' ? `<rect x="${x}" y="${yy - 9}" width="10" height="10" fill="${colors[i % colors.length]}"/>` : `<circle cx="${x + 5}" cy="${yy - 4}" r="4" fill="${colors[i % colors.length]}"/>`;
      return `${mark}<text x="${x + 15}" y="${yy}" font-size="11">${escapeXml(n)}</text>`;
    })
    .join('');
}

/** Grouped bar chart (e.g. accuracy per test set, one bar per method), with sd whiskers and the paper's values as ticks. */
export function groupedBarChart(args: { title: string; groups: string[]; series: BarSeries[]; yLabel: string }): string {
  const { groups, series } = args;
  const legendW = 190;
  const groupW = Math.max(40, series.length * 12 + 16);
  const plotW = groups.length * groupW;
  const W = 60 + plotW + legendW;
  const H = 300;
  const top = 30;
  const h = 200;
  const all = series.flatMap((s) => [...s.values, ...(s.paper ?? [])].filter((v): v is number => typeof v === 'number'));
  const [lo, hi] = niceRange(all);
  const yOf = (v: number): number => top + h - ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * h;
  const parts: string[] = [`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(args.title)}">`];
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(args.title)}</text>`);
  parts.push(yAxis(50, top, h, lo, hi, plotW, args.yLabel));
  const barW = (groupW - 16) / Math.max(1, series.length);
  groups.forEach((g, gi) => {
    const gx = 50 + gi * groupW + 8;
    series.forEach((s, si) => {
      const v = s.values[gi];
      const x = gx + si * barW;
      if (typeof v === 'number' && Number.isFinite(v)) {
        const y = yOf(v);
        parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(top + h - y).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${s.name}, ${g}: ${v.toFixed(2)}`)}</title></rect>`);
        const sd = s.sd?.[gi];
        if (typeof sd === 'number' && sd > 0) {
          const cx = x + (barW - 1) / 2;
          parts.push(`<line x1="${cx}" y1="${yOf(v + sd)}" x2="${cx}" y2="${yOf(v - sd)}" stroke="#333"/>`);
        }
      }
      const p = s.paper?.[gi];
      if (typeof p === 'number') parts.push(`<line x1="${x.toFixed(1)}" y1="${yOf(p).toFixed(1)}" x2="${(x + barW - 1).toFixed(1)}" y2="${yOf(p).toFixed(1)}" stroke="#000" stroke-width="2"><title>${escapeXml(`paper ${s.name}, ${g}: ${p}`)}</title></line>`);
    });
    parts.push(`<text x="${gx + (groupW - 16) / 2}" y="${top + h + 14}" font-size="10" text-anchor="end" transform="rotate(-30 ${gx + (groupW - 16) / 2} ${top + h + 14})">${escapeXml(g)}</text>`);
  });
  parts.push(legend([...series.map((s) => s.name), '— paper value'], 60 + plotW + 10, top + 10, [...PALETTE.slice(0, series.length), '#000']));
  parts.push('</svg>');
  return parts.join('');
}

/** A line: points at categorical x positions (labels in `xLabels`), y with optional sd. */
export interface LineSeries {
  name: string;
  /** One entry per x label; null where the series has no value. */
  y: (number | null)[];
  sd?: (number | null)[];
  /** Dashed line for the paper's values. */
  dashed?: boolean;
  /** Palette index (so a paper series shares its method's colour). */
  color?: number;
}

/** Line chart over categorical x (noise rates, k, lambda), with sd whiskers; dashed series for the paper's numbers. */
export function lineChart(args: { title: string; xLabel: string; xLabels: string[]; series: LineSeries[]; yLabel: string }): string {
  const W = 560;
  const H = 300;
  const top = 30;
  const h = 200;
  const plotW = 300;
  const [lo, hi] = niceRange(args.series.flatMap((s) => s.y.filter((v): v is number => typeof v === 'number')));
  const xOf = (i: number): number => 60 + (args.xLabels.length === 1 ? plotW / 2 : (i * plotW) / (args.xLabels.length - 1));
  const yOf = (v: number): number => top + h - ((v - lo) / (hi - lo)) * h;
  const parts: string[] = [`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(args.title)}">`];
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(args.title)}</text>`);
  parts.push(yAxis(50, top, h, lo, hi, plotW + 20, args.yLabel));
  args.xLabels.forEach((l, i) => parts.push(`<text x="${xOf(i)}" y="${top + h + 16}" font-size="11" text-anchor="middle">${escapeXml(l)}</text>`));
  parts.push(`<text x="${60 + plotW / 2}" y="${top + h + 34}" font-size="12" text-anchor="middle">${escapeXml(args.xLabel)}</text>`);
  args.series.forEach((s, si) => {
    const color = PALETTE[(s.color ?? si) % PALETTE.length];
    const pts = s.y.map((v, i) => (typeof v === 'number' ? [xOf(i), yOf(v), i] : null)).filter((p): p is number[] => p !== null);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''} points="${pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y, i] of pts) {
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${s.dashed ? 2.5 : 3.5}" fill="${s.dashed ? '#fff' : color}" stroke="${color}"><title>${escapeXml(`${s.name}, ${args.xLabels[i]}: ${(s.y[i] as number).toFixed(2)}`)}</title></circle>`);
      const sd = s.sd?.[i];
      if (typeof sd === 'number' && sd > 0) parts.push(`<line x1="${x}" y1="${yOf((s.y[i] as number) + sd)}" x2="${x}" y2="${yOf((s.y[i] as number) - sd)}" stroke="${color}"/>`);
    }
  });
  parts.push(legend(args.series.map((s) => s.name), 60 + plotW + 30, top + 10, args.series.map((s, i) => PALETTE[(s.color ?? i) % PALETTE.length]), 'circle'));
  parts.push('</svg>');
  return parts.join('');
}

/** Scatter of 2-D points coloured by class (t-SNE maps). */
export function scatterPlot(args: { title: string; points: ArrayLike<number>; classes: readonly number[]; classNames: readonly string[] }): string {
  const W = 460;
  const H = 380;
  const size = 330;
  const n = args.classes.length;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, args.points[2 * i]);
    maxX = Math.max(maxX, args.points[2 * i]);
    minY = Math.min(minY, args.points[2 * i + 1]);
    maxY = Math.max(maxY, args.points[2 * i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const parts: string[] = [`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeXml(args.title)}">`];
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(args.title)}</text>`);
  parts.push(`<rect x="10" y="30" width="${size + 10}" height="${size + 10}" fill="none" stroke="#ccc"/>`);
  for (let i = 0; i < n; i++) {
    const x = 15 + ((args.points[2 * i] - minX) / span) * size;
    const y = 35 + ((args.points[2 * i + 1] - minY) / span) * size;
    parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.2" fill="${PALETTE[args.classes[i] % PALETTE.length]}" fill-opacity="0.8"/>`);
  }
  parts.push(legend([...args.classNames], size + 30, 50, PALETTE, 'circle'));
  parts.push('</svg>');
  return parts.join('');
}
