// StreamState (ts/core/reliable.ts → core-rs/src/reliable) against streams.md §4–§8, §14 (b)/(c)
// and the reference expectations of §15 (reliability.rs, session.rs).
import { describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError } from '../../ts/errors.js';
import { StreamState, maxPendingForWindow, RECEIVE_TRACK_LIMIT, type StreamStateConfig } from '../../ts/core/reliable.js';

const ev = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);
/** One packet of one event whose charge (framed + 84) is exactly `charge` bytes. */
const chargePacket = (charge: number): Uint8Array[] => [ev(charge - 84 - 4)];
const ones = (n: number): Uint8Array[][] => Array.from({ length: n }, (_, i) => [ev(1, i & 0xff)]);

function missing(n: { nextExpected: bigint; missingBitmap: bigint }): bigint[] {
  const out = [n.nextExpected];
  for (let i = 0n; i < 64n; i++) if ((n.missingBitmap >> i) & 1n) out.push(n.nextExpected + 1n + i);
  return out;
}

function stream(config: Partial<StreamStateConfig> = {}): StreamState {
  return new StreamState({ reliable: true, ...config }, 0);
}

describe('max_pending (streams.md §6)', () => {
  it('follows the table', () => {
    const table: [number, number][] = [
      [0, 32],
      [1024, 32],
      [65_536, 128],
      [256_000, 500],
      [1 << 20, 2048],
      [8 << 20, 16_384],
      [64 << 20, 16_384],
      [2 ** 32 - 1, 16_384],
    ];
    for (const [window, expected] of table) {
      expect(maxPendingForWindow(window)).toBe(expected);
      const s = stream({ windowBytes: window });
      expect(s.stats().maxPending).toBe(expected);
      s.free();
    }
  });
});

describe('receiving side (§5)', () => {
  it('reference full cycle: NACK names 2, 4, 8; the sender resends exactly those', () => {
    const tx = stream();
    const rx = stream();
    const a = tx.admit(ones(10), 0);
    expect(a).toEqual({ admitted: 10, firstSeq: 0n, refusal: null });
    for (const seq of [0, 1, 3, 5, 6, 7, 9]) expect(rx.onReceive(seq, 5, 1)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(2n);
    const nack = rx.buildNack()!;
    expect(nack.nextExpected).toBe(2n);
    expect(missing(nack)).toEqual([2n, 4n, 8n]);
    expect(tx.onNack(nack.nextExpected, nack.missingBitmap, 2)).toEqual([2n, 4n, 8n]);
    expect(tx.stats().retransmits).toBe(3);
    expect(tx.stats().nacksReceived).toBe(1);
    expect(rx.onReceive(2, 5, 3)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(4n);
    expect(rx.onReceive(4, 5, 3)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(8n);
    expect(rx.onReceive(8, 5, 3)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(10n);
    expect(rx.buildNack()).toBeNull();
    expect(rx.hasGap).toBe(false);
  });

  it('rejects too-far and duplicate seqs; tracks far beyond the reference\'s 64 (§14 (a))', () => {
    const rx = stream();
    expect(rx.onReceive(0, 0, 0)).toBe(true);
    expect(rx.onReceive(1, 0, 0)).toBe(true);
    expect(rx.onReceive(2 + RECEIVE_TRACK_LIMIT + 1, 0, 0)).toBe(false);
    expect(rx.onReceive(100, 0, 0)).toBe(true);
    expect(rx.onReceive(100, 0, 0)).toBe(false);
    expect(rx.onReceive(65, 0, 0)).toBe(true);
    const dup = stream();
    for (const s of [0, 1, 2]) expect(dup.onReceive(s, 0, 0)).toBe(true);
    expect(dup.onReceive(1, 0, 0)).toBe(false);
    expect(dup.onReceive(2, 0, 0)).toBe(false);
    expect(dup.stats().rxConsumed).toBe(3 * 84);
  });

  it('NACKs encode 64 bits: offset 64 is the last bit, anything beyond marks all 64 as candidates', () => {
    const rx = stream();
    rx.onReceive(0, 0, 0);
    rx.onReceive(1, 0, 0);
    expect(rx.onReceive(66, 0, 0)).toBe(true); // offset 64 → bit 63
    expect(rx.onReceive(66, 0, 0)).toBe(false);
    const nack = rx.buildNack()!;
    expect(nack.nextExpected).toBe(2n);
    // Bit 63 arrived → every lower bit is missing: seqs 3..65.
    expect(nack.missingBitmap).toBe((1n << 63n) - 1n);
    const m = missing(nack);
    expect(m.length).toBe(64);
    expect(m[m.length - 1]).toBe(65n);
    // An arrival at offset 65 (untracked by the reference) is accepted and leaves the NACK as is.
    expect(rx.onReceive(67, 0, 0)).toBe(true);
    expect(rx.buildNack()).toEqual(nack);
    // Filling the 64 holes moves the edge past 67.
    for (let s = 2; s <= 65; s++) expect(rx.onReceive(s, 0, 0)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(68n);
    expect(rx.hasGap).toBe(false);
  });

  it('a lost prefix is NACKed, a lost tail is not', () => {
    const rx = stream();
    expect(rx.onReceive(3, 0, 0)).toBe(true);
    expect(rx.grantValues().ackSeq).toBe(0n);
    expect(missing(rx.buildNack()!)).toEqual([0n, 1n, 2n]);
    const tail = stream();
    tail.onReceive(0, 0, 0);
    expect(tail.buildNack()).toBeNull();
  });

  it('the tick carries the proactive gap NACK', () => {
    const rx = stream();
    rx.onReceive(0, 0, 0);
    rx.onReceive(2, 0, 0);
    expect(rx.tick(25).nack).toEqual({ nextExpected: 1n, missingBitmap: 0n });
  });

  it('unreliable streams accept everything and ack 0', () => {
    const rx = new StreamState({ reliable: false }, 0);
    expect(rx.onReceive(5, 10, 0)).toBe(true);
    expect(rx.onReceive(5, 10, 0)).toBe(true);
    expect(rx.grantValues()).toEqual({ totalConsumed: 188n, ackSeq: 0n });
    expect(rx.buildNack()).toBeNull();
    expect(rx.stats().cwnd).toBe(0);
    expect(rx.stats().rxSeq).toBe(5);
  });
});

describe('sending side (§3, §6, §14 (b))', () => {
  it('stores descriptors and hands them back for resends', () => {
    const tx = stream();
    const a = tx.admit([[ev(3, 1), ev(0)], [ev(5, 2)]], 0);
    expect(a.admitted).toBe(2);
    const p = tx.packet(0n)!;
    expect(p.flags).toBe(1);
    expect(p.eventCount).toBe(2);
    expect(Array.from(p.framed)).toEqual([3, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
    expect(p.events.map((e) => Array.from(e))).toEqual([[1, 1, 1], []]);
    expect(tx.packet(1)!.events[0]).toEqual(ev(5, 2));
    expect(tx.packet(2)).toBeNull();
    tx.onWindow(0, 1, 1);
    expect(tx.packet(0)).toBeNull();
    expect(tx.hasPending()).toBe(true);
    tx.onWindow(0, 2, 1);
    expect(tx.hasPending()).toBe(false);
    expect(tx.stats().acked).toBe(2);
  });

  it('refuses instead of evicting when max_pending is reached', () => {
    const tx = stream(); // window 65,536 → max_pending 128; cwnd 32 gates only the call start
    expect(tx.admit(ones(129), 0, true)).toEqual({ admitted: 0, firstSeq: 0n, refusal: 'pending' });
    expect(tx.stats().sent).toBe(0);
    const a = tx.admit(ones(129), 0, false);
    expect(a).toEqual({ admitted: 128, firstSeq: 0n, refusal: 'pending' });
    expect(tx.admit(ones(1), 0).refusal).toBe('cwnd');
    const s = tx.stats();
    expect(s.untrackedEvictions).toBe(0);
    expect(s.pending).toBe(128);
    // Nothing was evicted, so a NACK for the oldest seqs resends them.
    expect(tx.onNack(0, 0b011, 1)).toEqual([0n, 1n, 2n]);
  });

  it('the cwnd gate is checked once per call', () => {
    const tx = stream({ windowBytes: 0 }); // max_pending 32 = cwnd
    expect(tx.admit(ones(31), 0).admitted).toBe(31);
    expect(tx.canSend()).toBe(true);
    expect(tx.admit(ones(1), 0).admitted).toBe(1);
    expect(tx.canSend()).toBe(false);
    expect(tx.admit(ones(1), 0).refusal).toBe('cwnd');
    expect(tx.stats().creditBytes).toBe(0);
  });

  it('rejects malformed input with InvalidArgumentError and allocates nothing', () => {
    const tx = stream();
    expect(() => tx.admit([[ev(8105)]], 0)).toThrow(InvalidArgumentError);
    expect(() => tx.admit([[ev(8100), ev(1)]], 0)).toThrow(InvalidArgumentError);
    expect(() => tx.admit([['x' as unknown as Uint8Array]], 0)).toThrow(InvalidArgumentError);
    expect(() => tx.onReceive(-1, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => tx.tick(Number.NaN)).toThrow(InvalidArgumentError);
    expect(() => new StreamState({ reliable: true, windowBytes: 2 ** 32 }, 0)).toThrow(InvalidArgumentError);
    expect(() => new StreamState({ reliable: true, maxRetries: 256 }, 0)).toThrow(InvalidArgumentError);
    expect(tx.admit([[ev(8104)]], 0).admitted).toBe(1);
    expect(tx.stats().sent).toBe(1);
  });

  it('a freed record refuses further use', () => {
    const tx = stream();
    tx.free();
    tx.free();
    expect(tx.freed).toBe(true);
    expect(() => tx.tick(0)).toThrow(ClosedError);
  });
});

describe('RTO (§7)', () => {
  it('first sample 20 ms → 60 ms, then 10 s → 2 s', () => {
    const tx = stream();
    expect(tx.stats().rtoMs).toBe(50);
    tx.admit(ones(1), 0);
    tx.onWindow(0, 1, 20);
    expect(tx.stats().rtoMs).toBe(60);
    tx.admit(ones(1), 30);
    tx.onWindow(0, 2, 10_030);
    expect(tx.stats().rtoMs).toBe(2000);
  });

  it('fresh stream: 1 µs → 10 ms', () => {
    const tx = stream();
    tx.admit(ones(1), 5);
    tx.onWindow(0, 1, 5.001);
    expect(tx.stats().rtoMs).toBe(10);
  });

  it("Karn: acking a retransmitted packet leaves the RTO unchanged", () => {
    const tx = stream();
    tx.admit(ones(1), 0);
    expect(tx.tick(60).resend).toEqual([0n]);
    tx.onWindow(0, 1, 61);
    expect(tx.stats().rtoMs).toBe(50);
  });
});

describe('cwnd (§8)', () => {
  it('grows on clean acks, halves once per NACK episode, drops to 2 on timeout', () => {
    const tx = stream(); // max_pending 128
    expect(tx.stats().cwnd).toBe(32);
    expect(tx.admit(ones(40), 0).admitted).toBe(40);
    tx.onWindow(0, 8, 1);
    expect(tx.stats().cwnd).toBe(40);
    expect(tx.onNack(8, 0, 2)).toEqual([8n]);
    expect(tx.stats().cwnd).toBe(20);
    expect(tx.stats().ssthresh).toBe(20);
    // Same next_expected again: no resend, no second cut.
    expect(tx.onNack(8, 1, 3)).toEqual([]);
    expect(tx.stats().cwnd).toBe(20);
    // A higher next_expected is a new episode.
    expect(tx.onNack(9, 0, 4)).toEqual([9n]);
    expect(tx.stats().cwnd).toBe(10);
    expect(tx.tick(100).resend.length).toBeGreaterThan(0);
    expect(tx.stats().cwnd).toBe(2);
    expect(tx.canSend()).toBe(false);
    expect(tx.admit(ones(1), 101).refusal).toBe('cwnd');
  });

  it('a repeated NACK for the same head resends, two RTOs after its last send, what is still missing, without a second cut', () => {
    const tx = stream(); // initial RTO 50 ms
    expect(tx.admit(ones(40), 0).admitted).toBe(40);
    expect(tx.onNack(8, 0b100, 2)).toEqual([8n, 11n]);
    const cwnd = tx.stats().cwnd;
    expect(tx.onNack(8, 0b100, 90)).toEqual([]);
    // 103 ms: 8 is still missing (its resend was lost), 11 arrived meanwhile.
    expect(tx.onNack(8, 0, 103)).toEqual([8n]);
    expect(tx.stats().cwnd).toBe(cwnd);
    expect(tx.stats().retransmits).toBe(3);
    // A NACK older than the episode's head changes nothing.
    expect(tx.onNack(7, 0, 400)).toEqual([]);
  });

  it('never exceeds max_pending and never falls below 2', () => {
    const tx = stream({ windowBytes: 0 }); // max_pending 32
    for (let i = 0; i < 10; i++) {
      tx.admit(ones(30), i);
      tx.onWindow(0, (i + 1) * 30, i + 0.5);
    }
    expect(tx.stats().cwnd).toBe(32);
    tx.admit(ones(30), 20);
    for (let i = 0; i < 10; i++) tx.onNack(300 + i, 0, 21 + i);
    expect(tx.stats().cwnd).toBe(2);
  });
});

describe('give-up and ack probing (§14 (c))', () => {
  it('RTO 5 ms, max_retries 2: two resends, three probes, one reset', () => {
    const tx = stream({ maxRetries: 2, initialRtoMs: 5 });
    tx.admit(ones(1), 0);
    const log: string[] = [];
    for (let t = 1; t <= 12; t++) {
      const a = tx.tick(t * 6);
      for (const s of a.resend) log.push(`${t}:resend ${s}`);
      if (a.probeSeq !== null) {
        log.push(`${t}:probe ${a.probeSeq}`);
        const p = tx.packet(a.probeSeq)!;
        expect(p.eventCount).toBe(0);
        expect(p.framed.length).toBe(0);
        expect(p.flags).toBe(1);
      }
      if (a.reset) log.push(`${t}:reset`);
    }
    expect(log).toEqual(['1:resend 0', '2:resend 0', '3:probe 1', '4:probe 2', '5:probe 3', '6:reset']);
    const s = tx.stats();
    expect(s.failed).toBe(true);
    expect(tx.failed).toBe(true);
    expect(s.pending).toBe(0);
    expect(s.sent).toBe(4);
    expect(s.probesSent).toBe(3);
    expect(tx.takeFailed()).toBe(false); // reported once, by the tick
    expect(tx.admit(ones(1), 100).refusal).toBe('failed');
  });

  it('a lost final grant is healed by a probe, with no reset', () => {
    const tx = stream({ maxRetries: 2 });
    const rx = stream();
    const data = [[ev(4)], [ev(4)], [ev(4)]];
    tx.admit(data, 0);
    for (let seq = 0; seq < 3; seq++) expect(rx.onReceive(seq, 8, 1)).toBe(true);
    // The grant (ack 3) is lost. Resends arrive as duplicates and (here) earn no new grant.
    let probes = 0;
    for (let t = 25; t <= 500; t += 25) {
      const a = tx.tick(t);
      expect(a.reset).toBe(false);
      for (const seq of a.resend) expect(rx.onReceive(seq, 8, t)).toBe(false);
      if (a.probeSeq !== null) {
        probes++;
        expect(rx.onReceive(a.probeSeq, 0, t)).toBe(true);
        const g = rx.grantValues();
        expect(g.ackSeq).toBe(4n);
        expect(tx.probing).toBe(true);
        tx.onWindow(g.totalConsumed, g.ackSeq, t);
        expect(tx.probing).toBe(false);
      }
    }
    expect(probes).toBe(1);
    const s = tx.stats();
    expect(s.failed).toBe(false);
    expect(s.pending).toBe(0);
    expect(s.retransmits).toBe(6);
    expect(s.sent).toBe(4);
    // The probe added 84 to tx_bytes_sent; the grant covered it and the data.
    expect(s.txBytesSent).toBe(3 * 92 + 84);
    expect(s.creditBytes).toBe(65_536);
    expect(rx.stats().rxConsumed).toBe(3 * 92 + 84);
  });

  it('probes bypass credit: tx_bytes_sent + 84, credit − min(credit, 84)', () => {
    const tx = stream({ windowBytes: 200, maxRetries: 0, initialRtoMs: 10 });
    tx.admit([chargePacket(116)], 0);
    expect(tx.stats().creditBytes).toBe(84);
    expect(tx.tick(11).probeSeq).toBe(1n);
    expect(tx.stats()).toMatchObject({ creditBytes: 0, txBytesSent: 200 });
    expect(tx.tick(22).probeSeq).toBe(2n);
    expect(tx.stats()).toMatchObject({ creditBytes: 0, txBytesSent: 284, pending: 3 });
  });
});

describe('byte credit (§4, session.rs cases scaled to per-packet charges)', () => {
  it('two 400-byte charges fit a 1,000-byte window, a third fails', () => {
    const tx = stream({ windowBytes: 1000 });
    expect(tx.admit([chargePacket(400)], 0).admitted).toBe(1);
    expect(tx.admit([chargePacket(400)], 0).admitted).toBe(1);
    expect(tx.admit([chargePacket(400)], 0)).toEqual({ admitted: 0, firstSeq: 2n, refusal: 'credit' });
    expect(tx.stats()).toMatchObject({ backpressureEvents: 1, creditBytes: 200, sent: 2 });
  });

  it('a lost grant is healed by the next (absolute totals)', () => {
    const tx = stream({ windowBytes: 1000 });
    tx.admit([chargePacket(300)], 0);
    tx.admit([chargePacket(400)], 0);
    expect(tx.stats().creditBytes).toBe(300);
    expect(tx.onWindow(700, 0, 1)).toBe('applied');
    expect(tx.stats().creditBytes).toBe(1000);
  });

  it('a stale grant is ignored', () => {
    const tx = stream({ windowBytes: 1000 });
    tx.admit([chargePacket(800)], 0);
    expect(tx.onWindow(600, 0, 1)).toBe('applied');
    expect(tx.stats().creditBytes).toBe(800);
    expect(tx.onWindow(400, 0, 2)).toBe('stale');
    expect(tx.stats()).toMatchObject({ creditBytes: 800, maxConsumedSeen: 600, creditGrantsReceived: 2 });
  });

  it('a grant above tx_bytes_sent is capped', () => {
    const tx = stream({ windowBytes: 1000 });
    tx.admit([chargePacket(400)], 0);
    tx.onWindow(5000n, 0n, 1);
    expect(tx.stats()).toMatchObject({ creditBytes: 1000, maxConsumedSeen: 400 });
  });

  it('all-or-nothing versus resumable admission', () => {
    const tx = stream({ windowBytes: 1000 });
    const three = [chargePacket(400), chargePacket(400), chargePacket(400)];
    expect(tx.admit(three, 0, true)).toEqual({ admitted: 0, firstSeq: 0n, refusal: 'credit' });
    expect(tx.admit(three, 0, false)).toEqual({ admitted: 2, firstSeq: 0n, refusal: 'credit' });
    expect(tx.stats().backpressureEvents).toBe(2);
  });

  it('65,536 B admits exactly 8 full-size packets; the blob window 31 packets of 8000-B events', () => {
    const tx = new StreamState({ reliable: false }, 0);
    const full = Array.from({ length: 9 }, () => [ev(8104)]);
    expect(tx.admit(full, 0, false)).toEqual({ admitted: 8, firstSeq: 0n, refusal: 'credit' });
    const blob = stream({ windowBytes: 256_000 });
    const a = blob.admit(Array.from({ length: 40 }, () => [ev(8000)]), 0, false);
    expect(a.admitted).toBe(31);
  });

  it('window 0 disables credit: creditBytes stays 0 and grants only ack', () => {
    const tx = stream({ windowBytes: 0 });
    tx.admit([[ev(8104)]], 0);
    expect(tx.onWindow(1_000_000, 1, 1)).toBe('disabled');
    expect(tx.stats()).toMatchObject({ creditBytes: 0, txBytesSent: 0, pending: 0, creditGrantsReceived: 1 });
  });

  it('unreliable hand-off failures are refunded; reliable ones keep their charge', () => {
    const u = new StreamState({ reliable: false, windowBytes: 1000 }, 0);
    u.admit([chargePacket(400)], 0);
    u.refund(316);
    expect(u.stats()).toMatchObject({ creditBytes: 1000, txBytesSent: 0, sent: 1 });
    const r = stream({ windowBytes: 1000 });
    r.admit([chargePacket(400)], 0);
    r.refund(316);
    expect(r.stats().creditBytes).toBe(600);
  });

  it('receivers account plaintext + 84 per accepted packet and count grants/NACKs sent', () => {
    const rx = stream({ windowBytes: 0 });
    rx.onReceive(0, 100, 0);
    rx.onReceive(2, 0, 0);
    rx.onReceive(2, 0, 0);
    expect(rx.grantValues()).toEqual({ totalConsumed: 268n, ackSeq: 1n });
    rx.noteGrantSent();
    rx.noteNackSent();
    expect(rx.stats()).toMatchObject({ creditGrantsSent: 1, nacksSent: 1, rxSeq: 2, nextExpected: 1 });
  });
});

describe('pre-framed admission, window growth and the RTT figures', () => {
  const frame = (events: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(events.reduce((n, e) => n + 4 + e.length, 0));
    let at = 0;
    for (const e of events) {
      new DataView(out.buffer).setUint32(at, e.length, true);
      out.set(e, at + 4);
      at += 4 + e.length;
    }
    return out;
  };

  it('admitFramed takes packets framed back to back and stores them for resends', () => {
    const tx = stream({ windowBytes: 1000 });
    const p0 = frame([ev(3, 1), ev(0)]);
    const p1 = frame([ev(300, 2)]);
    const data = new Uint8Array(p0.length + p1.length);
    data.set(p0);
    data.set(p1, p0.length);
    expect(tx.admitFramed(Uint32Array.of(p0.length, 2, p1.length, 1), data, 0)).toEqual({ admitted: 2, firstSeq: 0n, refusal: null });
    expect(tx.packet(0)!.events.map((e) => e.length)).toEqual([3, 0]);
    expect(tx.packet(1)!.events[0]).toEqual(ev(300, 2));
    expect(tx.stats().creditBytes).toBe(1000 - (p0.length + 84) - (p1.length + 84));
    // All or nothing against the remaining credit; framing that lies about its count is refused.
    expect(tx.admitFramed(Uint32Array.of(p1.length, 1, p1.length, 1), new Uint8Array([...p1, ...p1]), 0).refusal).toBe('credit');
    expect(() => tx.admitFramed(Uint32Array.of(p0.length, 3), p0, 0)).toThrow(InvalidArgumentError);
    expect(tx.stats().sent).toBe(2);
  });

  it('growWindow raises credit and max_pending, never lowers them', () => {
    const tx = stream();
    expect(tx.admit(Array.from({ length: 9 }, () => [ev(8104)]), 0, false).admitted).toBe(8);
    expect(tx.growWindow(1 << 20)).toBe(1 << 20);
    expect(tx.stats()).toMatchObject({ txWindow: 1 << 20, maxPending: 2048, creditBytes: (1 << 20) - 8 * 8192 });
    expect(tx.maxPending).toBe(2048);
    expect(tx.growWindow(4096)).toBe(1 << 20);
    const off = stream({ windowBytes: 0 });
    expect(off.growWindow(1 << 20)).toBe(0);
  });

  it('reports the smoothed RTT, the samples and the timeout resends', () => {
    const tx = stream();
    expect(tx.stats()).toMatchObject({ srttMs: 0, rttSamples: 0, timeoutRetransmits: 0 });
    tx.admit(ones(1), 0);
    tx.onWindow(0, 1, 20);
    expect(tx.stats()).toMatchObject({ srttMs: 20, rttSamples: 1 });
    tx.admit(ones(2), 30);
    expect(tx.tick(100).resend).toEqual([1n, 2n]);
    expect(tx.stats()).toMatchObject({ retransmits: 2, timeoutRetransmits: 2 });
    expect(tx.onNack(1, 0, 101)).toEqual([1n]);
    expect(tx.stats()).toMatchObject({ retransmits: 3, timeoutRetransmits: 2 });
  });
});

describe('boundaries', () => {
  it('survives linear-memory growth mid-call (8 MB of descriptors)', () => {
    const tx = stream({ windowBytes: 8 << 20 });
    const packets = Array.from({ length: 1000 }, (_, i) => [ev(8104, i & 0xff)]);
    expect(tx.admit(packets, 0).admitted).toBe(1000);
    for (const seq of [0, 517, 999]) {
      const p = tx.packet(seq)!;
      expect(p.events[0]!.length).toBe(8104);
      expect(p.events[0]!.every((b) => b === (seq & 0xff))).toBe(true);
    }
    tx.onWindow(1000 * 8192, 1000, 1);
    expect(tx.stats()).toMatchObject({ pending: 0, creditBytes: 8 << 20 });
    tx.free();
  });

  it('hostile u64 values neither crash nor corrupt state', () => {
    const U64_MAX = (1n << 64n) - 1n;
    const rx = stream();
    expect(rx.onReceive(U64_MAX, 0, 0)).toBe(false);
    expect(rx.onReceive(2 ** 53, 0, 0)).toBe(false);
    expect(rx.grantValues()).toEqual({ totalConsumed: 0n, ackSeq: 0n });
    const tx = stream();
    tx.admit(ones(3), 0);
    expect(tx.onNack(U64_MAX - 1n, U64_MAX, 1)).toEqual([]);
    expect(() => tx.onNack(U64_MAX + 1n, 0, 1)).toThrow(InvalidArgumentError);
    // An ack above every seq sent means everything arrived.
    tx.onWindow(U64_MAX, U64_MAX, 2);
    expect(tx.stats()).toMatchObject({ pending: 0, creditBytes: 65_536, maxConsumedSeen: 3 * 89 });
  });
});
