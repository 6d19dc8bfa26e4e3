// The seq→charge marks behind an unreliable sender's credit return (issue 9 finding 3): the
// charge below a reported seq, marks dropped as they are used, a lower bound once forgotten.
import { describe, expect, it } from 'vitest';
import { StreamRecord } from '../../ts/engine/stream-record.js';
import type { WireStreamConfig } from '../../ts/engine/link-format.js';

const unreliable: WireStreamConfig = { reliable: false, scheduled: false, weight: 1, priority: false, windowBytes: 65_536, windowExplicit: false, maxRetries: 3 };

describe('StreamRecord charge marks', () => {
  it('answers the cumulative charge below a seq and never more for an older one', () => {
    const rec = new StreamRecord(1, 1n, 1, { ...unreliable }, 0);
    rec.noteCharge(0n, 100);
    rec.noteCharge(1n, 250);
    rec.noteCharge(2n, 400);
    expect(rec.chargeBelowSeq(2n)).toBe(250);
    // An older seq than the marks now start at: the charge already known below them.
    expect(rec.chargeBelowSeq(1n)).toBe(250);
    // A seq past every mark: the charge of everything sent.
    expect(rec.chargeBelowSeq(9n)).toBe(400);
    // Marks start again at the next seq sent.
    rec.noteCharge(3n, 484);
    rec.noteCharge(4n, 600);
    expect(rec.chargeBelowSeq(4n)).toBe(484);
    expect(rec.chargeBelowSeq(5n)).toBe(600);
    rec.state.free();
  });

  it('keeps at most 65,536 marks: older seqs answer a lower bound', () => {
    const rec = new StreamRecord(1, 1n, 1, { ...unreliable }, 0);
    for (let i = 0; i < 70_000; i++) rec.noteCharge(BigInt(i), (i + 1) * 10);
    // Seq 100 was forgotten (capped): the answer is a lower bound, never the newer marks' charge.
    expect(rec.chargeBelowSeq(100n)).toBeLessThanOrEqual(100 * 10);
    expect(rec.chargeBelowSeq(70_000n)).toBe(700_000);
    rec.state.free();
  });
});
