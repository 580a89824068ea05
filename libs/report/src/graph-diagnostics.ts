/**
 * Markdown for the graph stage's diagnostics.json (docs/graph.md, "Diagnostics and the landmark setting"): one compact
 * table per quantity, one row per graph.
 */
import type { GraphDiagnostics } from '@ldl-alsg/knn';


/** diagnostics.json as the graph stage writes it (a type-only import: the report loads no kNN or native code). */
export type GraphDiagnosticsFile = GraphDiagnostics;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `v` looks like a diagnostics.json this renderer understands. */
export function isGraphDiagnostics(v: unknown): v is GraphDiagnosticsFile {
  return isObject(v) && v.schema === 'alsg-graph-diagnostics/1' && isObject(v.similarity) && isObject(v.similarity.graph) && isObject(v.similarity.random);
}

const num = (v: number | null | undefined, digits = 3): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const escape = (s: string): string => s.replace(/\|/g, '\\|');

function table(header: string[], rows: string[][], align: string[]): string {
  return [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/**
 * Markdown tables of several graphs' diagnostics: Eq. 3 similarities against random pairs; label agreement (overall and
 * per class); total-variation distances between true label distributions (only graphs that have them). A graph whose
 * diagnostics are missing or of an unknown schema gets a line saying so instead of numbers.
 */
export function graphDiagnosticsMarkdown(diags: { name: string; diagnostics: unknown }[]): string {
  const ok = diags.filter((d): d is { name: string; diagnostics: GraphDiagnosticsFile } => isGraphDiagnostics(d.diagnostics));
  const bad = diags.filter((d) => !isGraphDiagnostics(d.diagnostics)).map((d) => d.name);
  const out: string[] = [];
  if (ok.length > 0) {
    out.push('**Eq. 3 similarities a_ij** over the (centre, neighbour) slots, and for random pairs of graph rows (no graph):');
    out.push(
      table(
        ['graph', 'rows', 'k', 'sigma', 'mean', 'sd', 'p5', 'p50', 'p95', 'random mean', 'random p50', 'sum_j a_ij'],
        ok.map(({ name, diagnostics: g }) => {
          const s = g.similarity.graph;
          const r = g.similarity.random;
          return [escape(name), String(g.rows), String(g.k), num(g.sigma, 4), num(s.mean), num(s.sd), num(s.quantiles.p5), num(s.quantiles.p50), num(s.quantiles.p95), num(r.mean), num(r.quantiles.p50), num(s.meanRowSum)];
        }),
        ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
      ),
    );
    const withLabels = ok.filter((d) => d.diagnostics.labels !== null);
    if (withLabels.length > 0) {
      const classes = withLabels[0].diagnostics.labels!.perClass.map((c) => c.class);
      out.push('', "**Given-label agreement**: fraction of neighbours with the centre's label (random pairs: chance), overall and per centre class:");
      out.push(
        table(
          ['graph', 'neighbours', 'random', 'chance', ...classes],
          withLabels.map(({ name, diagnostics: g }) => {
            const l = g.labels!;
            return [escape(name), num(l.graph), num(l.random), num(l.chance), ...classes.map((c) => num(l.perClass.find((p) => p.class === c)?.graph))];
          }),
          ['---', '---:', '---:', '---:', ...classes.map(() => '---:')],
        ),
      );
    }
    const withDist = ok.filter((d) => d.diagnostics.distribution !== null);
    if (withDist.length > 0) {
      out.push(
        '',
        "**Distance to the true label distribution** (mean total variation between a centre's and another image's): its k neighbours, a_ij-weighted (as the guidance weighs them), k random images with the same given label, k random images; ratio = neighbours / same-label random (< 1: the graph finds closer distributions than the label alone):",
      );
      out.push(
        table(
          ['graph', 'neighbours', 'a_ij-weighted', 'effective slots', 'same-label random', 'random', 'ratio', 'weighted ratio'],
          withDist.map(({ name, diagnostics: g }) => {
            const t = g.distribution!;
            return [escape(name), num(t.graph), num(t.graphWeighted), num(t.effectiveSlotFraction, 2), num(t.sameLabelRandom), num(t.random), num(t.ratio.graph), num(t.ratio.graphWeighted)];
          }),
          ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
        ),
      );
    }
  }
  if (bad.length > 0) out.push('', `No diagnostics (diagnostics.json missing or of another schema): ${bad.map(escape).join(', ')}.`);
  return out.join('\n').trim() + '\n';
}
