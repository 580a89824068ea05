/**
 * @ldl-alsg/evaluation: accuracy, the paper averages, LDL metrics, calibration and the evaluate stage body
 * (docs/evaluation.md). These named exports are the public API; everything else is internal.
 */
export {
  accuracyPercent,
  confusionMatrix,
  paperAverages,
  type Domain,
  type SetAccuracy,
  type PaperAverages,
} from './accuracy';
export {
  chebyshev,
  clark,
  canberra,
  klDivergence,
  cosine,
  intersection,
  ldlMetrics,
  LDL_METRIC_NAMES,
  type LdlMetricName,
  type LdlMetrics,
} from './ldl-metrics';
export { expectedCalibrationError, ECE_BINS, type CalibrationBin, type Calibration } from './calibration';
export { meanSd, formatMeanSd, type MeanSd } from './seeds';
export {
  computeEvaluationMetrics,
  predictionRows,
  METRICS_SCHEMA,
  type EvalRow,
  type RunInfo,
  type SetMetrics,
  type EvaluationMetrics,
  PREDICTION_COLUMNS,
} from './metrics-file';
export { runEvaluation, type EvaluateParams, type EvaluateArgs } from './run-evaluation';
