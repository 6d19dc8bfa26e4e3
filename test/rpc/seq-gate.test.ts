// SeqGate: in-order release of a stream's packets by seq, with time passed in.
import { describe, expect, it } from 'vitest';
import { SeqGate } from '../../ts/rpc/seq-gate.js';

function gate(gapTimeoutMs = 1000, maxHeld = 8) {
  const out: number[] = [];
  const g = new SeqGate<number>((x) => out.push(x), { gapTimeoutMs, maxHeld });
  return { g, out };
}

describe('SeqGate', () => {
  it('releases in seq order whatever the arrival order, each seq once', () => {
    const { g, out } = gate();
    for (const s of [2, 0, 4, 1, 1, 3, 0, 4]) g.push(BigInt(s), s, 0);
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(g.held).toBe(0);
    expect(g.counters.duplicates).toBe(3);
  });

  it('waits for a gap until its timeout, then skips it; a late packet is then a duplicate', () => {
    const { g, out } = gate(1000);
    g.push(0n, 0, 0);
    g.push(2n, 2, 10);
    g.push(3n, 3, 20);
    expect(g.tick(999)).toBe(true);
    expect(out).toEqual([0]);
    expect(g.tick(1010)).toBe(false);
    expect(out).toEqual([0, 2, 3]);
    g.push(1n, 1, 1100);
    expect(out).toEqual([0, 2, 3]);
    expect(g.counters).toEqual({ skipped: 1, duplicates: 1 });
  });

  it('skips the oldest gap when more than maxHeld packets wait', () => {
    const { g, out } = gate(60_000, 3);
    for (const s of [1, 2, 3]) g.push(BigInt(s), s, 0);
    expect(out).toEqual([]);
    g.push(5n, 5, 0);
    expect(out).toEqual([1, 2, 3]);
    expect(g.held).toBe(1);
  });

  it('a reset releases what is held and restarts at seq 0', () => {
    const { g, out } = gate();
    g.push(0n, 0, 0);
    g.push(2n, 2, 0);
    g.reset();
    expect(out).toEqual([0, 2]);
    g.push(0n, 10, 0);
    expect(out).toEqual([0, 2, 10]);
  });

  it('a seq near 0 far below the expected one is a new lifetime of the stream', () => {
    const { g, out } = gate();
    for (let s = 0; s < 300; s++) g.push(BigInt(s), s, 0);
    out.length = 0;
    g.push(1n, 1001, 0); // seq 0 of the new lifetime is still on its way
    g.push(0n, 1000, 0);
    expect(out).toEqual([1000, 1001]);
    g.push(299n, 299, 0); // an old-lifetime straggler far ahead waits, as any gap would
    expect(out).toEqual([1000, 1001]);
  });
});
