/**
 * @ldl-alsg/labels: the class order, AU and landmark columns, and argmax over the class space. These named exports are
 * the public API; everything else is internal.
 */
export {
  classIndex,
  CLASSES,
  type ClassName,
  NUM_CLASSES,
  AU_IDS,
  AU_COLUMNS,
  NUM_AUS,
  NUM_LANDMARKS,
  LANDMARK_COLUMNS,
  PAPER_SIGMA,
} from './classes';
export { argmaxRow, argmaxRows } from './argmax';
