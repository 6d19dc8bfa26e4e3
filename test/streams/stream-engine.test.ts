// StreamEngine on a fake clock, two engines wired back to back without crypto or sockets: stream
// records and epochs, quarantine, idle eviction and the cap (streams.md §2), coalesced grants and
// the NACK that follows a gap (§4, §9), the NACK handler, the final-grant answer of a closed
// lifetime (§14 (c) 7), trySend all-or-nothing and send's resume (§1, §3).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StreamEngine, MAX_STREAMS_PER_SESSION, type ReceivedEvent } from '../../ts/streams/stream-engine.js';
import { Peer } from '../../ts/node/peer.js';
import type { SealTemplate } from '../../ts/core/batch-format.js';
import { InvalidArgumentError, NotConnectedError } from '../../ts/errors.js';
import { decodeStreamNack, decodeStreamWindow, encodeStreamNack, encodeStreamWindow } from '../../ts/streams/control-frames.js';
import { SP_NACK, SP_WINDOW } from './transfer-helpers.js';

interface Wire {
  to: Side;
  template: SealTemplate;
  events: Uint8Array[];
  address: string;
}

/** One node: its engine, its view of the other node (a Peer), and what it sent. */
class Side {
  now = 1000;
  /** What `sendBacklog()` reports: packets the (fake) send path still holds. */
  backlog = 0;
  readonly delivered: ReceivedEvent[] = [];
  readonly sent: Wire[] = [];
  readonly warnings: string[] = [];
  peer!: Peer;
  other!: Side;
  readonly engine: StreamEngine;

  constructor(readonly name: string) {
    this.engine = new StreamEngine(
      {
        sealTo: (_peer, template, events, address) => {
          this.sent.push({ to: this.other, template: { ...template }, events: events.map((e) => e.slice()), address: address ?? this.peer.address });
        },
        deliver: (p) => this.delivered.push(...p.events.map((payload) => ({ from: p.from, streamId: p.streamId, seq: p.seq, payload }))),
        peer: (id) => (id === this.peer.nodeId ? this.peer : undefined),
        peers: () => [this.peer],
        now: () => this.now,
        sendBacklog: () => this.backlog,
        warn: (code) => this.warnings.push(code),
      },
      { retransmitTickMs: 1e9 },
    );
  }
}

let sides: Side[] = [];
afterEach(() => {
  for (const s of sides) s.engine.close();
  sides = [];
  vi.restoreAllMocks();
});

function pair(): [Side, Side] {
  const a = new Side('a');
  const b = new Side('b');
  a.other = b;
  b.other = a;
  a.peer = new Peer(2n, 'b:1', 77n, 1, 30_000, a.now, 1);
  b.peer = new Peer(1n, 'a:1', 77n, 1, 30_000, b.now, 1);
  sides.push(a, b);
  return [a, b];
}

/** Delivers everything `from` sent (optionally filtered), then lets both sides flush grants. */
function pump(from: Side, keep: (w: Wire) => boolean = () => true): Wire[] {
  const batch = from.sent.splice(0);
  for (const w of batch) {
    if (!keep(w)) continue;
    const to = w.to;
    const t = w.template;
    if (t.subprotocol >= 0x0b00 && t.subprotocol <= 0x0b02) to.engine.onControl(to.peer, t.subprotocol, w.events, `${from.name}:1`);
    else to.engine.onEventPlane(to.peer, t.flags, t.streamId, t.sequence, w.events.reduce((s, e) => s + 4 + e.length, 0), w.events);
  }
  from.other.engine.flushGrants();
  from.engine.flushGrants();
  return batch;
}

const ev = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);
const windows = (ws: Wire[]) => ws.filter((w) => w.template.subprotocol === SP_WINDOW).map((w) => decodeStreamWindow(w.events[0]!)!);

describe('records, epochs and handles (§2)', () => {
  it('explicit opens get the session epoch counter; a second open returns the same record', () => {
    const [a] = pair();
    const s1 = a.engine.openStream(a.peer, 5n, { reliability: 'reliable' });
    const s2 = a.engine.openStream(a.peer, 6n, undefined);
    expect([s1.epoch, s2.epoch]).toEqual([1, 2]);
    const again = a.engine.openStream(a.peer, 5n, { reliability: 'unreliable' });
    expect(again.epoch).toBe(1);
    expect(again.config.reliability).toBe('reliable');
    expect(a.warnings).toEqual(['STREAM_CONFIG_MISMATCH']);
    s1.close();
    const reopened = a.engine.openStream(a.peer, 5n, undefined);
    expect(reopened.epoch).toBe(3);
    // A stale handle never reaches the new record.
    expect(() => s1.trySend([ev(1)])).toThrow(NotConnectedError);
    expect(() => a.engine.openStream(a.peer, 7n, { weight: 256 })).toThrow(InvalidArgumentError);
    expect(() => a.engine.openStream(a.peer, 7n, { windowBytes: -1 })).toThrow(InvalidArgumentError);
    expect(() => a.engine.openStream(a.peer, 7n, { maxRetries: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => a.engine.openStream(a.peer, 7n, { reliability: 'maybe' as never })).toThrow(InvalidArgumentError);
  });

  it('inbound packets create epoch-0 records, reliable iff the packet is', () => {
    const [a, b] = pair();
    a.engine.openStream(a.peer, 9n, { reliability: 'reliable' }).trySend([ev(3)]);
    pump(a);
    expect(b.delivered.map((e) => [e.streamId, e.seq])).toEqual([[9n, 0n]]);
    const implicit = b.engine.openStream(b.peer, 9n, undefined);
    expect(implicit.epoch).toBe(0);
    expect(implicit.config.reliability).toBe('reliable');
  });

  it('a closed id is quarantined for 2 s: grants are ignored and a reopened record waits', () => {
    const [a, b] = pair();
    const s = a.engine.openStream(a.peer, 11n, { windowBytes: 10_000 });
    expect(s.trySend([ev(1000)])).toBe(true);
    pump(a); // B accepts and grants back
    s.close();
    pump(b); // the grant arrives for a quarantined id
    const r = a.engine.openStream(a.peer, 11n, { windowBytes: 10_000 });
    expect(r.stats().creditGrantsReceived).toBe(0);
    expect(r.trySend([ev(10)])).toBe(false);
    expect(a.sent.length).toBe(0);
    a.now += 2001;
    expect(r.trySend([ev(10)])).toBe(true);
    expect(a.sent[0]!.template.sequence).toBe(0n);
  });

  it('idle records are evicted at the sweep after 300 s; the cap evicts the least recently active', () => {
    const [a] = pair();
    const idle = a.engine.openStream(a.peer, 1n, undefined);
    a.now += 200_000;
    const busy = a.engine.openStream(a.peer, 2n, undefined);
    a.now += 100_001;
    a.engine.sweep(a.peer);
    expect(idle.stats().closed).toBe(true);
    expect(busy.stats().closed).toBe(false);
    expect(a.peer.quarantine.has(1n)).toBe(true);
    a.now += 2000;
    a.engine.sweep(a.peer);
    expect(a.peer.quarantine.has(1n)).toBe(false);
    // Cap: 4096 records per session; one more evicts the least recently active (stream 2).
    for (let i = 0; i < MAX_STREAMS_PER_SESSION - 1; i++) {
      a.now += 0.001;
      a.engine.open(a.peer, 1000n + BigInt(i), undefined);
    }
    expect(a.peer.streams.size).toBe(MAX_STREAMS_PER_SESSION);
    a.engine.open(a.peer, 99_999n, undefined);
    expect(a.peer.streams.size).toBe(MAX_STREAMS_PER_SESSION);
    expect(busy.stats().closed).toBe(true);
  });
});

describe('grants, NACKs and resends (§4, §9)', () => {
  it('one coalesced absolute grant per stream per turn, carrying ack_seq', () => {
    const [a, b] = pair();
    const s = a.engine.openStream(a.peer, 3n, { reliability: 'reliable' });
    for (let i = 0; i < 10; i++) expect(s.trySend([ev(100, i)])).toBe(true);
    pump(a);
    const back = b.sent.slice();
    const grants = windows(back);
    expect(grants).toEqual([{ streamId: 3n, totalConsumed: BigInt(10 * (104 + 84)), ackSeq: 10n }]);
    expect(back.every((w) => w.template.streamId === 0xffff_ffff_ffff_ffffn)).toBe(true);
    pump(b);
    expect(s.stats()).toMatchObject({ acked: 10, pending: 0, creditBytes: 65_536, creditGrantsReceived: 1 });
  });

  it('a gap makes a NACK follow the grant; the NACK resends at once to its source, uncharged', () => {
    const [a, b] = pair();
    const s = a.engine.openStream(a.peer, 4n, { reliability: 'reliable' });
    for (let i = 0; i < 4; i++) s.trySend([ev(50, i)]);
    const credit = s.stats().creditBytes;
    // Seq 1 is lost.
    pump(a, (w) => w.template.sequence !== 1n);
    const back = b.sent.slice();
    expect(back.map((w) => w.template.subprotocol)).toEqual([SP_WINDOW, SP_NACK]);
    const nack = decodeStreamNack(back[1]!.events[0]!)!;
    expect(nack).toEqual({ streamId: 4n, nextExpected: 1n, missingBitmap: 0n });
    pump(b);
    // The resend went out at once, to the address the NACK came from.
    expect(a.sent.map((w) => [w.template.sequence, w.address])).toEqual([[1n, 'b:1']]);
    expect(a.sent[0]!.events[0]).toEqual(ev(50, 1));
    expect(s.stats().creditBytes).toBe(credit + 3 * (54 + 84));
    pump(a);
    pump(b);
    expect(b.delivered.map((e) => e.seq)).toEqual([0n, 2n, 3n, 1n]);
    expect(s.stats()).toMatchObject({ pending: 0, retransmits: 1, nacksReceived: 1 });
  });

  it('duplicates are delivered once and re-grant the current values', () => {
    const [a, b] = pair();
    const s = a.engine.openStream(a.peer, 5n, { reliability: 'reliable' });
    s.trySend([ev(10)]);
    const first = a.sent[0]!;
    pump(a);
    b.sent.splice(0);
    a.sent.push(first, first);
    pump(a);
    expect(b.delivered.length).toBe(1);
    expect(windows(b.sent)).toEqual([{ streamId: 5n, totalConsumed: 98n, ackSeq: 1n }]);
  });

  it('control frames of the wrong length and for unknown ids are ignored', () => {
    const [a] = pair();
    const s = a.engine.openStream(a.peer, 6n, { reliability: 'reliable' });
    s.trySend([ev(10)]);
    a.engine.onControl(a.peer, SP_WINDOW, [encodeStreamWindow({ streamId: 6n, totalConsumed: 98n, ackSeq: 1n }).subarray(0, 23)]);
    a.engine.onControl(a.peer, SP_WINDOW, [encodeStreamWindow({ streamId: 66n, totalConsumed: 98n, ackSeq: 1n })]);
    a.engine.onControl(a.peer, SP_NACK, [encodeStreamNack({ streamId: 6n, nextExpected: 0n, missingBitmap: 0n }).subarray(1)]);
    // An ack beyond every seq sent can only belong to an older lifetime.
    a.engine.onControl(a.peer, SP_WINDOW, [encodeStreamWindow({ streamId: 6n, totalConsumed: 98n, ackSeq: 5n })]);
    expect(s.stats()).toMatchObject({ pending: 1, creditGrantsReceived: 0, nacksReceived: 0 });
  });

  it('a closed receiver answers a late retransmission with its final grant and delivers nothing (§14 (c) 7)', () => {
    const [a, b] = pair();
    const s = a.engine.openStream(a.peer, 8n, { reliability: 'reliable' });
    s.trySend([ev(10)]);
    s.trySend([ev(20)]);
    const data = a.sent.slice();
    pump(a);
    // B closes right away; its grant is lost.
    b.engine.openStream(b.peer, 8n, undefined).close();
    b.sent.splice(0);
    a.sent.push(data[1]!);
    pump(a);
    expect(b.delivered.length).toBe(2);
    expect(windows(b.sent)).toEqual([{ streamId: 8n, totalConsumed: BigInt(98 + 108), ackSeq: 2n }]);
    expect(b.peer.streams.has(8n)).toBe(false);
    pump(b);
    expect(s.stats()).toMatchObject({ pending: 0, acked: 2 });
  });
});

describe('trySend and send (§1, §3)', () => {
  it('trySend is all or nothing; send resumes at the first packet not handed off', async () => {
    const [a, b] = pair();
    // Window 20,000: two 8,188-byte packets fit, a third does not.
    const s = a.engine.openStream(a.peer, 12n, { reliability: 'reliable', windowBytes: 20_000 });
    const big = (i: number) => ev(8100, i);
    expect(s.trySend([big(0), big(1), big(2)])).toBe(false);
    expect(s.stats()).toMatchObject({ sent: 0, backpressureEvents: 1 });
    const sending = s.send([big(0), big(1), big(2)]);
    await Promise.resolve();
    expect(a.sent.map((w) => w.template.sequence)).toEqual([0n, 1n]);
    pump(a);
    pump(b); // the grant wakes the sender
    await sending;
    expect(a.sent.map((w) => w.template.sequence)).toEqual([2n]);
    pump(a);
    expect(b.delivered.map((e) => e.payload[0])).toEqual([0, 1, 2]);
    // A packet that can never fit its window is refused outright.
    const tiny = a.engine.openStream(a.peer, 13n, { windowBytes: 1000 });
    expect(a.warnings).toContain('STREAM_WINDOW_TOO_SMALL');
    expect(() => tiny.trySend([ev(2000)])).toThrow(InvalidArgumentError);
    expect(() => s.trySend([ev(8105)])).toThrow(InvalidArgumentError);
  });

  it('a full send path holds originating sends back: trySend refuses, send waits and resumes', async () => {
    const [a] = pair();
    const s = a.engine.openStream(a.peer, 14n, { windowBytes: 4 << 20 });
    // An idle path takes a call of any size.
    expect(s.trySend(Array.from({ length: 200 }, (_, i) => ev(8000, i)))).toBe(true);
    a.sent.splice(0);
    a.backlog = 100; // 28 packets of room below the default 128
    expect(s.trySend(Array.from({ length: 29 }, (_, i) => ev(8000, i)))).toBe(false);
    expect(s.stats().sent).toBe(200);
    const sending = s.send(Array.from({ length: 40 }, (_, i) => ev(8000, i)));
    await Promise.resolve();
    expect(a.sent.length).toBe(28);
    a.backlog = 0;
    await sending;
    expect(a.sent.map((w) => w.template.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(200 + i)));
  });
});
