/**
 * How many centre images a method run will train on, phase by phase, so the progress bar's total and ETA cover the
 * whole train instance rather than only its running phase (NAL and IPA2LT run several). The epoch defaults of NAL's and
 * IPA2LT's phases live here and nal.ts / ipa2lt.ts read them from here, so the plan and the run cannot disagree.
 */
import type { Progress } from '@ldl-alsg/common';

/** NAL's phases: baseline pre-training (none when starting from given weights), then the channel phase. */
export function nalPhaseEpochs(epochs: number, pretrainEpochs: number | undefined, fromInitWeights: boolean): { pre: number; pretrain: number; nal: number } {
  const pre = pretrainEpochs ?? Math.ceil(epochs / 2);
  return { pre, pretrain: pre > 0 && !fromInitWeights ? pre : 0, nal: fromInitWeights ? epochs : epochs - pre };
}

/**
 * IPA2LT's phases: pre-training (default epochs; none when starting from given weights), one coder per annotation set
 * (default 1 epoch), LTNet (default ceil(epochs / 2)).
 */
export function ipa2ltPhaseEpochs(epochs: number, options: { pretrainEpochs?: number; coderEpochs?: number; ltnetEpochs?: number }, fromInitWeights: boolean): { pretrain: number; coder: number; ltnet: number } {
  return { pretrain: fromInitWeights ? 0 : (options.pretrainEpochs ?? epochs), coder: options.coderEpochs ?? 1, ltnet: options.ltnetEpochs ?? Math.ceil(epochs / 2) };
}

/** The annotation sets IPA2LT trains one coder for: the label columns when there are several, else one per dataset. */
export function ipa2ltCoderSets<T>(annotations: readonly T[], datasetSets: readonly T[] | undefined): readonly T[] {
  return annotations.length > 1 ? annotations : (datasetSets ?? annotations);
}

export interface PlannedImagesArgs {
  method: string;
  epochs: number;
  /** Samples of the single-label phases (the label mixture). */
  samples: number;
  /** Training rows (IPA2LT's LTNet trains one sample per row). */
  rows: number;
  /** IPA2LT: labelled rows of each annotation set (one coder each). */
  coderRows: readonly number[];
  nalPretrainEpochs?: number;
  ipa2lt?: { pretrainEpochs?: number; coderEpochs?: number; ltnetEpochs?: number };
  fromInitWeights: boolean;
}

/** Centre images over every phase of the run (a phase skipped on resume, e.g. a finished IPA2LT coder, still counts). */
export function plannedImages(a: PlannedImagesArgs): number {
  if (a.method === 'nal') {
    const e = nalPhaseEpochs(a.epochs, a.nalPretrainEpochs, a.fromInitWeights);
    return (e.pretrain + e.nal) * a.samples;
  }
  if (a.method === 'ipa2lt') {
    const e = ipa2ltPhaseEpochs(a.epochs, a.ipa2lt ?? {}, a.fromInitWeights);
    const coders = a.coderRows.reduce((s, n) => s + n, 0) * e.coder;
    return e.pretrain * a.samples + coders + e.ltnet * a.rows;
  }
  return a.epochs * a.samples;
}

/**
 * The run's progress as one phase sees it: the loop's `setTotal(phaseTotal, phaseDone)` becomes the instance's total,
 * offset by the images of the phases before (`before()`), so the bar and ETA run over the whole instance.
 */
export function instanceProgress(inner: Progress, total: number, before: () => number): Progress {
  return {
    tick: (n) => inner.tick(n),
    update: (done) => inner.update(before() + done),
    setDetail: (detail) => inner.setDetail?.(detail),
    setTotal: (_phaseTotal, phaseDone) => inner.setTotal?.(total, before() + (phaseDone ?? 0)),
    done: (message) => inner.done(message),
  };
}
