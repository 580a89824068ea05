import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProgress, writeAboveProgress } from './progress';

/** A stream that records what was written. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => (chunks.push(t), true) } };
}

afterEach(() => vi.useRealTimers());

describe('startProgress', () => {
  it('shows no rate or ETA before there is a measurement (no "0.0 images/s ETA ?")', () => {
    vi.useFakeTimers();
    const { chunks, stream } = sink(true);
    const p = startProgress('train', 100, { stream, unit: 'images' });
    p.tick(10);
    expect(chunks.at(-1)).toContain('10/100 (10.0%)');
    expect(chunks.at(-1)).not.toMatch(/images\/s|ETA/);
    vi.advanceTimersByTime(2000);
    p.tick(10);
    expect(chunks.at(-1)).toMatch(/20\/100 \(20\.0%\) 10\.0 images\/s ETA 8s/);
    p.done();
  });

  it('plain mode waits one interval for its first line', () => {
    vi.useFakeTimers();
    const { chunks, stream } = sink(false);
    const p = startProgress('decode', 50, { stream, unit: 'images', intervalMs: 1000 });
    p.tick(5);
    expect(chunks).toEqual([]);
    vi.advanceTimersByTime(1000);
    p.tick(5);
    expect(chunks).toEqual(['decode 10/50 (20.0%) 10.0 images/s ETA 4s\n']);
  });

  it('names the epoch and counts restored work in the bar but not in the rate', () => {
    vi.useFakeTimers();
    const { chunks, stream } = sink(false);
    const p = startProgress('[t/train] train baseline', undefined, { stream, unit: 'images', intervalMs: 1000 });
    p.setDetail?.('main epoch 3/4');
    p.setTotal?.(400, 200);
    vi.advanceTimersByTime(1000);
    p.tick(100);
    expect(chunks.at(-1)).toBe('[t/train] train baseline main epoch 3/4 300/400 (75.0%) 100 images/s ETA 1s\n');
  });

  it('writes log lines above a live bar instead of gluing them to it', () => {
    const { chunks, stream } = sink(true);
    const p = startProgress('train', 10, { stream });
    p.tick(1);
    writeAboveProgress('[t/train] epoch 1/2', stream);
    expect(chunks.at(-1)).toMatch(/^\r\x1b\[2K\[t\/train\] epoch 1\/2\ntrain \[/);
    p.done();
    // Another process's bar may hold the line: a TTY line is always cleared first.
    writeAboveProgress('after', stream);
    expect(chunks.at(-1)).toBe('\r\x1b[2Kafter\n');
    const plain = sink(false);
    writeAboveProgress('ci', plain.stream);
    expect(plain.chunks).toEqual(['ci\n']);
  });
});
