/**
 * report: the paper's table (Tables 1-7) from evaluate results, with the paper's value beside ours in every cell,
 * the pipeline's `expect:` claims judged supported / contradicted / inconclusive by paired statistics over seeds and test images, an optional comparison with committed reference results, and a
 * self-contained HTML page with plots and t-SNE maps (docs/report.md).
 */
import type { StageDefinition } from '@ldl-alsg/pipeline';
import { REPORT_PARAMS_SCHEMA, type ReportParams, runReport } from '@ldl-alsg/report';

export const stage: StageDefinition<ReportParams> = {
  name: 'report',
  description: "Lays out evaluate results as the paper's table (ours beside the paper's numbers), checks the expect: claims, compares with a reference, draws plots.",
  paramsSchema: REPORT_PARAMS_SCHEMA,
  inputs: {
    results: { description: 'Evaluate outputs (metrics.json), one per trained model and seed.', from: ['evaluate'], required: true, multiple: true },
    features: { description: 'Extract output (au.npy, landmarks.npy) for the t-SNE maps (optional; needs `dataset`).', from: ['extract'], required: false, multiple: false },
    dataset: { description: 'Ingest outputs the features are aligned with (labels for the maps, sizes for the provenance, ceilings.json for the ceiling rows).', from: ['ingest'], required: false, multiple: true },
    graphs: { description: 'Graph outputs whose diagnostics.json (a_ij, label agreement, distance to the true distributions) the report shows (optional).', from: ['graph'], required: false, multiple: true },
  },
  async run(ctx) {
    const outcome = await runReport({
      params: ctx.params,
      results: ctx.inputs.results ?? [],
      features: ctx.inputs.features,
      datasets: ctx.inputs.dataset,
      graphs: ctx.inputs.graphs,
      outDir: ctx.outDir,
      log: (m) => ctx.log(m),
    });
    ctx.record({
      report: {
        table: outcome.table.table,
        claims: {
          supported: outcome.checks.filter((c) => c.verdict === 'supported').length,
          contradicted: outcome.checks.filter((c) => c.verdict === 'contradicted').length,
          inconclusive: outcome.checks.filter((c) => c.verdict === 'inconclusive').length,
          total: outcome.checks.length,
        },
        ...(outcome.diff ? { reference: { file: outcome.diff.file, ok: outcome.diff.ok, counts: outcome.diff.counts } } : {}),
      },
    });
  },
};
