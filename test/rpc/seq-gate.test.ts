// SeqGate: in-order release of a stream's packets by seq, with time passed in.
import { describe, expect, it } from 'vitest';
import { SeqGate } from '../../ts/rpc/seq-gate.js';

function gate(gapTimeoutMs = 1000, maxHeld = 8) {
  const out: number[] = [];
  const g = new SeqGate<number>((x) => out.push(x), { gapTimeoutMs, maxHeld });
  return { g, out };
}

describe('SeqGate', () => {
  it('releases in seq order whatever the arrival order', () => {
    const { g, out } = gate();
    for (const s of [2, 4, 1, 3, 4, 0]) g.push(BigInt(s), s, 0);
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(g.held).toBe(0);
    expect(g.counters.duplicates).toBe(1); // a second 4 while 4 was held
  });

  it('waits for a gap until its timeout, then skips it', () => {
    const { g, out } = gate(1000);
    g.push(0n, 0, 0);
    g.push(2n, 2, 10);
    g.push(3n, 3, 20);
    expect(g.tick(999)).toBe(true);
    expect(out).toEqual([0]);
    expect(g.tick(1010)).toBe(false);
    expect(out).toEqual([0, 2, 3]);
    // the skipped seq, arriving later, waits in limbo for a restart that never comes, then expires
    g.push(1n, 1, 1100);
    expect(out).toEqual([0, 2, 3]);
    expect(g.limbo).toBe(1);
    expect(g.tick(2200)).toBe(false);
    expect(g.limbo).toBe(0);
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

  it('seq 0 below the expected seq is a new lifetime; its packets that overtook seq 0 are kept for it', () => {
    const { g, out } = gate();
    for (let s = 0; s < 5; s++) g.push(BigInt(s), s, 0);
    out.length = 0;
    g.push(2n, 1002, 0); // new lifetime, seq 2 and 1 overtook seq 0
    g.push(1n, 1001, 0);
    expect(out).toEqual([]);
    g.push(0n, 1000, 0);
    g.push(3n, 1003, 0);
    expect(out).toEqual([1000, 1001, 1002, 1003]);
    expect(g.limbo).toBe(0);
  });
});
