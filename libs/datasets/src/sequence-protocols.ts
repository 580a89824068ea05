/**
 * The paper's frame-selection protocols for lab datasets distributed as image sequences (Sec. 4.1):
 * - ckplus: "the first frame as the neutral face and the last frame as the expressive face" (CK+, 636 images).
 * - mmi: "the first two images are selected as neutral faces while the middle one-third part are chosen as expressive
 *   faces" (MMI sequences go neutral -> peak -> neutral).
 * - oulu: "the first two images as neutral faces and the last two fifth part as expressive faces" (Oulu-CASIA sequences
 *   end at the peak).
 * - cfee and none: no sequences; every image is taken with its folder's label.
 */
import type { Protocol } from './ingest-types';

export interface FrameSelection {
  /** 0-based frame indices labelled neutral. */
  neutral: number[];
  /** 0-based frame indices labelled with the sequence's expression. */
  expressive: number[];
}

/** True when `protocol` reads sequences (folders of frames) rather than single images. */
export function isSequenceProtocol(protocol: Protocol): boolean {
  return protocol === 'ckplus' || protocol === 'mmi' || protocol === 'oulu';
}

/** The smallest sequence each protocol can use without a frame being both neutral and expressive. */
export const MIN_SEQUENCE_LENGTH: Record<'ckplus' | 'mmi' | 'oulu', number> = { ckplus: 2, mmi: 5, oulu: 3 };

/**
 * Frames a protocol takes from a sequence of `n` frames (in temporal order). Returns null when the sequence is too short
 * for the protocol (fewer than {@link MIN_SEQUENCE_LENGTH} frames). Expressive frames never overlap the neutral ones.
 * - mmi: the middle third is [floor(n/3), floor(2n/3)) (n = 9 -> frames 3, 4, 5).
 * - oulu: the last two fifths are the last round(2n/5) frames, at least one (n = 10 -> frames 6..9).
 */
export function selectFrames(protocol: 'ckplus' | 'mmi' | 'oulu', n: number): FrameSelection | null {
  if (n < MIN_SEQUENCE_LENGTH[protocol]) return null;
  const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
  let neutral: number[];
  let expressive: number[];
  switch (protocol) {
    case 'ckplus':
      neutral = [0];
      expressive = [n - 1];
      break;
    case 'mmi':
      neutral = [0, 1];
      expressive = range(Math.floor(n / 3), Math.floor((2 * n) / 3));
      break;
    case 'oulu':
      neutral = [0, 1];
      expressive = range(n - Math.max(1, Math.round((2 * n) / 5)), n);
      break;
  }
  expressive = expressive.filter((k) => !neutral.includes(k));
  if (expressive.length === 0) return null;
  return { neutral, expressive };
}
