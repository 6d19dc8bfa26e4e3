// The engine's stream table (ts/engine/stream-table.ts) on a fake clock, two tables wired back to
// back without crypto or sockets: stream records, quarantine, idle eviction and the cap
// (streams.md §2), coalesced grants and the NACK that follows a gap (§4, §9), repeated last
// grants, the back-off of repeated NACKs, the NACK handler, timeouts of a stream queued behind
// the peer's other streams,
// the final-grant answer of a closed lifetime (§14 (c) 7), credit that follows the app's
// consumption, the engine's own backlog (cwnd per packet, a full path to the socket), and the
// budget it advertises to the app.
import { afterEach, describe, expect, it } from 'vitest';
import { StreamTable, MAX_STREAMS_PER_SESSION, MAX_PATH_BACKLOG, GRANT_QUARANTINE_WINDOW_MS, type StreamIO } from '../../ts/engine/stream-table.js';
import { EnginePeer } from '../../ts/engine/peer.js';
import type { StreamRecord } from '../../ts/engine/stream-record.js';
import { Timers } from '../../ts/engine/timers.js';
import { PacketSession } from '../../ts/core/session.js';
import type { StreamCoreStats } from '../../ts/core/reliable.js';
import { frameEvents } from '../../ts/core/frames.js';
import type { CloseReason, StreamKey, WireStreamConfig } from '../../ts/engine/link-format.js';
import { decodeStreamNack, decodeStreamWindow, encodeStreamNack, encodeStreamWindow } from '../../ts/streams/control-frames.js';
import { SP_NACK, SP_WINDOW } from '../streams/transfer-helpers.js';

interface Wire {
  subprotocol: number;
  streamId: bigint;
  seq: bigint;
  flags: number;
  frames: Uint8Array;
  eventCount: number;
  address: string;
}

interface Status {
  rid: number;
  bytes: number;
  packets: number;
  stats: StreamCoreStats;
}

/** One node's engine side: its table, its view of the other node, and everything it emitted. */
class Side {
  now = 1000;
  /** Datagrams the transport still holds; packets sent since the last flush count too. */
  backlog = 0;
  private unflushed = 0;
  readonly timers = new Timers();
  readonly sent: Wire[] = [];
  readonly delivered: { rid: number; streamId: bigint; seq: bigint; events: Uint8Array[] }[] = [];
  readonly opened: { streamId: bigint; epoch: number; requested: number; rec: StreamRecord }[] = [];
  readonly closed: { streamId: bigint; reason: CloseReason; pending: boolean }[] = [];
  readonly resets: { streamId: bigint; gaveUp: boolean }[] = [];
  readonly graceful: { reqId: number; outcome: number; reason?: CloseReason }[] = [];
  readonly statuses: Status[] = [];
  readonly warnings: string[] = [];
  readonly table: StreamTable;
  peer!: EnginePeer;
  other!: Side;

  constructor(
    readonly name: string,
    options: ConstructorParameters<typeof StreamTable>[1] = {},
  ) {
    const io: StreamIO = {
      timers: this.timers,
      sendData: (_p, streamId, seq, flags, _h, frames, eventCount, address) => {
        this.unflushed++;
        this.sent.push({ subprotocol: 0, streamId, seq, flags, frames: frames.slice(), eventCount, address: address ?? this.peer.address });
      },
      sendControl: (p, subprotocol, frame, address) =>
        this.sent.push({ subprotocol, streamId: 0xffff_ffff_ffff_ffffn, seq: p.controlSeq++, flags: 0, frames: frameEvents([frame]), eventCount: 1, address: address ?? this.peer.address }),
      opened: (_p, rec, requested) => this.opened.push({ streamId: rec.streamId, epoch: rec.epoch, requested, rec }),
      deliver: (_p, rec, seq, _c, _o, count, plaintext) => this.delivered.push({ rid: rec.rid, streamId: rec.streamId, seq, events: unframe(plaintext, count) }),
      closed: (_p, rec, reason, pending) => this.closed.push({ streamId: rec.streamId, reason, pending }),
      reset: (_p, streamId, gaveUp) => this.resets.push({ streamId, gaveUp }),
      gracefulResult: (reqId, outcome, reason) => this.graceful.push({ reqId, outcome, ...(reason ? { reason } : {}) }),
      status: (rec, bytes, packets, stats) => this.statuses.push({ rid: rec.rid, bytes, packets, stats }),
      warn: (code) => this.warnings.push(code),
      pathBacklog: () => this.backlog + this.unflushed,
    };
    this.table = new StreamTable(io, { retransmitTickMs: 1e9, ...options });
  }

  key(stream: bigint, epoch = 1): StreamKey {
    return { gen: this.peer.gen, epoch, peer: this.peer.nodeId, stream };
  }

  open(stream: bigint, config: Partial<WireStreamConfig> = {}, epoch = 1): StreamRecord {
    this.table.open(this.peer, this.key(stream, epoch), { ...CONFIG, ...config }, undefined, this.now);
    return this.peer.streams.get(stream)!;
  }

  /** Hands packets (each an array of events) to the table as one SEND record would. */
  send(stream: bigint, packets: Uint8Array[][], epoch = 1): void {
    const table = new Uint32Array(packets.length * 2);
    const framed = packets.map((p) => frameEvents(p));
    framed.forEach((f, i) => {
      table[2 * i] = f.length;
      table[2 * i + 1] = packets[i]!.length;
    });
    const data = new Uint8Array(framed.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of framed) {
      data.set(f, at);
      at += f.length;
    }
    this.table.send(this.peer, this.key(stream, epoch), table, data, this.now);
  }

  /** The end of an engine turn: what was sent is on its way. */
  flush(): ReturnType<StreamTable['flush']> {
    const r = this.table.flush(this.now);
    this.unflushed = 0;
    return r;
  }

  lastStatus(rec: StreamRecord): Status | undefined {
    return this.statuses.filter((s) => s.rid === rec.rid).at(-1);
  }
}

const CONFIG: WireStreamConfig = { reliable: false, scheduled: false, weight: 1, priority: false, windowBytes: 65_536, windowExplicit: true, maxRetries: 3 };

function unframe(plaintext: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = dv.getUint32(at, true);
    out.push(plaintext.slice(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

let sides: Side[] = [];
let sessions: PacketSession[] = [];
afterEach(() => {
  for (const s of sides) s.table.close();
  for (const s of sessions) s.dispose();
  sides = [];
  sessions = [];
});

function pair(options: ConstructorParameters<typeof StreamTable>[1] = {}): [Side, Side] {
  const a = new Side('a', options);
  const b = new Side('b', options);
  a.other = b;
  b.other = a;
  const key = new Uint8Array(32).fill(7);
  const sa = new PacketSession({ txKey: key, rxKey: key, sessionId: 77n });
  const sb = new PacketSession({ txKey: key, rxKey: key, sessionId: 77n });
  sessions.push(sa, sb);
  a.peer = new EnginePeer(2n, 'b:1', sa, 1, 30_000, a.now, 1);
  b.peer = new EnginePeer(1n, 'a:1', sb, 1, 30_000, b.now, 1);
  a.table.addPeer(a.peer);
  b.table.addPeer(b.peer);
  sides.push(a, b);
  return [a, b];
}

/** Delivers everything `from` sent (optionally filtered), then lets both sides flush 1 ms later. */
function pump(from: Side, keep: (w: Wire) => boolean = () => true): Wire[] {
  const batch = from.sent.splice(0);
  const to = from.other;
  for (const w of batch) {
    if (!keep(w)) continue;
    if (w.subprotocol >= 0x0b00 && w.subprotocol <= 0x0b02) to.table.onControl(to.peer, w.subprotocol, unframe(w.frames, w.eventCount), `${from.name}:1`, to.now);
    else to.table.onEventPlane(to.peer, w.flags, w.streamId, w.seq, w.eventCount, { payload: () => w.frames }, 0, 0, 0n, to.now);
  }
  // Grants of a trickle of small packets go out within 1 ms.
  to.now += 1;
  from.now += 1;
  to.flush();
  from.flush();
  return batch;
}

const ev = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);
const windows = (ws: Wire[]) => ws.filter((w) => w.subprotocol === SP_WINDOW).map((w) => decodeStreamWindow(unframe(w.frames, 1)[0]!)!);

describe('records and epochs (§2)', () => {
  it('an open finds an existing record: the handle epoch becomes an alias, a race-time config mismatch warns', () => {
    const [a] = pair();
    const r = a.open(5n, { reliable: true });
    expect(a.opened.map((o) => [o.epoch, o.requested])).toEqual([[1, 1]]);
    a.open(5n, { reliable: false }, 4);
    expect(a.peer.streams.get(5n)).toBe(r);
    expect(a.opened.map((o) => [o.epoch, o.requested])).toEqual([
      [1, 1],
      [1, 4],
    ]);
    expect(a.warnings).toEqual(['STREAM_CONFIG_MISMATCH']);
    // Both epochs name the record; another does not.
    a.send(5n, [[ev(3)]], 4);
    a.send(5n, [[ev(3)]], 9);
    expect(a.sent.map((w) => w.seq)).toEqual([0n]);
  });

  it('inbound packets create epoch-0 records, reliable iff the packet is', () => {
    const [a, b] = pair();
    a.open(9n, { reliable: true });
    a.send(9n, [[ev(3)]]);
    pump(a);
    expect(b.delivered.map((e) => [e.streamId, e.seq])).toEqual([[9n, 0n]]);
    expect(b.opened).toMatchObject([{ streamId: 9n, epoch: 0, requested: -1 }]);
    expect(b.opened[0]!.rec.config.reliable).toBe(true);
  });

  it('a closed id is quarantined for 2 s: grants are ignored and a reopened record waits', () => {
    const [a, b] = pair();
    a.open(11n, { windowBytes: 10_000 });
    a.send(11n, [[ev(1000)]]);
    pump(a); // B accepts and grants back
    a.table.closeHandle(a.peer, a.key(11n), a.now);
    expect(a.closed).toEqual([{ streamId: 11n, reason: 'closed', pending: false }]);
    pump(b); // the grant arrives for a quarantined id
    const r = a.open(11n, { windowBytes: 10_000 }, 2);
    a.flush();
    expect(r.state.stats().creditGrantsReceived).toBe(0);
    // The reopened record advertises no budget and holds what it is handed.
    expect(a.lastStatus(r)).toMatchObject({ bytes: 0, packets: 0 });
    a.send(11n, [[ev(10)]], 2);
    expect(a.sent.length).toBe(0);
    a.now += GRANT_QUARANTINE_WINDOW_MS + 1;
    a.timers.run(a.now);
    expect(a.sent.map((w) => w.seq)).toEqual([0n]);
    a.flush();
    expect(a.lastStatus(r)!.bytes).toBe(10_000 - (14 + 84));
  });

  it('idle records are evicted at the sweep after 300 s; the cap evicts the least recently active', () => {
    const [a] = pair();
    a.open(1n);
    a.now += 200_000;
    const busy = a.open(2n);
    a.now += 100_001;
    a.table.sweep(a.peer, a.now);
    expect(a.closed).toEqual([{ streamId: 1n, reason: 'evicted', pending: false }]);
    expect(a.peer.quarantine.has(1n)).toBe(true);
    a.now += 2000;
    a.table.sweep(a.peer, a.now);
    expect(a.peer.quarantine.has(1n)).toBe(false);
    for (let i = 0; i < MAX_STREAMS_PER_SESSION - 1; i++) {
      a.now += 0.001;
      a.open(1000n + BigInt(i));
    }
    expect(a.peer.streams.size).toBe(MAX_STREAMS_PER_SESSION);
    a.open(99_999n);
    expect(a.peer.streams.size).toBe(MAX_STREAMS_PER_SESSION);
    expect(busy.closed).toBe('evicted');
  });
});

describe('grants, NACKs and resends (§4, §9)', () => {
  it('one coalesced absolute grant per stream per turn, carrying ack_seq', () => {
    const [a, b] = pair();
    const r = a.open(3n, { reliable: true });
    for (let i = 0; i < 10; i++) a.send(3n, [[ev(100, i)]]);
    pump(a);
    const back = b.sent.slice();
    expect(windows(back)).toEqual([{ streamId: 3n, totalConsumed: BigInt(10 * (104 + 84)), ackSeq: 10n }]);
    expect(back.every((w) => w.streamId === 0xffff_ffff_ffff_ffffn)).toBe(true);
    pump(b);
    expect(r.state.stats()).toMatchObject({ acked: 10, pending: 0, creditBytes: 65_536, creditGrantsReceived: 1 });
  });

  it('a gap makes a NACK follow the grant; the NACK resends at once to its source, uncharged', () => {
    const [a, b] = pair();
    const r = a.open(4n, { reliable: true });
    for (let i = 0; i < 4; i++) a.send(4n, [[ev(50, i)]]);
    const credit = r.state.stats().creditBytes;
    pump(a, (w) => w.seq !== 1n);
    const back = b.sent.slice();
    expect(back.map((w) => w.subprotocol)).toEqual([SP_WINDOW, SP_NACK]);
    expect(decodeStreamNack(unframe(back[1]!.frames, 1)[0]!)).toEqual({ streamId: 4n, nextExpected: 1n, missingBitmap: 0n });
    pump(b);
    expect(a.sent.map((w) => [w.seq, w.address])).toEqual([[1n, 'b:1']]);
    expect(unframe(a.sent[0]!.frames, 1)[0]).toEqual(ev(50, 1));
    expect(r.state.stats().creditBytes).toBe(credit + 3 * (54 + 84));
    pump(a);
    pump(b);
    expect(b.delivered.map((e) => e.seq)).toEqual([0n, 2n, 3n, 1n]);
    expect(r.state.stats()).toMatchObject({ pending: 0, retransmits: 1, nacksReceived: 1 });
  });

  it('duplicates are delivered once and re-grant the current values', () => {
    const [a, b] = pair();
    a.open(5n, { reliable: true });
    a.send(5n, [[ev(10)]]);
    const first = a.sent[0]!;
    pump(a);
    b.sent.splice(0);
    a.sent.push(first, first);
    pump(a);
    expect(b.delivered.length).toBe(1);
    expect(windows(b.sent)).toEqual([{ streamId: 5n, totalConsumed: 98n, ackSeq: 1n }]);
  });

  it('a lost last grant is repeated on the next two quiet ticks at least 10 ms after it', () => {
    const [a, b] = pair();
    const r = a.open(6n, { reliable: true });
    a.send(6n, [[ev(20)], [ev(20)]]);
    pump(a);
    const grant = windows(b.sent.splice(0));
    expect(grant).toEqual([{ streamId: 6n, totalConsumed: 2n * (24n + 84n), ackSeq: 2n }]);
    b.now += 5;
    b.table.tick(b.now);
    expect(b.sent).toEqual([]);
    b.now += 5;
    b.table.tick(b.now);
    expect(windows(b.sent.splice(0))).toEqual(grant);
    b.now += 25;
    b.table.tick(b.now);
    expect(windows(b.sent)).toEqual(grant);
    pump(b);
    expect(r.state.stats()).toMatchObject({ acked: 2, pending: 0 });
    b.now += 25;
    b.table.tick(b.now);
    expect(b.sent).toEqual([]);
    // A packet arriving meanwhile re-arms the repeats with the new values (and nothing is
    // repeated while grants are still due).
    a.send(6n, [[ev(20)]]);
    pump(a);
    expect(windows(b.sent.splice(0))).toEqual([{ streamId: 6n, totalConsumed: 3n * (24n + 84n), ackSeq: 3n }]);
    b.now += 10;
    b.table.tick(b.now);
    expect(windows(b.sent)).toEqual([{ streamId: 6n, totalConsumed: 3n * (24n + 84n), ackSeq: 3n }]);
  });

  it('NACKs repeated for the same head back off: one tick, then doubling up to 1 s', () => {
    const [a, b] = pair({ retransmitTickMs: 25 });
    a.open(7n, { reliable: true });
    for (let i = 0; i < 3; i++) a.send(7n, [[ev(10, i)]]);
    // seq 1 never arrives and a's resends are not delivered: b keeps NACKing the same head.
    pump(a, (w) => w.seq !== 1n);
    const t0 = b.now;
    const at: number[] = [];
    const nacks = (): number => b.sent.splice(0).filter((w) => w.subprotocol === SP_NACK).length;
    expect(nacks()).toBe(1);
    for (let t = 1; t <= 120; t++) {
      b.now = t0 + 25 * t;
      b.table.tick(b.now);
      for (let n = nacks(); n > 0; n--) at.push(b.now - t0);
    }
    const gaps = at.map((t, i) => t - (i ? at[i - 1]! : 0));
    expect(gaps.slice(0, 6)).toEqual([25, 50, 100, 200, 400, 800]);
    expect(gaps.slice(6).every((g) => g === 1000)).toBe(true);
    expect(at.length).toBeLessThan(12);
  });

  it('a stream queued behind the peer\'s other streams waits while they are acked; once passed over it is resent', () => {
    const [a, b] = pair({ retransmitTickMs: 25 });
    for (const id of [1n, 2n, 3n]) a.open(id, { reliable: true });
    const t0 = a.now;
    a.send(1n, [[ev(10)]]);
    a.send(2n, [[ev(10)]]);
    a.flush();
    a.sent.splice(0); // still on their way (a slow peer)
    a.now += 50;
    a.send(3n, [[ev(10)]]);
    a.flush();
    const third = a.sent.splice(0);
    const resent = (): bigint[] => a.sent.splice(0).filter((w) => w.subprotocol === 0).map((w) => w.streamId);
    a.now = t0 + 300;
    a.table.tick(a.now);
    // Stream 1 had nothing ahead of it: its timeout stands. Streams 2 and 3 queue behind it.
    expect(resent()).toEqual([1n]);
    // The peer acks stream 3, sent 50 ms after stream 2: stream 2's packet was passed over.
    a.sent.push(...third);
    pump(a);
    pump(b);
    a.now += 25;
    a.table.tick(a.now);
    expect(resent()).toContain(2n);
  });

  it('control frames of the wrong length and for unknown ids are ignored', () => {
    const [a] = pair();
    const r = a.open(6n, { reliable: true });
    a.send(6n, [[ev(10)]]);
    const ctl = (sp: number, f: Uint8Array) => a.table.onControl(a.peer, sp, [f], 'b:1', a.now);
    ctl(SP_WINDOW, encodeStreamWindow({ streamId: 6n, totalConsumed: 98n, ackSeq: 1n }).subarray(0, 23));
    ctl(SP_WINDOW, encodeStreamWindow({ streamId: 66n, totalConsumed: 98n, ackSeq: 1n }));
    ctl(SP_NACK, encodeStreamNack({ streamId: 6n, nextExpected: 0n, missingBitmap: 0n }).subarray(1));
    // An ack beyond every seq sent can only belong to an older lifetime.
    ctl(SP_WINDOW, encodeStreamWindow({ streamId: 6n, totalConsumed: 98n, ackSeq: 5n }));
    expect(r.state.stats()).toMatchObject({ pending: 1, creditGrantsReceived: 0, nacksReceived: 0 });
  });

  it('a closed receiver answers a late retransmission with its final grant and delivers nothing (§14 (c) 7)', () => {
    const [a, b] = pair();
    const r = a.open(8n, { reliable: true });
    a.send(8n, [[ev(10)]]);
    a.send(8n, [[ev(20)]]);
    const data = a.sent.slice();
    pump(a);
    // B closes right away; its grant is lost.
    b.table.closeHandle(b.peer, b.key(8n, 0), b.now);
    b.sent.splice(0);
    a.sent.push(data[1]!);
    pump(a);
    expect(b.delivered.length).toBe(2);
    expect(windows(b.sent)).toEqual([{ streamId: 8n, totalConsumed: BigInt(98 + 108), ackSeq: 2n }]);
    expect(b.peer.streams.has(8n)).toBe(false);
    pump(b);
    expect(r.state.stats()).toMatchObject({ pending: 0, acked: 2 });
  });
});

describe('credit follows consumption (ARCHITECTURE.md)', () => {
  it('acks at once; releases event bytes while the receive budget has room, the rest when taken', () => {
    // A receive budget of 1000 event bytes: the first 1000 B packet is released at delivery, the
    // second is owed until the app takes some of what it holds.
    const [a, b] = pair({ receiveBudgetBytes: 1000 });
    a.open(20n, { reliable: true });
    a.send(20n, [[ev(996)]]);
    pump(a);
    expect(windows(b.sent.slice())).toEqual([{ streamId: 20n, totalConsumed: 1084n, ackSeq: 1n }]);
    b.sent.splice(0);
    a.send(20n, [[ev(996, 2)]]);
    pump(a);
    // Acked at once, but only the packet overhead released.
    expect(windows(b.sent.slice())).toEqual([{ streamId: 20n, totalConsumed: 1084n + 84n, ackSeq: 2n }]);
    b.sent.splice(0);
    // The app takes the first event: the budget has room again, the second packet's bytes go back.
    const rid = b.delivered[0]!.rid;
    b.table.taken(rid, 1000);
    b.flush();
    expect(windows(b.sent)).toEqual([{ streamId: 20n, totalConsumed: 2n * 1084n, ackSeq: 2n }]);
  });
});

describe('what the engine holds (§3, §13)', () => {
  it('cwnd per packet: a burst beyond the congestion window waits in the engine, budget shrinks', () => {
    const [a, b] = pair();
    const r = a.open(30n, { reliable: true, windowBytes: 1 << 20 });
    a.send(30n, Array.from({ length: 40 }, (_, i) => [ev(100, i)]));
    expect(a.sent.length).toBe(32); // initial cwnd
    expect(r.backlogPackets).toBe(8);
    a.flush();
    const st = a.lastStatus(r)!;
    expect(st.packets).toBe(2048 - 32 - 8);
    expect(st.bytes).toBe((1 << 20) - 32 * 188 - 8 * 188);
    pump(a);
    pump(b); // acks grow cwnd and drain the backlog in order
    expect(a.sent.map((w) => w.seq)).toEqual(Array.from({ length: 8 }, (_, i) => BigInt(32 + i)));
    expect(r.backlogPackets).toBe(0);
  });

  it('a full path to the socket holds originating sends back; they leave in order once it drains', () => {
    const [a] = pair();
    const r = a.open(14n, { windowBytes: 4 << 20 });
    a.send(14n, Array.from({ length: 200 }, (_, i) => [ev(8000, i)]));
    expect(a.sent.length).toBe(200); // an idle path takes any number
    a.flush();
    a.sent.splice(0);
    a.backlog = MAX_PATH_BACKLOG - 28;
    a.send(14n, Array.from({ length: 40 }, (_, i) => [ev(8000, i)]));
    expect(a.sent.length).toBe(28);
    a.backlog = MAX_PATH_BACKLOG;
    a.send(14n, [[ev(10)]]);
    expect(a.sent.length).toBe(28);
    expect(a.flush()).toBe('soon');
    a.backlog = 0;
    a.flush();
    expect(a.sent.map((w) => w.seq)).toEqual(Array.from({ length: 41 }, (_, i) => BigInt(200 + i)));
    expect(r.backlogPackets).toBe(0);
  });
});

describe('closeGraceful (§11)', () => {
  it('answers once nothing is pending, on timeout, and for records that are gone', () => {
    const [a, b] = pair();
    a.open(40n, { reliable: true });
    a.send(40n, [[ev(10)]]);
    a.table.graceful(a.peer, a.key(40n), 1, 5000, a.now);
    expect(a.graceful).toEqual([]);
    pump(a);
    pump(b);
    expect(a.graceful).toEqual([{ reqId: 1, outcome: 0 }]);
    expect(a.closed).toEqual([{ streamId: 40n, reason: 'closed', pending: false }]);
    a.open(41n, { reliable: true }, 2);
    a.send(41n, [[ev(10)]], 2);
    a.table.graceful(a.peer, a.key(41n, 2), 2, 300, a.now);
    a.now += 301;
    a.timers.run(a.now);
    expect(a.graceful.at(-1)).toEqual({ reqId: 2, outcome: 1 });
    a.table.graceful(a.peer, a.key(41n, 2), 3, 300, a.now);
    expect(a.graceful.at(-1)).toEqual({ reqId: 3, outcome: 5 });
  });
});
