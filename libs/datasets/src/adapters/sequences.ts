/**
 * Turns one labelled image sequence into rows under a sequence protocol (see ../sequence-protocols.ts). Shared by the
 * folder and csv adapters.
 */
import { classIndex } from '@ldl-alsg/labels';
import type { LabelMapping } from '../class-names';
import type { AdapterContext, Protocol } from '../ingest-types';
import type { Split } from '../manifest';
import { selectFrames } from '../sequence-protocols';

export interface Frame {
  id: string;
  path: string;
  file: string;
  line?: number;
}

/**
 * Adds the protocol's neutral and expressive frames of one sequence. Expressive frames of a dropped class (contempt) are
 * skipped with that reason while the neutral frames stay (as the paper does for CK+). Frames the protocol does not take
 * are counted in the report's notes (`framesNotSelected`), not listed one by one.
 */
export function addSequence(
  ctx: AdapterContext,
  protocol: Exclude<Protocol, 'none' | 'cfee'>,
  frames: readonly Frame[],
  mapping: LabelMapping,
  split: Split,
  subject: string | undefined,
  sourceLabel: string,
  where: string,
): void {
  const selection = selectFrames(protocol, frames.length);
  if (selection === null) {
    ctx.collector.skip('short-sequence', where, undefined, `${frames.length} frames; protocol ${protocol} needs more`);
    return;
  }
  const neutral = classIndex('neutral');
  for (const k of selection.neutral) {
    const f = frames[k];
    ctx.collector.add({ id: f.id, path: f.path, labelIndex: neutral, split, subject, sourceLabel: `${sourceLabel}:neutral-frame`, file: f.file, line: f.line });
  }
  for (const k of selection.expressive) {
    const f = frames[k];
    if (mapping.kind === 'drop') ctx.collector.skip(mapping.reason, f.file, f.line, `frame ${f.path}`);
    else ctx.collector.add({ id: f.id, path: f.path, labelIndex: mapping.index, split, subject, sourceLabel, file: f.file, line: f.line });
  }
  const notes = ctx.collector.notes;
  notes.framesNotSelected = ((notes.framesNotSelected as number) ?? 0) + frames.length - selection.neutral.length - selection.expressive.length;
}
