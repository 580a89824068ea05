/**
 * @ldl-alsg/report: tables, claims with verdicts, references, plots and t-SNE (docs/report.md). These named exports
 * are the public API; everything else is internal.
 */
export type { TableId, PaperValue } from './paper-values';
export type { MetricColumn, TableCell, ColumnGroup, TableRow, BuiltTable } from './table';
export type {
  CellRef,
  Operand,
  ClaimOperator,
  Claim,
  ClaimTerm,
  ClaimStatsOptions,
  DecidedBy,
  ClaimResult,
} from './claims';
export { tInterval, type Interval, type Verdict } from './stats';
export type { Ceiling } from './ceilings';
export {
  writeReference,
  updateReferenceFromReport,
  checkReportAgainstReference,
  type ReferenceCell,
  type ReferenceCheck,
  type ReferenceFile,
  type ReferenceStatus,
  DEFAULT_REFERENCE_TOLERANCE,
  type ReferenceDiffCell,
  type ReferenceCheckStatus,
  type ReferenceDiffCheck,
  type ReferenceDiff,
} from './reference';
export { tsne, subsample, type TsneOptions } from './tsne';
export type { SweepSpec } from './plots/sweep';
export {
  runReport,
  updateReferenceFromResults,
  referenceDiffFromResults,
  type TsneParams,
  type ReferenceParams,
  type ReportParams,
  type ReportArgs,
  type ReportOutcome,
  type ReferenceLayoutParams,
} from './report';
export { REPORT_PARAMS_SCHEMA } from './params-schema';
export { graphDiagnosticsMarkdown } from './graph-diagnostics';
