/**
 * Learning-rate schedule of the paper (Sec. 4.1): linear warm-up over the first `warmupEpochs` epochs, then cosine decay to
 * 0 over the remaining epochs, evaluated per optimisation step.
 */
export interface ScheduleArgs {
  /** Peak learning rate (paper: 0.001). */
  lr: number;
  /** Steps per epoch (ceil(samples / batch)). */
  stepsPerEpoch: number;
  /** Total epochs (paper: 10). */
  epochs: number;
  /** Linear warm-up epochs (paper: 1); 0 starts the cosine at `lr`. */
  warmupEpochs: number;
}

/**
 * Learning rate for 0-based step `step`: lr * (step + 1) / W during warm-up (W = warm-up steps), then
 * lr * (1 + cos(pi * (step - W) / (T - W))) / 2 where T = total steps.
 */
export function learningRateAt(step: number, args: ScheduleArgs): number {
  const total = Math.max(1, args.stepsPerEpoch * args.epochs);
  const warm = Math.min(total, Math.round(args.stepsPerEpoch * args.warmupEpochs));
  if (step < warm) return (args.lr * (step + 1)) / warm;
  const span = Math.max(1, total - warm);
  return (args.lr * (1 + Math.cos((Math.PI * Math.min(step - warm, span)) / span))) / 2;
}
