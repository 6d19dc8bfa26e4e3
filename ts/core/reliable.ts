// The per-stream state machine of streams.md §2–§9 and §14 (b)/(c), backed by the WASM core: one
// `StreamState` per (session, stream id) holds both directions — seq allocation, byte credit,
// the retransmit window (RTO, cwnd, NACK/timeout resends, ack probing, give-up) and the receive
// side (SACK, NACK construction, consumed bytes). It is sans-IO: the caller passes time in and
// turns the returned seqs and values into packets.
//
// Time: every `nowMs` is milliseconds on one monotonic clock (fractions allowed, e.g.
// `performance.now()`); the core computes in integer nanoseconds, as the reference does.
// Seqs and other wire u64 values are returned as bigint; inputs accept number or bigint.
//
// Retransmit descriptors (the framed plaintext of every unacked reliable packet) are stored in
// the core: the state machine prunes them itself on ack and give-up, the stored copy is immutable
// (callers may reuse their event buffers), and no per-packet JS objects live for the lifetime of
// the window. `packet(seq)` copies one out for a resend.
import { ClosedError, CoreError, InvalidArgumentError } from '../errors.js';
import { scratchBuffer } from './memory.js';
import { core } from './wasm.js';

/** Header (68) + tag (16): charged per packet on top of its framed plaintext (wire.md §5). */
export const PACKET_WIRE_OVERHEAD = 84;
/** Largest framed plaintext of one packet (wire.md §5). */
export const MAX_PAYLOAD_SIZE = 8108;
/** Most frames one packet can hold (wire.md §5). */
export const MAX_EVENTS_PER_PACKET = 2027;
/** Packet flag RELIABLE (wire.md §3). */
export const FLAG_RELIABLE = 0x01;
/** Ack probes per probing episode (streams.md §14 (c) 3). */
export const MAX_ACK_PROBES = 3;
/** Seqs past `next_expected` a receiver tracks (streams.md §14 (a); NACKs still name 64). */
export const RECEIVE_TRACK_LIMIT = 16_384 + 64;

interface ReliableExports {
  nm_reliable_new(reliable: number, windowBytes: number, maxRetries: number, initialRtoMs: number, nowMs: number): number;
  nm_reliable_free(h: number): void;
  nm_reliable_out(h: number): number;
  nm_reliable_admit(h: number, table: number, count: number, data: number, dataLen: number, nowMs: number, all: number): number;
  nm_reliable_refund(h: number, framedLen: number): number;
  nm_reliable_on_receive(h: number, seqLo: number, seqHi: number, plaintextLen: number, nowMs: number): number;
  nm_reliable_grant(h: number): number;
  nm_reliable_build_nack(h: number): number;
  nm_reliable_on_window(h: number, tcLo: number, tcHi: number, ackLo: number, ackHi: number, nowMs: number): number;
  nm_reliable_on_nack(h: number, neLo: number, neHi: number, bmLo: number, bmHi: number, nowMs: number): number;
  nm_reliable_tick(h: number, nowMs: number): number;
  nm_reliable_descriptor(h: number, seqLo: number, seqHi: number): number;
  nm_reliable_take_failed(h: number): number;
  nm_reliable_grow_window(h: number, windowBytes: number): number;
  nm_reliable_set_give_up(h: number, ms: number): number;
  nm_reliable_unreliable_probe(h: number, nowMs: number): number;
  nm_reliable_send_room(h: number): number;
  nm_reliable_note_sent(h: number, what: number): number;
  nm_reliable_flags(h: number): number;
  nm_reliable_stats(h: number): number;
}

function ex(): ReliableExports {
  return core() as unknown as ReliableExports;
}

export interface StreamStateConfig {
  /** `"reliable"` streams retransmit; others only allocate seqs and use credit. */
  reliable: boolean;
  /** Byte-credit window, integer 0..2³²−1 (default 65,536; 0 disables credit checks). */
  windowBytes?: number;
  /** Resends per packet before probing/give-up, integer 0..255 (default 3). */
  maxRetries?: number;
  /** RTO before the first RTT sample, ms (default 50; tests use small values). */
  initialRtoMs?: number;
}

/** Why `admit` stopped before taking every packet (null: it took them all). */
export type Refusal = 'cwnd' | 'credit' | 'pending' | 'failed';
const REFUSALS: (Refusal | null)[] = [null, 'cwnd', 'credit', 'pending', 'failed'];

export interface Admission {
  /** Packets `0..admitted` of the call were admitted, with seqs `firstSeq + i`. */
  admitted: number;
  firstSeq: bigint;
  refusal: Refusal | null;
}

/** A pending packet's rebuild inputs: resend it with the same stream, seq, flags and frames. */
export interface StoredPacket {
  seq: bigint;
  flags: number;
  eventCount: number;
  /** Framed plaintext (`[u32 LE len][bytes]` × eventCount), a copy owned by the caller. */
  framed: Uint8Array;
  /** The events, as views into `framed`. */
  events: Uint8Array[];
}

export interface Nack {
  nextExpected: bigint;
  /** Bit i set ⇔ seq `nextExpected + 1 + i` is missing. */
  missingBitmap: bigint;
}

export interface GrantValues {
  /** Cumulative accepted on-wire bytes of this stream lifetime. */
  totalConsumed: bigint;
  /** `next_expected` (0 for unreliable streams). */
  ackSeq: bigint;
}

/** Everything one retransmit tick asks for (streams.md §9 item 3). */
export interface TickActions {
  /** Timeout resends: rebuild each with `packet(seq)` and send it straight to the socket. */
  resend: bigint[];
  /** Send an ack probe now: flags RELIABLE, zero frames, this seq (already registered). */
  probeSeq: bigint | null;
  /** The stream gave up this tick: send StreamReset, close the record, fail its callers. */
  reset: boolean;
  /** Proactive gap NACK of the receive side, or null. */
  nack: Nack | null;
}

export type GrantOutcome = 'applied' | 'stale' | 'disabled';

export interface StreamCoreStats {
  /** Seqs allocated (data and probes), the reference's tx_seq. */
  sent: number;
  /** Pending entries removed by acks. */
  acked: number;
  /** NACK- and timeout-driven resends. */
  retransmits: number;
  /** The resends a retransmit timeout caused (a subset of `retransmits`). */
  timeoutRetransmits: number;
  /** Smoothed RTT of the acks (0 before the first sample). */
  srttMs: number;
  /** RTT samples taken so far (Karn: never from a resent packet). */
  rttSamples: number;
  nacksSent: number;
  nacksReceived: number;
  /** Always 0: this project refuses instead of evicting (streams.md §14 (b)). */
  untrackedEvictions: number;
  rtoMs: number;
  /** Congestion window in packets (0 for unreliable streams). */
  cwnd: number;
  /** tx_credit_remaining (stays 0 with window 0). */
  creditBytes: number;
  txSeq: number;
  rxSeq: number;
  pending: number;
  maxPending: number;
  txWindow: number;
  txBytesSent: number;
  maxConsumedSeen: number;
  rxConsumed: number;
  nextExpected: number;
  backpressureEvents: number;
  creditGrantsReceived: number;
  creditGrantsSent: number;
  reliable: boolean;
  probing: boolean;
  failed: boolean;
  probesSent: number;
  ssthresh: number;
  lastActivityMs: number;
  maxRetries: number;
}

const TWO32 = 4294967296;
const U64_MAX = (1n << 64n) - 1n;

// Split of the last u64 argument, kept in module variables to avoid an allocation per call.
let LO = 0;
let HI = 0;
function split(name: string, v: number | bigint): void {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 64) throw new InvalidArgumentError(`${name} must be an integer in 0..2^64-1, got ${v}`);
    LO = v % TWO32;
    HI = Math.floor(v / TWO32) >>> 0;
  } else if (typeof v === 'bigint') {
    if (v < 0n || v > U64_MAX) throw new InvalidArgumentError(`${name} must be in 0..2^64-1, got ${v}`);
    LO = Number(v & 0xffffffffn);
    HI = Number(v >> 32n);
  } else {
    throw new InvalidArgumentError(`${name} must be a number or bigint`);
  }
}

function checkNow(nowMs: number): number {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw new InvalidArgumentError(`nowMs must be a finite number, got ${String(nowMs)}`);
  return nowMs;
}

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
  return v;
}

// Typed views of linear memory. Growth detaches the old buffer, which zeroes the views' length:
// checking that is much cheaper than reading `memory.buffer` on every call.
let u8: Uint8Array = new Uint8Array(0);
let u32: Uint32Array = new Uint32Array(0);
let f64: Float64Array = new Float64Array(0);
function views(): void {
  if (u8.byteLength !== 0) return;
  const buf = core().memory.buffer as ArrayBuffer;
  u8 = new Uint8Array(buf);
  u32 = new Uint32Array(buf);
  f64 = new Float64Array(buf);
}

/** Output word `i` (u64 at `base + 8i`) as a number, exact below 2^53. */
function wordNum(base: number, i: number): number {
  const at = (base >>> 2) + 2 * i;
  return u32[at]! + u32[at + 1]! * TWO32;
}
function wordBig(base: number, i: number): bigint {
  const at = (base >>> 2) + 2 * i;
  const lo = u32[at]!;
  const hi = u32[at + 1]!;
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}
function wordF64(base: number, i: number): number {
  return f64[(base >>> 3) + i]!;
}

/** Splits framed plaintext into event views (the core validated the framing when storing it). */
function splitFrames(framed: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = (framed[at]! | (framed[at + 1]! << 8) | (framed[at + 2]! << 16) | (framed[at + 3]! << 24)) >>> 0;
    out[i] = framed.subarray(at + 4, at + 4 + len);
    at += 4 + len;
  }
  return out;
}

// Frees the core state of records that were never freed explicitly.
const registry = new FinalizationRegistry<number>((h) => {
  try {
    ex().nm_reliable_free(h);
  } catch {
    // the core is gone with its thread
  }
});

/** `max_pending` of streams.md §6: 32 if the window is 0, else clamp(⌊window/512⌋, 32, 16384). */
export function maxPendingForWindow(windowBytes: number): number {
  if (windowBytes === 0) return 32;
  return Math.min(16384, Math.max(32, Math.floor(windowBytes / 512)));
}

/** One stream record (streams.md §2), both directions; free it when the record is removed. */
export class StreamState {
  readonly reliable: boolean;
  /** The credit window now in force (grows with `growWindow`). */
  windowBytes: number;
  readonly maxRetries: number;
  maxPending: number;
  #h: number;

  constructor(config: StreamStateConfig, nowMs = 0) {
    if (typeof config !== 'object' || config === null || typeof config.reliable !== 'boolean') {
      throw new InvalidArgumentError('StreamState config needs reliable: boolean');
    }
    this.reliable = config.reliable;
    this.windowBytes = intIn('windowBytes', config.windowBytes ?? 65_536, 0, 2 ** 32 - 1);
    this.maxRetries = intIn('maxRetries', config.maxRetries ?? 3, 0, 255);
    const rto = config.initialRtoMs ?? 0;
    if (typeof rto !== 'number' || !Number.isFinite(rto) || rto < 0) throw new InvalidArgumentError(`initialRtoMs must be a positive number, got ${String(rto)}`);
    this.maxPending = maxPendingForWindow(this.windowBytes);
    this.#h = ex().nm_reliable_new(this.reliable ? 1 : 0, this.windowBytes, this.maxRetries, rto, checkNow(nowMs)) >>> 0;
    if (this.#h === 0) throw new CoreError('CORE_OUT_OF_MEMORY', 'net-mesh core: cannot allocate a stream record');
    registry.register(this, this.#h, this);
  }

  #handle(): number {
    if (this.#h === 0) throw new ClosedError('StreamState');
    return this.#h;
  }

  #out(h: number): number {
    const p = ex().nm_reliable_out(h) >>> 0;
    views();
    return p;
  }

  /** Drops the record's core state (retransmit descriptors included); idempotent. */
  free(): void {
    if (this.#h === 0) return;
    registry.unregister(this);
    ex().nm_reliable_free(this.#h);
    this.#h = 0;
  }

  get freed(): boolean {
    return this.#h === 0;
  }

  /**
   * The send path of streams.md §3 for one call, `packets` being the call's events already split
   * into packets (wire.md §5 greedy packing). `allOrNothing` (trySend): every packet or none —
   * cwnd gate once, `max_pending` room for all, credit for the sum. Otherwise (send, resumable):
   * cwnd gate once, then packets in order until one lacks room or credit. Admitted packets are
   * charged `framed_len + 84`, get seqs `firstSeq + i`, and — reliable streams — are stored for
   * retransmission with their clock starting at `nowMs`. The caller sends them (flags
   * `flags()`); a failed hand-off keeps its seq (reliable) or is `refund`ed (unreliable).
   * Throws InvalidArgumentError for a packet over 8108 framed bytes or 2027 events.
   */
  admit(packets: readonly (readonly Uint8Array[])[], nowMs: number, allOrNothing = true): Admission {
    const h = this.#handle();
    checkNow(nowMs);
    const n = packets.length;
    const tableBytes = (n * 8 + 15) & ~15;
    let dataLen = 0;
    for (let i = 0; i < n; i++) {
      const p = packets[i]!;
      if (!Array.isArray(p)) throw new InvalidArgumentError(`packets[${i}] must be an array of Uint8Array events`);
      let len = 0;
      for (let j = 0; j < p.length; j++) {
        const e = p[j];
        if (!(e instanceof Uint8Array)) throw new InvalidArgumentError(`packets[${i}][${j}] must be a Uint8Array`);
        len += 4 + e.length;
      }
      if (len > MAX_PAYLOAD_SIZE || p.length > MAX_EVENTS_PER_PACKET) {
        throw new InvalidArgumentError(`packets[${i}] frames to ${len} bytes in ${p.length} events; a packet holds at most ${MAX_PAYLOAD_SIZE} bytes`);
      }
      dataLen += len;
    }
    const scratch = scratchBuffer(tableBytes + dataLen);
    const base = scratch.ptr;
    views();
    const mem = u8;
    let at = base + tableBytes;
    for (let i = 0; i < n; i++) {
      const p = packets[i]!;
      const start = at;
      for (let j = 0; j < p.length; j++) {
        const e = p[j]!;
        const len = e.length;
        mem[at] = len & 0xff;
        mem[at + 1] = (len >>> 8) & 0xff;
        mem[at + 2] = (len >>> 16) & 0xff;
        mem[at + 3] = len >>> 24;
        if (len > 0) mem.set(e, at + 4);
        at += 4 + len;
      }
      u32[(base >>> 2) + 2 * i] = at - start;
      u32[(base >>> 2) + 2 * i + 1] = p.length;
    }
    const r = ex().nm_reliable_admit(h, base, n, base + tableBytes, dataLen, nowMs, allOrNothing ? 1 : 0);
    const out = this.#out(h);
    if (r < 0) {
      // The TS checks above make these unreachable unless the core and wrapper disagree.
      throw new InvalidArgumentError(`admit rejected packet ${wordNum(out, 0)} (core status ${r})`);
    }
    return { admitted: r, firstSeq: wordBig(out, 0), refusal: REFUSALS[wordNum(out, 1)] ?? null };
  }

  /**
   * `admit` for packets already framed back to back in `data` (`[u32 LE len][bytes]` per event),
   * `table` holding `[framedLen, eventCount]` per packet: one copy into the core, no per-event
   * work here. The core checks the framing and sizes (InvalidArgumentError when they are wrong).
   */
  admitFramed(table: Uint32Array, data: Uint8Array, nowMs: number, allOrNothing = true): Admission {
    const h = this.#handle();
    checkNow(nowMs);
    const n = table.length >>> 1;
    const tableBytes = (n * 8 + 15) & ~15;
    const scratch = scratchBuffer(tableBytes + data.length);
    const base = scratch.ptr;
    views();
    u32.set(table.subarray(0, 2 * n), base >>> 2);
    if (data.length > 0) u8.set(data, base + tableBytes);
    const r = ex().nm_reliable_admit(h, base, n, base + tableBytes, data.length, nowMs, allOrNothing ? 1 : 0);
    const out = this.#out(h);
    if (r < 0) throw new InvalidArgumentError(`admit rejected packet ${wordNum(out, 0)}: ${r === -2 ? 'too large' : 'framing does not match its event count'}`);
    return { admitted: r, firstSeq: wordBig(out, 0), refusal: REFUSALS[wordNum(out, 1)] ?? null };
  }

  /**
   * Grows the credit window (never shrinks it; a window of 0 stays 0): the credit rises by the
   * difference and `max_pending` follows the new window (streams.md §6). Returns the window now.
   */
  growWindow(windowBytes: number): number {
    const w = ex().nm_reliable_grow_window(this.#handle(), intIn('windowBytes', windowBytes, 0, 2 ** 32 - 1)) >>> 0;
    this.windowBytes = w;
    this.maxPending = maxPendingForWindow(w);
    return w;
  }

  /**
   * Bounds give-up by time as well as count: once its probes are used up the stream keeps
   * probing (backed off) and fails only after `ms` without ack progress (0: count only).
   */
  setGiveUpAfter(ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(`giveUpMs must be a finite number ≥ 0, got ${String(ms)}`);
    ex().nm_reliable_set_give_up(this.#handle(), ms);
  }

  /**
   * Unreliable streams: allocates and charges (without a credit check) the seq of an ack probe
   * — a zero-frame packet whose grant reports the highest seq the receiver has seen. Returns
   * null for reliable streams (they probe from `tick`).
   */
  unreliableProbe(nowMs: number): bigint | null {
    const seq = ex().nm_reliable_unreliable_probe(this.#handle(), checkNow(nowMs));
    return seq < 0 ? null : BigInt(seq);
  }

  /** Packet flags of this stream's data packets (RELIABLE or 0). */
  flags(): number {
    return this.reliable ? FLAG_RELIABLE : 0;
  }

  /** Gives back the charge of an unreliable packet whose hand-off failed (reliable: no-op). */
  refund(framedLen: number): void {
    ex().nm_reliable_refund(this.#handle(), intIn('framedLen', framedLen, 0, MAX_PAYLOAD_SIZE));
  }

  /** The stored rebuild inputs of pending packet `seq` (a resend or probe), or null. */
  packet(seq: number | bigint): StoredPacket | null {
    const h = this.#handle();
    split('seq', seq);
    const len = ex().nm_reliable_descriptor(h, LO, HI);
    if (len < 0) return null;
    const out = this.#out(h);
    const flags = wordNum(out, 0);
    const eventCount = wordNum(out, 1);
    const ptr = wordNum(out, 2);
    const framed = u8.slice(ptr, ptr + len);
    return { seq: typeof seq === 'bigint' ? seq : BigInt(seq), flags, eventCount, framed, events: splitFrames(framed, eventCount) };
  }

  /**
   * An authenticated event-plane packet (streams.md §5, §10): true = accepted (deliver its
   * events, queue a grant), false = duplicate or more than RECEIVE_TRACK_LIMIT ahead (drop;
   * §14 (a) suggests re-queuing the current grant). Unreliable streams accept everything.
   */
  onReceive(seq: number | bigint, plaintextLen: number, nowMs: number): boolean {
    const h = this.#handle();
    split('seq', seq);
    return ex().nm_reliable_on_receive(h, LO, HI, intIn('plaintextLen', plaintextLen, 0, 2 ** 32 - 1), checkNow(nowMs)) === 1;
  }

  /** Grant values to queue now (streams.md §4; captured at queue time, §14 (c) 6). */
  grantValues(): GrantValues {
    const h = this.#handle();
    ex().nm_reliable_grant(h);
    const out = this.#out(h);
    return { totalConsumed: wordBig(out, 0), ackSeq: wordBig(out, 1) };
  }

  /** The receive side's NACK when it has a gap (sent after a grant, and on every tick). */
  buildNack(): Nack | null {
    const h = this.#handle();
    if (ex().nm_reliable_build_nack(h) !== 1) return null;
    const out = this.#out(h);
    return { nextExpected: wordBig(out, 0), missingBitmap: wordBig(out, 1) };
  }

  /**
   * A StreamWindow grant naming this stream (quarantine and unknown ids are the caller's
   * filter): the §4 credit rule, then `on_ack(ackSeq)` on reliable streams.
   */
  onWindow(totalConsumed: number | bigint, ackSeq: number | bigint, nowMs: number): GrantOutcome {
    const h = this.#handle();
    split('totalConsumed', totalConsumed);
    const tcLo = LO;
    const tcHi = HI;
    split('ackSeq', ackSeq);
    const r = ex().nm_reliable_on_window(h, tcLo, tcHi, LO, HI, checkNow(nowMs));
    return r === 1 ? 'applied' : r === 2 ? 'disabled' : 'stale';
  }

  /** A StreamNack naming this stream: the seqs to resend now (uncharged, straight to the socket). */
  onNack(nextExpected: number | bigint, missingBitmap: number | bigint, nowMs: number): bigint[] {
    const h = this.#handle();
    split('nextExpected', nextExpected);
    const neLo = LO;
    const neHi = HI;
    split('missingBitmap', missingBitmap);
    const n = ex().nm_reliable_on_nack(h, neLo, neHi, LO, HI, checkNow(nowMs));
    if (n <= 0) return [];
    const out = this.#out(h);
    const seqs: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) seqs[i] = wordBig(out, i);
    return seqs;
  }

  /** One retransmit tick (every 25 ms): all actions at once. */
  tick(nowMs: number): TickActions {
    const h = this.#handle();
    const n = ex().nm_reliable_tick(h, checkNow(nowMs));
    const out = this.#out(h);
    const flags = wordNum(out, 0);
    const resend: bigint[] = new Array(Math.max(0, n));
    for (let i = 0; i < n; i++) resend[i] = wordBig(out, 4 + i);
    return {
      resend,
      probeSeq: flags & 1 ? wordBig(out, 1) : null,
      reset: (flags & 2) !== 0,
      nack: flags & 4 ? { nextExpected: wordBig(out, 2), missingBitmap: wordBig(out, 3) } : null,
    };
  }

  /** Reads and clears the give-up notification (also reported once by `tick` as `reset`). */
  takeFailed(): boolean {
    return ex().nm_reliable_take_failed(this.#handle()) === 1;
  }

  /** Counts a StreamWindow grant sent for this stream (`creditGrantsSent`). */
  noteGrantSent(): void {
    ex().nm_reliable_note_sent(this.#handle(), 0);
  }

  /** Counts a StreamNack sent for this stream (`nacksSent`). */
  noteNackSent(): void {
    ex().nm_reliable_note_sent(this.#handle(), 1);
  }

  /** Some reliable send is not yet acked (closeGraceful waits for false). */
  hasPending(): boolean {
    return (ex().nm_reliable_flags(this.#handle()) & 1) !== 0;
  }

  /**
   * Packets the congestion and retransmit windows take now: min(⌈cwnd⌉, max_pending) − pending
   * (0 after a give-up; Infinity for unreliable streams). Admitting at most this many per call
   * enforces cwnd per packet instead of once per call.
   */
  sendRoom(): number {
    const r = ex().nm_reliable_send_room(this.#handle());
    return r === 0x7fff_ffff ? Infinity : Math.max(0, r);
  }

  /** The cwnd gate of streams.md §3 step 2 (always true for unreliable streams). */
  canSend(): boolean {
    return (ex().nm_reliable_flags(this.#handle()) & 2) !== 0;
  }

  /** Sticky: retransmission gave up (`stream.failed`). */
  get failed(): boolean {
    return (ex().nm_reliable_flags(this.#handle()) & 4) !== 0;
  }

  /** Probing for a lost final grant (streams.md §14 (c)). */
  get probing(): boolean {
    return (ex().nm_reliable_flags(this.#handle()) & 8) !== 0;
  }

  /** The receive side has a gap (a NACK would be sent). */
  get hasGap(): boolean {
    return (ex().nm_reliable_flags(this.#handle()) & 16) !== 0;
  }

  stats(): StreamCoreStats {
    const h = this.#handle();
    ex().nm_reliable_stats(h);
    const o = this.#out(h);
    const w = (i: number) => wordNum(o, i);
    const flags = w(20);
    return {
      sent: w(0),
      acked: w(1),
      retransmits: w(2),
      nacksSent: w(3),
      nacksReceived: w(4),
      untrackedEvictions: w(5),
      rtoMs: w(6) / 1e6,
      cwnd: wordF64(o, 7),
      creditBytes: w(8),
      rxSeq: w(9),
      pending: w(10),
      maxPending: w(11),
      txWindow: w(12),
      txBytesSent: w(13),
      maxConsumedSeen: w(14),
      rxConsumed: w(15),
      nextExpected: w(16),
      backpressureEvents: w(17),
      creditGrantsReceived: w(18),
      creditGrantsSent: w(19),
      txSeq: w(0),
      reliable: (flags & 1) !== 0,
      probing: (flags & 2) !== 0,
      failed: (flags & 4) !== 0,
      probesSent: w(21),
      ssthresh: wordF64(o, 22),
      lastActivityMs: w(23) / 1e6,
      maxRetries: w(24),
      srttMs: w(25) / 1e6,
      timeoutRetransmits: w(26),
      rttSamples: w(27),
    };
  }
}
