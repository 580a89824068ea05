/**
 * @ldl-alsg/ldl: the paper's equations (Eq. 2-5): reference implementations and their TF.js counterparts. These named
 * exports are the public API; everything else is internal.
 */
export {
  softmax,
  crossEntropy,
  taskGuidance,
  totalLoss,
  referenceBatchLoss,
  type LossReduction,
  LOSS_REDUCTIONS,
  type GuidanceInput,
  type ReferenceBatch,
  type LossTerms,
} from './reference-loss';
export { detach, tfCrossEntropy, tfTaskGuidance, tfTotalLoss, type TfGuidanceInput, type TfLossTerms } from './tf-loss';
export { localSimilarity } from './similarity';
