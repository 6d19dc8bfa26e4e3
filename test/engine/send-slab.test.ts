// The engine's send buffer: one buffer reused across flushes only while the transport lets go of
// what it was handed; never an overlap between datagrams a transport may still hold.
import { describe, expect, it } from 'vitest';
import { SendSlab } from '../../ts/engine/send-slab.js';

describe('SendSlab', () => {
  it('reuses its buffer after a flush the transport released', () => {
    const s = new SendSlab();
    const a = s.take(1000);
    s.release(true);
    const b = s.take(1000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset);
  });

  it('leaves the buffer to a transport that kept the datagrams', () => {
    const s = new SendSlab();
    const a = s.take(1000);
    a.fill(7);
    s.release(false);
    const b = s.take(1000);
    b.fill(9);
    expect(b.buffer).not.toBe(a.buffer);
    expect(a.every((x) => x === 7)).toBe(true);
  });

  it('gives regions of one flush that never overlap, even past its capacity', () => {
    const s = new SendSlab();
    const regions = [s.take(40_000), s.take(40_000), s.take(200_000), s.take(10)];
    regions.forEach((r, i) => r.fill(i + 1));
    regions.forEach((r, i) => expect(r.every((x) => x === i + 1)).toBe(true));
    expect(regions.map((r) => r.length)).toEqual([40_000, 40_000, 200_000, 10]);
    s.release(true);
    // The next flush gets a buffer as large as the largest flush so far, in one piece.
    const big = s.take(280_010);
    const next = s.take(0);
    expect(next.buffer).toBe(big.buffer);
  });
});
