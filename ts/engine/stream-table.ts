// The stream layer of the engine (streams.md): stream records per peer, the sends the app hands
// over (admitted against credit, cwnd, max_pending and scheduler room, the rest held in order),
// scheduled sends through the FairScheduler, the event-plane receive path with per-seq dedup,
// coalesced grants (+ gap NACKs) whose credit follows the app's consumption, the NACK handler, the
// 25 ms retransmit tick (timeout resends, ack probes, give-up resets, proactive gap NACKs), resets,
// quarantine, idle eviction, window autotuning and closeGraceful. Time is passed in; packets go
// out through `io`, and so does everything the app must learn.
import { FLAG_RELIABLE, PACKET_WIRE_OVERHEAD, type GrantValues, type Nack, type StreamCoreStats } from '../core/reliable.js';
import {
  CONTROL_STREAM_ID,
  SUBPROTOCOL_STREAM_NACK,
  SUBPROTOCOL_STREAM_RESET,
  SUBPROTOCOL_STREAM_WINDOW,
  decodeStreamNack,
  decodeStreamReset,
  decodeStreamWindow,
  encodeStreamNack,
  encodeStreamReset,
  encodeStreamWindow,
} from '../streams/control-frames.js';
import { GracefulOutcome, UNLIMITED_BYTES, UNLIMITED_PACKETS, type CloseReason, type StreamKey, type WireStreamConfig } from './link-format.js';
import type { EnginePeer } from './peer.js';
import { Scheduler, type QueuedPacket, type SchedulerOptions } from './scheduler.js';
import { StreamRecord, type StreamHeader } from './stream-record.js';
import { ReceiveBudget } from './receive-budget.js';
import type { Timers } from './timers.js';

export const GRANT_QUARANTINE_WINDOW_MS = 2000;
export const STREAM_IDLE_TIMEOUT_MS = 300_000;
export const MAX_STREAMS_PER_SESSION = 4096;
/** RETRANSMIT_TICK (streams.md §9 item 3). */
export const RETRANSMIT_TICK_MS = 25;
/**
 * After the cumulative ack advanced (or sending started with nothing outstanding), timeouts wait
 * at least this long: on a busy machine the scheduling jitter of the JS threads on both ends (GC
 * pauses, a descheduled worker) reaches 100 ms and more, far above a 10–50 ms RTO, while the path
 * is fine — and a timeout resends the whole window. (TCP's 200 ms minimum RTO has the same
 * reason.) Losses with acks still flowing are repaired by NACKs meanwhile.
 */
const ACK_PROGRESS_GRACE_MS = 8 * RETRANSMIT_TICK_MS;
/** Repeated NACKs for the same head of a receive window are at most this far apart (sendNack). */
const MAX_NACK_INTERVAL_MS = 1000;
/** The peer's acks count as advancing (the path delivering) for this long after the last advance. */
const PEER_PROGRESS_WINDOW_MS = 1000;
/** How long a stream's timeouts may wait while it is queued behind the peer's other streams. */
const SHARED_QUEUE_HOLD_MS = 10_000;
/** The RTO's upper clamp (streams.md §7). */
const MAX_RTO_MS = 2000;
/** A gap of this many tick periods between two ticks means this thread was stalled. */
const STALL_TICKS = 4;
/** An unreliable stream whose credit stopped coming back probes for lost bytes after this long. */
const LOSS_PROBE_MS = 8 * RETRANSMIT_TICK_MS;
/** A give-up StreamReset is repeated on this many following ticks (§14 (b)). */
const RESET_REPEATS = 2;
/** Give-up time bound of reliable streams when none is configured (the default session timeout). */
export const DEFAULT_GIVE_UP_MS = 30_000;
/** The default starting window of a stream without an explicit windowBytes (streams.md §1). */
export const DEFAULT_WINDOW_BYTES = 65_536;
/** A record's status goes to the app at most this often, unless the app waits on it. */
const STATUS_INTERVAL_MS = 10;
/** A grant goes out at once after this many on-wire bytes accepted since the stream's last one. */
const GRANT_EAGER_BYTES = 16_384;
/**
 * Otherwise within this long (coalescing the grants of a trickle of small packets). A reliable
 * stream's grant is its ack, which times its RTO samples: it goes out within 1 ms. An unreliable
 * stream's grant only returns credit: a trickle below GRANT_EAGER_BYTES per UNRELIABLE_GRANT_DELAY_MS
 * (1.6 MB/s) costs one datagram back per 10 ms instead of one per packet or per millisecond, each of
 * which wakes the sender's engine (on a 2-core machine, that wake costs more than the packet).
 */
const GRANT_DELAY_MS = 1;
const UNRELIABLE_GRANT_DELAY_MS = 10;
/**
 * A stream's last grant is sent again on the next GRANT_REPEATS retransmit ticks at least this
 * long after it while no packet arrives: a sender that has everything in flight (window or cwnd
 * full) would otherwise learn of a lost final grant only from its retransmit timeout (a resent
 * window and cwnd 2). Grants are absolute, so a repeat changes nothing else (§4).
 */
const GRANT_REPEAT_MS = 10;
const GRANT_REPEATS = 2;
/** Packets a record may hold in the engine when nothing else bounds it (window 0, unreliable, unscheduled). */
export const MAX_HELD_PACKETS = 16_384;
/** Datagrams the path to the socket may hold before originating sends wait in the engine (§13). */
export const MAX_PATH_BACKLOG = 128;

export interface StreamIO {
  readonly timers: Timers;
  /** A data packet (frames already framed) for sealing to the peer (or to `address`). */
  sendData(peer: EnginePeer, streamId: bigint, seq: bigint, flags: number, header: StreamHeader | undefined, frames: Uint8Array, eventCount: number, address?: string): void;
  /** A control frame on CONTROL_STREAM_ID with the next per-session control sequence. */
  sendControl(peer: EnginePeer, subprotocol: number, frame: Uint8Array, address?: string): void;
  /** A record was created (`requestedEpoch`: what the app's OPEN asked for, or −1 when implicit). */
  opened(peer: EnginePeer, rec: StreamRecord, requestedEpoch: number): void;
  /** An accepted event-plane packet with events. */
  deliver(peer: EnginePeer, rec: StreamRecord, seq: bigint, channelHash: number, originHash: bigint, eventCount: number, plaintext: Uint8Array): void;
  /** A record went away; `pending`: reliable sends were still unacknowledged. */
  closed(peer: EnginePeer, rec: StreamRecord, reason: CloseReason, pending: boolean): void;
  /** Reads of a stream fail: the peer reset it, or this node's retransmission gave up. */
  reset(peer: EnginePeer, streamId: bigint, gaveUp: boolean): void;
  gracefulResult(reqId: number, outcome: number, reason?: CloseReason): void;
  /** The record's budget or counters changed (sent at the next flush). */
  status(rec: StreamRecord, budgetBytes: number, budgetPackets: number, stats: StreamCoreStats): void;
  warn(code: string, message: string): void;
  /**
   * Datagrams handed to the transport that have not left yet. Originating sends wait in the
   * engine while it is high, rather than start retransmit clocks on packets that cannot leave.
   */
  pathBacklog(): number;
}

/** Where an opened packet's plaintext is read (the core's open batch: views re-made per call). */
export interface PayloadSource {
  payload(index: number): Uint8Array;
}

export interface StreamTableOptions {
  /** Retransmit tick period in ms (default 25). */
  retransmitTickMs?: number;
  /** Receive budget: event bytes the app may hold unread and still count as consumed (default 8 MiB). */
  receiveBudgetBytes?: number;
  /** Largest window autotuning grows to (default 16 MiB). */
  maxWindowBytes?: number;
  /**
   * A reliable stream gives up only after this long without ack progress, on top of its resends
   * and probes (default DEFAULT_GIVE_UP_MS; the engine passes the session timeout). 0: count only.
   */
  giveUpMs?: number;
  scheduler?: SchedulerOptions;
}

function sameConfig(a: WireStreamConfig, b: WireStreamConfig): boolean {
  return (
    a.reliable === b.reliable &&
    a.scheduled === b.scheduled &&
    a.weight === b.weight &&
    a.priority === b.priority &&
    a.windowBytes === b.windowBytes &&
    a.windowExplicit === b.windowExplicit &&
    a.maxRetries === b.maxRetries
  );
}

/** The config of a record created by an inbound packet (streams.md §2). */
function implicitConfig(reliable: boolean): WireStreamConfig {
  return { reliable, scheduled: false, weight: 1, priority: false, windowBytes: DEFAULT_WINDOW_BYTES, windowExplicit: false, maxRetries: 3 };
}

export class StreamTable {
  readonly sched: Scheduler;
  private readonly byRid = new Map<number, StreamRecord>();
  private readonly peerOfRid = new Map<number, EnginePeer>();
  private nextRid = 1;
  private readonly grantPeers = new Set<EnginePeer>();
  private readonly touched = new Set<StreamRecord>();
  /** Records whose backlog waits for something other than a grant (quarantine end, queue room). */
  private readonly waitingRoom = new Set<StreamRecord>();
  /** Records whose backlog waits for the path to the socket to drain. */
  private readonly waitingPath = new Set<StreamRecord>();
  private readonly peers = new Set<EnginePeer>();
  private readonly period: number;
  private readonly maxWindow: number;
  private readonly giveUpMs: number;
  private lastTickAt = -Infinity;
  private tickTimer;
  private readonly grantTimer;
  /** Statuses held back by the interval go out in the flush after this timer. */
  private readonly statusTimer;
  /** The time of the last input (taken reports carry none). */
  private lastNow = 0;
  private readonly receiveBudget: ReceiveBudget;
  private closedAll = false;
  /** Ticks skipped because the thread had stalled. */
  stalls = 0;

  constructor(
    private readonly io: StreamIO,
    options: StreamTableOptions = {},
  ) {
    this.sched = new Scheduler(options.scheduler);
    this.period = options.retransmitTickMs ?? RETRANSMIT_TICK_MS;
    this.receiveBudget = new ReceiveBudget(options.receiveBudgetBytes ?? 8 << 20, (rec) => this.regrant(rec));
    this.maxWindow = options.maxWindowBytes ?? 16 << 20;
    this.giveUpMs = options.giveUpMs ?? DEFAULT_GIVE_UP_MS;
    this.tickTimer = io.timers.schedule(Infinity, (now) => this.runTick(now));
    // Due grants go out in the flush that follows every engine turn, this timer's included.
    this.grantTimer = io.timers.schedule(Infinity, (now) => (this.lastNow = now));
    this.statusTimer = io.timers.schedule(Infinity, (now) => (this.lastNow = now));
  }

  /** Starts the retransmit tick (the engine calls this once it has a clock reading). */
  start(now: number): void {
    this.lastTickAt = now;
    this.io.timers.reschedule(this.tickTimer, now + this.period);
  }

  // ---- peers --------------------------------------------------------------------------------

  addPeer(peer: EnginePeer): void {
    this.peers.add(peer);
  }

  record(rid: number): StreamRecord | undefined {
    return this.byRid.get(rid);
  }

  // ---- records --------------------------------------------------------------------------------

  /** The app opened (or found) a stream: creates the record unless one exists (§2). */
  open(peer: EnginePeer, key: StreamKey, config: WireStreamConfig, header: StreamHeader | undefined, now: number): void {
    const existing = peer.streams.get(key.stream);
    if (existing) {
      if (!existing.answers(key.epoch)) existing.aliasEpoch = key.epoch;
      // A channel stream that the peer's packets created first has no header yet: the opener's
      // header (channel hint, origin hash) applies from now on.
      if (header && !existing.header) existing.header = header;
      // The app opens only records it does not know: a mismatch here is a race with an inbound
      // packet that created the record first (the app warns about the ones it can see).
      if (!sameConfig(existing.config, config)) {
        this.io.warn('STREAM_CONFIG_MISMATCH', `stream ${key.stream} to node ${peer.nodeId} already exists with another config; keeping the existing one`);
      }
      this.io.opened(peer, existing, key.epoch);
      this.touch(existing);
      return;
    }
    const rec = this.create(peer, key.stream, key.epoch, config, now, header);
    this.io.opened(peer, rec, key.epoch);
    if (config.scheduled) this.sched.fair.setWeight(key.stream, config.weight);
    this.enforceCap(peer, now);
  }

  private create(peer: EnginePeer, streamId: bigint, epoch: number, config: WireStreamConfig, now: number, header?: StreamHeader): StreamRecord {
    const rec = new StreamRecord(this.nextRid++, streamId, epoch, config, now, header);
    if (rec.reliable && this.giveUpMs > 0) rec.state.setGiveUpAfter(this.giveUpMs);
    if (this.nextRid > 0xffff_fff0) this.nextRid = 1;
    peer.streams.set(streamId, rec);
    this.byRid.set(rec.rid, rec);
    this.peerOfRid.set(rec.rid, peer);
    this.touch(rec);
    return rec;
  }

  private implicit(peer: EnginePeer, streamId: bigint, reliable: boolean, now: number): StreamRecord {
    const rec = this.create(peer, streamId, 0, implicitConfig(reliable), now);
    this.io.opened(peer, rec, -1);
    this.enforceCap(peer, now);
    return rec;
  }

  /** The live record a handle names, or undefined (closed, replaced, another epoch). */
  private live(peer: EnginePeer, key: StreamKey): StreamRecord | undefined {
    const rec = peer.streams.get(key.stream);
    return rec && rec.answers(key.epoch) ? rec : undefined;
  }

  setWeight(peer: EnginePeer, key: StreamKey, weight: number): void {
    const rec = this.live(peer, key);
    if (!rec) return;
    rec.config.weight = weight === 0 ? 1 : weight;
    this.sched.fair.setWeight(rec.streamId, rec.config.weight);
  }

  private touch(rec: StreamRecord): void {
    if (rec.touched || rec.closed) return;
    rec.touched = true;
    this.touched.add(rec);
  }

  // ---- send path (§3) -------------------------------------------------------------------------

  /**
   * Packets the app handed over (`table`: [framedLen, eventCount] per packet; `data`: their frames
   * back to back, valid only during this call). Admitted packets leave at once (or wait in the
   * scheduler); the rest wait, copied, in this record's backlog.
   */
  send(peer: EnginePeer, key: StreamKey, table: Uint32Array, data: Uint8Array, now: number): void {
    const n = table.length >>> 1;
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += table[2 * i]! + PACKET_WIRE_OVERHEAD;
    const rec = this.live(peer, key);
    if (!rec) return; // closed meanwhile: the app learns it from the close record
    rec.receivedBytes += bytes;
    rec.receivedPackets += n;
    this.touch(rec);
    peer.lastActivity = now;
    if (rec.backlog.length === 0) {
      const taken = this.admit(peer, rec, table, data, 0, 0, now);
      if (taken.count === n) return;
      this.hold(rec, table.slice(2 * taken.count), data.slice(taken.dataAt));
    } else {
      this.hold(rec, table.slice(), data.slice());
    }
    this.drainBacklog(peer, rec, now);
  }

  /** The app waits for budget on this record: the stream is credit-limited (autotuning). */
  want(peer: EnginePeer, key: StreamKey): void {
    const rec = this.live(peer, key);
    if (!rec) return;
    // No status in answer: the app wakes at the next grant (or its backoff), not at once. The
    // next status wakes it (it is urgent), and tells autotuning the stream is credit-limited.
    if (rec.tuner) rec.tuner.limited = true;
    rec.appWaiting = true;
  }

  private hold(rec: StreamRecord, table: Uint32Array, data: Uint8Array): void {
    const n = table.length >>> 1;
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += table[2 * i]! + PACKET_WIRE_OVERHEAD;
    rec.backlog.push({ table, data, next: 0, dataAt: 0 });
    rec.backlogBytes += bytes;
    rec.backlogPackets += n;
  }

  /** Admits backlog packets in order while the stream takes them. */
  private drainBacklog(peer: EnginePeer, rec: StreamRecord, now: number): void {
    while (rec.backlog.length && !rec.closed) {
      const c = rec.backlog[0]!;
      const before = c.next;
      const r = this.admit(peer, rec, c.table, c.data, c.next, c.dataAt, now);
      let bytes = 0;
      for (let i = before; i < before + r.count; i++) bytes += c.table[2 * i]! + PACKET_WIRE_OVERHEAD;
      rec.backlogBytes -= bytes;
      rec.backlogPackets -= r.count;
      c.next += r.count;
      c.dataAt = r.dataAt;
      if (c.next < c.table.length >>> 1) return;
      rec.backlog.shift();
    }
  }

  /**
   * One admission attempt for packets `from..` of a table (streams.md §3, resumable): quarantine,
   * scheduler room, then the core's credit/cwnd/max_pending checks. Hands admitted packets off.
   */
  private admit(peer: EnginePeer, rec: StreamRecord, table: Uint32Array, data: Uint8Array, from: number, dataAt: number, now: number): { count: number; dataAt: number } {
    const none = { count: 0, dataAt };
    const total = table.length >>> 1;
    if (from >= total || rec.closed) return none;
    // A record reopened while its id is still quarantined waits for a fresh lifetime (§14 (b)).
    const q = peer.quarantine.get(rec.streamId);
    if (q !== undefined) {
      if (q.until > now) {
        this.waitFor(rec, q.until);
        return none;
      }
      peer.quarantine.delete(rec.streamId);
    }
    let n = total - from;
    const { scheduled, priority } = rec.config;
    if (!scheduled) {
      // The path to the socket is full: wait here (an idle path takes any number of packets).
      const backlog = this.io.pathBacklog();
      if (backlog >= MAX_PATH_BACKLOG) {
        this.waitingPath.add(rec);
        return none;
      }
      if (backlog > 0) n = Math.min(n, MAX_PATH_BACKLOG - backlog);
    }
    if (scheduled) {
      const room = this.sched.room(rec.streamId, priority);
      if (room <= 0) {
        this.waitingRoom.add(rec);
        return none;
      }
      n = Math.min(n, room);
    }
    if (rec.reliable) {
      // cwnd per packet, not once per call: the engine's own backlog holds the rest, so a burst
      // never exceeds the congestion window (a small receive buffer is not flooded).
      const room = rec.state.sendRoom();
      if (room <= 0 && !rec.state.failed) return none;
      n = Math.min(n, Math.max(room, 1));
    }
    let len = 0;
    for (let i = from; i < from + n; i++) len += table[2 * i]!;
    const adm = rec.state.admitFramed(table.subarray(2 * from, 2 * (from + n)), data.subarray(dataAt, dataAt + len), now, false);
    if (adm.refusal === 'credit' && rec.tuner) rec.tuner.limited = true;
    const admitted = adm.admitted;
    if (admitted === 0) return none;
    if (!rec.reliable && rec.sentCharge === rec.creditedCharge) rec.creditProgressAt = now;
    for (let i = from; i < from + admitted; i++) {
      rec.sentCharge += table[2 * i]! + PACKET_WIRE_OVERHEAD;
      if (!rec.reliable) rec.noteCharge(adm.firstSeq + BigInt(i - from), rec.sentCharge);
    }
    rec.tuner?.onAdmitted(rec.sentCharge, now);
    if (rec.reliable) {
      // Nothing was outstanding: the retransmit timer starts now (RFC 6298 §5.1), and this stream
      // queues behind the peer's other streams if any of theirs are unacked. The same for the
      // peer's queue as a whole when its newest packet was acked already.
      if (rec.ackSeq === rec.nextSeq) {
        rec.ackAdvancedAt = now;
        rec.queuedBehind = peer.lastAdmitAt > peer.ackFrontier;
      }
      if (peer.ackFrontier >= peer.lastAdmitAt) peer.ackProgressAt = now;
      peer.lastAdmitAt = now;
      rec.noteAdmitted(adm.firstSeq, now);
    }
    rec.lastActivity = now;
    const flags = rec.reliable ? FLAG_RELIABLE : 0;
    let seq = adm.firstSeq;
    let at = dataAt;
    for (let i = from; i < from + admitted; i++) {
      const flen = table[2 * i]!;
      const count = table[2 * i + 1]!;
      const frames = data.subarray(at, at + flen);
      if (scheduled) this.sched.enqueue({ peer, rec, seq, flags, frames: frames.slice(), eventCount: count }, priority);
      else this.io.sendData(peer, rec.streamId, seq, flags, rec.header, frames, count);
      at += flen;
      seq++;
    }
    rec.nextSeq = seq;
    return { count: admitted, dataAt: at };
  }

  /** Retries a record's backlog at `at` (quarantine end). */
  private waitFor(rec: StreamRecord, at: number): void {
    this.io.timers.schedule(at, (now) => {
      const peer = this.peerOfRid.get(rec.rid);
      if (peer && !rec.closed) {
        this.drainBacklog(peer, rec, now);
        this.touch(rec);
      }
    });
  }

  /** What the app may still hand over on this record (budget = credit − backlog; §3, §14 (b)). */
  private budget(peer: EnginePeer, rec: StreamRecord, st: StreamCoreStats, now: number): { bytes: number; packets: number } {
    const q = peer.quarantine.get(rec.streamId);
    if (q !== undefined && q.until > now) {
      // A reopened id waits for a fresh lifetime (§14 (b)): nothing until the quarantine ends.
      this.io.timers.schedule(q.until, () => this.touch(rec));
      return { bytes: 0, packets: 0 };
    }
    const bytes = rec.state.windowBytes > 0 ? Math.max(0, st.creditBytes - rec.backlogBytes) : UNLIMITED_BYTES;
    let packets = MAX_HELD_PACKETS;
    if (rec.reliable) packets = Math.min(packets, st.maxPending - st.pending);
    if (rec.config.scheduled) packets = Math.min(packets, this.sched.room(rec.streamId, rec.config.priority));
    packets = Math.max(0, packets - rec.backlogPackets);
    return { bytes, packets: packets === MAX_HELD_PACKETS && bytes !== UNLIMITED_BYTES ? UNLIMITED_PACKETS : packets };
  }

  // ---- receive path (§10) ---------------------------------------------------------------------

  /**
   * An authenticated event-plane packet from `peer`, its plaintext `src.payload(index)`. The
   * plaintext is a view into the core's memory: creating a record or growing a receive window
   * can grow that memory and detach the view, so it is read again just before delivery.
   */
  onEventPlane(peer: EnginePeer, flags: number, streamId: bigint, seq: bigint, eventCount: number, src: PayloadSource, index: number, channelHash: number, originHash: bigint, now: number): void {
    this.lastNow = now;
    const plainLen = src.payload(index).length;
    if (peer.quarantine.size > 0) {
      const q = peer.quarantine.get(streamId);
      if (q !== undefined) {
        if (q.until > now) {
          // A late retransmission or probe for a closed lifetime: not delivered, no new record;
          // answer with the final grant so its sender learns what arrived (§14 (c) 7).
          if (q.grant && flags & FLAG_RELIABLE) this.queueFinalGrant(peer, streamId, q.grant);
          return;
        }
        peer.quarantine.delete(streamId);
      }
    }
    const rec = peer.streams.get(streamId) ?? this.implicit(peer, streamId, (flags & FLAG_RELIABLE) !== 0, now);
    const accepted = rec.state.onReceive(seq, plainLen, now);
    this.touch(rec);
    if (!accepted) {
      // A reliable duplicate (or too far ahead): re-send the current grant at once, so a sender
      // whose last grant was lost learns the truth (§14 (a)).
      this.queueGrant(peer, rec, now, true);
      return;
    }
    // Acks go out promptly: at once after a gap (the NACK follows), a probe, or a couple of full
    // packets' worth; else within GRANT_DELAY_MS, coalesced (a lone small packet does not cost a
    // datagram back per packet — the reference's drainer runs every 1 ms too).
    if (!rec.reliable && seq > rec.rxHighest) rec.rxHighest = seq;
    rec.rxSinceGrant += plainLen + PACKET_WIRE_OVERHEAD;
    this.queueGrant(peer, rec, now, eventCount === 0 || rec.rxSinceGrant >= GRANT_EAGER_BYTES || (rec.reliable && rec.state.hasGap));
    rec.lastActivity = now;
    const plaintext = src.payload(index);
    if (eventCount === 0) {
      rec.rxReleased += plainLen + PACKET_WIRE_OVERHEAD;
      // A zero-frame packet (an ack probe) still occupies its seq: a layer that orders a claimed
      // stream by seq (the blob requester) must see it. events() subscribers get nothing from it.
      this.io.deliver(peer, rec, seq, channelHash, originHash, 0, plaintext);
      return;
    }
    // Credit follows consumption: the packet's bytes are released now while the app's unread
    // bytes stay within the receive budget, else when the app takes its events.
    rec.rxReleased += PACKET_WIRE_OVERHEAD;
    this.receiveBudget.delivered(rec, plainLen);
    this.io.deliver(peer, rec, seq, channelHash, originHash, eventCount, plaintext);
  }

  /** What the stream layer holds in memory now (tests and operators watch it stay bounded). */
  memory(): { records: number; backlogBytes: number; unreadBytes: number; scheduled: number } {
    let backlogBytes = 0;
    for (const rec of this.byRid.values()) backlogBytes += rec.backlogBytes;
    return { records: this.byRid.size, backlogBytes, unreadBytes: this.receiveBudget.unread, scheduled: this.sched.depth };
  }

  /** The app took (consumed) `bytes` event bytes of record `rid`. */
  taken(rid: number, bytes: number): void {
    const rec = this.byRid.get(rid);
    if (rec && !rec.closed) this.receiveBudget.taken(rec, bytes);
  }

  /** Credit released by the app's consumption goes back at once. */
  private regrant(rec: StreamRecord): void {
    const peer = this.peerOfRid.get(rec.rid);
    if (peer && !rec.closed) this.queueGrant(peer, rec, this.lastNow, true);
  }

  // ---- control frames -------------------------------------------------------------------------

  /** Stream control frames on subprotocols 0x0B00..0x0B02; `source` is the datagram's source. */
  onControl(peer: EnginePeer, subprotocol: number, views: readonly Uint8Array[], source: string, now: number): void {
    // The frames are views into core memory that acting on one frame may grow: copy them first.
    const frames = views.length === 1 ? [views[0]!.slice()] : views.map((v) => v.slice());
    for (const f of frames) {
      if (subprotocol === SUBPROTOCOL_STREAM_WINDOW) {
        const g = decodeStreamWindow(f);
        if (!g || this.isQuarantined(peer, g.streamId, now)) continue;
        const rec = peer.streams.get(g.streamId);
        // An ack of seqs this lifetime never sent can only come from an older lifetime.
        if (!rec || g.ackSeq > rec.nextSeq) continue;
        rec.state.onWindow(this.effectiveConsumed(rec, g.totalConsumed, g.ackSeq, now), g.ackSeq, now);
        rec.tuner?.onGrant(Number(g.totalConsumed), now);
        if (g.ackSeq > rec.ackSeq) {
          const acked = rec.noteAcked(g.ackSeq);
          if (acked > peer.ackFrontier) peer.ackFrontier = acked;
          peer.ackProgressAt = now;
          rec.ackSeq = g.ackSeq;
          rec.ackAdvancedAt = now;
        }
        this.touch(rec);
        if (rec.backlog.length) this.drainBacklog(peer, rec, now);
        if (rec.graceful.length) this.checkDrained(peer, rec, now);
      } else if (subprotocol === SUBPROTOCOL_STREAM_NACK) {
        const n = decodeStreamNack(f);
        if (!n || this.isQuarantined(peer, n.streamId, now)) continue;
        const rec = peer.streams.get(n.streamId);
        if (!rec || !rec.reliable) continue;
        const seqs = rec.state.onNack(n.nextExpected, n.missingBitmap, now);
        // Resent at once to the NACK's source, never through the scheduler, never charged (§9).
        for (const seq of seqs) this.resend(peer, rec, seq, source);
        this.touch(rec);
      } else if (subprotocol === SUBPROTOCOL_STREAM_RESET) {
        const id = decodeStreamReset(f);
        // A quarantined id was closed moments ago (the reset is repeated on two more ticks): a
        // repeat must not close a record reopened meanwhile.
        if (id === null || this.isQuarantined(peer, id, now)) continue;
        // A reset names one of this peer's streams: a stream it never used (no record in its
        // session) is not its to reset, and readers of other peers' streams are not touched.
        if (peer.streams.has(id)) this.closeRecord(peer, id, 'reset', now);
      }
    }
  }

  /** Rebuilds pending packet `seq` from its descriptor and sends it with a fresh counter. */
  private resend(peer: EnginePeer, rec: StreamRecord, seq: bigint, address?: string): void {
    const p = rec.state.packet(seq);
    if (!p) return;
    this.io.sendData(peer, rec.streamId, seq, p.flags, rec.header, p.framed, p.eventCount, address);
  }

  // ---- grants (§4) ----------------------------------------------------------------------------

  /** Queues a grant for `rec`: due now (`eager`) or within its delay. */
  private queueGrant(peer: EnginePeer, rec: StreamRecord, now: number, eager: boolean): void {
    const due = eager ? now : now + (rec.reliable ? GRANT_DELAY_MS : UNRELIABLE_GRANT_DELAY_MS);
    if (!rec.grantQueued) {
      rec.grantQueued = true;
      rec.grantDue = due;
      peer.pendingGrants.set(rec.streamId, rec);
    } else if (due < rec.grantDue) rec.grantDue = due;
    this.grantPeers.add(peer);
    if (!eager && this.grantTimer.index < 0) this.io.timers.reschedule(this.grantTimer, due);
  }

  private queueFinalGrant(peer: EnginePeer, streamId: bigint, grant: GrantValues): void {
    // Closed lifetimes answer at once (their entries are never delayed).
    peer.pendingGrants.set(streamId, grant);
    this.grantPeers.add(peer);
  }

  /**
   * Sends every pending grant that is due (one StreamWindow per stream, then a NACK if it has a
   * gap); the others wait for the grant timer.
   */
  flushGrants(now: number): void {
    let later = Infinity;
    for (const p of this.grantPeers) {
      for (const [streamId, entry] of p.pendingGrants) {
        if (entry instanceof StreamRecord) {
          if (!entry.closed && entry.grantDue > now) {
            later = Math.min(later, entry.grantDue);
            continue;
          }
          p.pendingGrants.delete(streamId);
          entry.grantQueued = false;
          if (entry.closed) {
            // Closed between accepting the packet and now: send what it had (§14 (c) 6).
            if (entry.finalGrant) this.sendWindow(p, streamId, entry.finalGrant);
            continue;
          }
          entry.rxSinceGrant = 0;
          entry.lastGrantAt = now;
          entry.grantRepeats = GRANT_REPEATS;
          this.sendGrant(p, entry, now);
        } else {
          p.pendingGrants.delete(streamId);
          this.sendWindow(p, streamId, entry);
        }
      }
      if (p.pendingGrants.size === 0) this.grantPeers.delete(p);
    }
    if (later < Infinity) this.io.timers.reschedule(this.grantTimer, later);
  }

  /** The record's current grant, then (`nack`) a NACK if it has a gap (§9 item 1). */
  private sendGrant(peer: EnginePeer, rec: StreamRecord, now: number, nack = true): void {
    const st = rec.state;
    this.sendWindow(peer, rec.streamId, { totalConsumed: BigInt(rec.rxReleased), ackSeq: rec.reliable ? st.grantValues().ackSeq : this.unreliableAck(rec) });
    st.noteGrantSent();
    if (nack && rec.reliable) this.gapNack(peer, rec, now);
  }

  /**
   * The ack_seq of an unreliable stream's grant (0 in the reference, whose senders ignore it):
   * one past the highest seq accepted, but only while every accepted byte is released — then
   * every seq below it was either received and counted in total_consumed or will never be, so
   * its sender may take back the credit of the ones that were lost (issue 9 finding 3).
   */
  private unreliableAck(rec: StreamRecord): bigint {
    return rec.rxOwed === 0 && rec.rxHighest >= 0n ? rec.rxHighest + 1n : 0n;
  }

  /**
   * What an unreliable sender credits for a grant: its total_consumed plus the charge of the
   * packets below the reported ack_seq that never arrived (forgiven; monotonic, so grants stay
   * absolute). Reliable streams take the grant as it is: their lost bytes are resent.
   */
  private effectiveConsumed(rec: StreamRecord, totalConsumed: bigint, ackSeq: bigint, now: number): bigint {
    if (rec.reliable) return totalConsumed;
    const tc = Number(totalConsumed);
    // Only the newest grant's pair counts: a reordered older one (smaller total_consumed) paired
    // with the marks already dropped would forgive bytes that did arrive.
    if (ackSeq > 0n && tc >= rec.lastGrantConsumed) rec.forgiven = Math.max(rec.forgiven, rec.chargeBelowSeq(ackSeq) - tc);
    rec.lastGrantConsumed = Math.max(rec.lastGrantConsumed, tc);
    const eff = Math.min(tc + rec.forgiven, rec.sentCharge);
    if (eff > rec.creditedCharge) {
      rec.creditedCharge = eff;
      rec.creditProgressAt = now;
    }
    return BigInt(Math.max(0, tc + rec.forgiven));
  }

  /**
   * An unreliable stream with more than half its window outstanding and no credit back for
   * LOSS_PROBE_MS may have lost it all (a tail loss leaves no later packet to reveal the gap):
   * a zero-frame probe at a fresh seq, exempt from credit, draws a grant naming the highest seq.
   */
  private lossProbe(peer: EnginePeer, rec: StreamRecord, now: number): void {
    const window = rec.state.windowBytes;
    if (window === 0 || rec.sentCharge - rec.creditedCharge <= window / 2) return;
    if (now - rec.creditProgressAt < LOSS_PROBE_MS || now - rec.lastLossProbeAt < LOSS_PROBE_MS) return;
    const seq = rec.state.unreliableProbe(now);
    if (seq === null) return;
    rec.lastLossProbeAt = now;
    rec.sentCharge += PACKET_WIRE_OVERHEAD;
    rec.noteCharge(seq, rec.sentCharge);
    rec.nextSeq = seq + 1n;
    this.io.sendData(peer, rec.streamId, seq, 0, rec.header, new Uint8Array(0), 0);
    this.touch(rec);
  }

  private sendWindow(peer: EnginePeer, streamId: bigint, g: GrantValues): void {
    this.io.sendControl(peer, SUBPROTOCOL_STREAM_WINDOW, encodeStreamWindow({ streamId, totalConsumed: g.totalConsumed, ackSeq: g.ackSeq }));
  }

  // ---- the flush (end of every engine turn) ---------------------------------------------------

  /**
   * Grants, one scheduler batch, then a status for every record touched since the last flush
   * (budget, counters; autotuning and the peer's RTT estimate read the same counters). Returns
   * true when scheduled packets remain (the driver runs another flush soon).
   */
  flush(now: number): 'idle' | 'now' | 'soon' {
    this.flushGrants(now);
    const backlog = this.io.pathBacklog();
    if (this.waitingPath.size && backlog < MAX_PATH_BACKLOG) {
      // Oldest waiter first, and only while the path takes more: with thousands of streams waiting,
      // retrying (and reporting) every one of them on every turn would cost more than the sends.
      // A record whose backlog moved gets a status; the others are unchanged and keep their place.
      for (const rec of this.waitingPath) {
        if (this.io.pathBacklog() >= MAX_PATH_BACKLOG) break;
        this.waitingPath.delete(rec);
        const peer = this.peerOfRid.get(rec.rid);
        if (peer && !rec.closed) {
          const before = rec.backlogPackets;
          this.drainBacklog(peer, rec, now);
          if (rec.backlogPackets !== before) this.touch(rec);
        }
      }
    }
    if (this.sched.depth > 0 && backlog < MAX_PATH_BACKLOG) {
      this.sched.drain((p: QueuedPacket) => this.io.sendData(p.peer, p.rec.streamId, p.seq, p.flags, p.rec.header, p.frames, p.eventCount), MAX_PATH_BACKLOG - backlog);
      if (this.waitingRoom.size) {
        const ws = [...this.waitingRoom];
        this.waitingRoom.clear();
        for (const rec of ws) {
          const peer = this.peerOfRid.get(rec.rid);
          if (peer && !rec.closed) {
            this.drainBacklog(peer, rec, now);
            this.touch(rec);
          }
        }
      }
    }
    if (this.touched.size) {
      let later = Infinity;
      for (const rec of this.touched) {
        if (rec.closed) {
          rec.touched = false;
          this.touched.delete(rec);
          continue;
        }
        // A status at most every STATUS_INTERVAL_MS unless the app waits on this record: between
        // two, the app's view of the budget can only be lower than the truth (grants and acks
        // raise it; its own sends it accounts for itself).
        if (!rec.appWaiting && now - rec.statusAt < STATUS_INTERVAL_MS) {
          later = Math.min(later, rec.statusAt + STATUS_INTERVAL_MS);
          continue;
        }
        rec.touched = false;
        this.touched.delete(rec);
        rec.statusAt = now;
        const st = rec.state.stats();
        const peer = this.peerOfRid.get(rec.rid);
        if (peer && st.rttSamples > rec.rttSamplesSeen) {
          rec.rttSamplesSeen = st.rttSamples;
          peer.noteRtt(st.srttMs);
        }
        if (!peer) continue;
        if (rec.tuner) {
          const w = rec.tuner.next(rec.state.windowBytes, this.maxWindow, st.maxConsumedSeen, st.retransmits, now);
          if (w > rec.state.windowBytes) {
            rec.state.growWindow(w);
            st.creditBytes += w - st.txWindow;
            st.txWindow = w;
            st.maxPending = rec.state.maxPending;
          }
        }
        const b = this.budget(peer, rec, st, now);
        this.io.status(rec, b.bytes, b.packets, st);
      }
      if (later < Infinity) this.io.timers.reschedule(this.statusTimer, later);
    }
    // More to send: at once while the path takes it, else after a short poll (the path drains
    // without telling the engine).
    if (this.sched.depth === 0 && this.waitingPath.size === 0) return 'idle';
    return this.io.pathBacklog() < MAX_PATH_BACKLOG && this.sched.depth > 0 ? 'now' : 'soon';
  }

  // ---- retransmit tick (§9 item 3) ------------------------------------------------------------

  private runTick(now: number): void {
    if (this.closedAll) return;
    this.io.timers.reschedule(this.tickTimer, now + this.period);
    const gap = now - this.lastTickAt;
    this.lastTickAt = now;
    // This thread did not run for several ticks (a blocked event loop, a descheduled process):
    // answers that arrived meanwhile may still be queued behind us, so judge no timer this time.
    if (gap > STALL_TICKS * this.period) {
      this.stalls++;
      return;
    }
    this.tick(now);
  }

  /** One retransmit tick over every peer: timeouts, probes, resets, proactive gap NACKs. */
  tick(now: number): void {
    for (const peer of this.peers) {
      const repeats = peer.resetRepeats;
      if (repeats.size) {
        for (const [id, left] of repeats) {
          this.io.sendControl(peer, SUBPROTOCOL_STREAM_RESET, encodeStreamReset(id));
          if (left <= 1) repeats.delete(id);
          else repeats.set(id, left - 1);
        }
      }
      // Thousands of streams sending at once to one peer queue behind each other for as long as
      // the peer takes to work through them all — seconds on a busy machine, far beyond any
      // stream's RTO, and every timeout there would resend into the same queue. A stream that
      // started behind other streams' unacked packets, and whose oldest unacked packet went out
      // no more than a tick before the newest packet the peer has acked (the grants of one batch
      // may come back a few milliseconds apart), is still in that queue: while the peer's acks
      // keep advancing (the path is delivering), its timeouts wait, up to SHARED_QUEUE_HOLD_MS.
      // Once a packet sent a tick after its head is acked, the head was passed over — lost — and
      // is judged as usual.
      const delivering = now - peer.ackProgressAt <= PEER_PROGRESS_WINDOW_MS;
      let gaveUp: StreamRecord[] | undefined;
      for (const rec of peer.streams.values()) {
        if (rec.grantRepeats > 0 && !rec.grantQueued && now - rec.lastGrantAt >= GRANT_REPEAT_MS) {
          rec.grantRepeats--;
          rec.lastGrantAt = now;
          // The reliable branch below sends the gap NACK of this tick.
          this.sendGrant(peer, rec, now, false);
        }
        if (!rec.reliable) {
          this.lossProbe(peer, rec, now);
          continue;
        }
        const ackAge = now - rec.ackAdvancedAt;
        const queued = delivering && rec.queuedBehind && rec.headAdmitAt + this.period > peer.ackFrontier && ackAge <= SHARED_QUEUE_HOLD_MS;
        if (queued || ackAge <= ACK_PROGRESS_GRACE_MS || (ackAge <= MAX_RTO_MS && ackAge <= rec.state.stats().rtoMs)) {
          // The cumulative ack advanced within the last RTO (and at least the last four ticks):
          // the path is delivering, so the packets behind the head are queued, not lost —
          // RFC 6298 §5.3 restarts the timer on every new ack. Judge no timeout now; holes at
          // the head are NACKed by the receiver meanwhile, and the receive side of this record
          // still gets its proactive gap NACK.
          this.gapNack(peer, rec, now);
          continue;
        }
        const a = rec.state.tick(now);
        for (const seq of a.resend) this.resend(peer, rec, seq);
        if (a.probeSeq !== null) {
          rec.nextSeq = a.probeSeq + 1n;
          rec.noteAdmitted(a.probeSeq, now);
          // Ack probe: RELIABLE, zero frames, at the fresh seq the core registered (§14 (c) 2).
          this.io.sendData(peer, rec.streamId, a.probeSeq, FLAG_RELIABLE, rec.header, new Uint8Array(0), 0);
        }
        if (a.nack) this.sendNack(peer, rec, a.nack, now);
        if (a.resend.length || a.probeSeq !== null) this.touch(rec);
        if (a.reset) (gaveUp ??= []).push(rec);
      }
      if (gaveUp) for (const rec of gaveUp) this.giveUp(peer, rec, now);
    }
  }

  private gapNack(peer: EnginePeer, rec: StreamRecord, now: number): void {
    const nack = rec.state.buildNack();
    if (nack) this.sendNack(peer, rec, nack, now);
  }

  /**
   * A NACK for a new head of the receive window goes at once; repeats for the same head back off
   * (one tick, then doubling up to MAX_NACK_INTERVAL_MS). The sender resends an entry a repeat
   * names only once its last send is two RTOs old, and a path that is slow to answer is usually
   * queueing: with thousands of streams waiting at one peer, a NACK per stream on every tick and
   * every grant would add a datagram per stream every 25 ms to that queue.
   */
  private sendNack(peer: EnginePeer, rec: StreamRecord, nack: Nack, now: number): void {
    if (nack.nextExpected === rec.nackHead) {
      if (now - rec.nackAt < rec.nackInterval) return;
      rec.nackInterval = Math.min(2 * rec.nackInterval, MAX_NACK_INTERVAL_MS);
    } else {
      rec.nackHead = nack.nextExpected;
      rec.nackInterval = Math.min(this.period, MAX_NACK_INTERVAL_MS);
    }
    rec.nackAt = now;
    this.io.sendControl(peer, SUBPROTOCOL_STREAM_NACK, encodeStreamNack({ streamId: rec.streamId, nextExpected: nack.nextExpected, missingBitmap: nack.missingBitmap }));
    rec.state.noteNackSent();
  }

  /** §14 (b) give-up: failed, StreamReset now and on the next two ticks, close, fail callers. */
  private giveUp(peer: EnginePeer, rec: StreamRecord, now: number): void {
    rec.failed = true;
    this.io.sendControl(peer, SUBPROTOCOL_STREAM_RESET, encodeStreamReset(rec.streamId));
    peer.resetRepeats.set(rec.streamId, RESET_REPEATS);
    this.closeRecord(peer, rec.streamId, 'gave-up', now);
  }

  // ---- close, graceful close, quarantine, eviction (§2, §11) ---------------------------------

  /** The app's close(): removes the record if the handle still names it. */
  closeHandle(peer: EnginePeer, key: StreamKey, now: number): void {
    if (this.live(peer, key)) this.closeRecord(peer, key.stream, 'closed', now);
  }

  /** streams.md §11: resolves (through `io.gracefulResult`) once nothing reliable is pending. */
  graceful(peer: EnginePeer | undefined, key: StreamKey, reqId: number, timeoutMs: number, now: number): void {
    const rec = peer && this.live(peer, key);
    if (!peer || !rec) {
      this.io.gracefulResult(reqId, GracefulOutcome.NOT_CONNECTED);
      return;
    }
    if (!rec.reliable || this.drained(rec)) {
      this.closeRecord(peer, key.stream, 'closed', now);
      this.io.gracefulResult(reqId, GracefulOutcome.DRAINED);
      return;
    }
    const timer = this.io.timers.schedule(now + timeoutMs, (t) => {
      const i = rec.graceful.findIndex((g) => g.reqId === reqId);
      if (i < 0) return;
      rec.graceful.splice(i, 1);
      this.io.gracefulResult(reqId, GracefulOutcome.TIMEOUT);
      this.closeRecord(peer, key.stream, 'closed', t);
    });
    rec.graceful.push({ reqId, timer });
  }

  private drained(rec: StreamRecord): boolean {
    return rec.backlog.length === 0 && rec.queuedInScheduler === 0 && !rec.state.hasPending();
  }

  private checkDrained(peer: EnginePeer, rec: StreamRecord, now: number): void {
    if (rec.closed || !this.drained(rec)) return;
    const ws = rec.graceful.splice(0);
    for (const w of ws) {
      this.io.timers.cancel(w.timer);
      this.io.gracefulResult(w.reqId, GracefulOutcome.DRAINED);
    }
    this.closeRecord(peer, rec.streamId, 'closed', now);
  }

  /** Removes the record (dropping its retransmit state) and quarantines the id. Nothing is sent. */
  closeRecord(peer: EnginePeer, streamId: bigint, reason: CloseReason, now: number): void {
    const rec = peer.streams.get(streamId);
    if (!rec) return;
    peer.streams.delete(streamId);
    // A give-up has already dropped the core's pending entries: they were never acknowledged.
    const pending = reason === 'gave-up' || (rec.reliable && (rec.state.hasPending() || rec.backlog.length > 0));
    this.retire(peer, rec, reason, pending);
    // A reset lifetime needs no final grant: its sender gave up (and answering could credit a
    // reopened lifetime with the old one's ack).
    const keepGrant = rec.reliable && reason !== 'reset' && reason !== 'gave-up';
    peer.quarantine.set(streamId, { until: now + GRANT_QUARANTINE_WINDOW_MS, grant: keepGrant ? rec.finalGrant : null });
    if (reason === 'reset' || reason === 'gave-up') this.io.reset(peer, streamId, reason === 'gave-up');
    if (rec.config.scheduled) this.forgetWeight(streamId);
  }

  private retire(peer: EnginePeer, rec: StreamRecord, reason: CloseReason, pending: boolean): void {
    this.receiveBudget.forget(rec);
    // The app keeps the record's last figures (stats() of a closed stream).
    this.io.status(rec, 0, 0, rec.state.stats());
    rec.retire(reason);
    this.byRid.delete(rec.rid);
    this.peerOfRid.delete(rec.rid);
    this.touched.delete(rec);
    this.waitingRoom.delete(rec);
    this.waitingPath.delete(rec);
    rec.touched = false;
    this.io.closed(peer, rec, reason, pending);
    const ws = rec.graceful.splice(0);
    for (const w of ws) {
      this.io.timers.cancel(w.timer);
      this.io.gracefulResult(w.reqId, pending ? GracefulOutcome.CLOSED_PENDING : GracefulOutcome.DRAINED, reason);
    }
  }

  /** Drops a scheduled stream's weight once no session has a scheduled record with that id. */
  private forgetWeight(streamId: bigint): void {
    for (const p of this.peers) if (p.streams.get(streamId)?.config.scheduled) return;
    this.sched.fair.forgetStream(streamId);
  }

  private isQuarantined(peer: EnginePeer, streamId: bigint, now: number): boolean {
    if (peer.quarantine.size === 0) return false;
    const q = peer.quarantine.get(streamId);
    if (q === undefined) return false;
    if (q.until > now) return true;
    peer.quarantine.delete(streamId);
    return false;
  }

  private enforceCap(peer: EnginePeer, now: number): void {
    while (peer.streams.size > MAX_STREAMS_PER_SESSION) {
      let oldest: StreamRecord | undefined;
      for (const r of peer.streams.values()) if (!oldest || r.lastActivity < oldest.lastActivity) oldest = r;
      if (!oldest) break;
      this.closeRecord(peer, oldest.streamId, 'evicted', now);
    }
  }

  /** Heartbeat-tick housekeeping: idle eviction, cap, expired quarantine (streams.md §2). */
  sweep(peer: EnginePeer, now: number): void {
    for (const r of [...peer.streams.values()]) if (now - r.lastActivity > STREAM_IDLE_TIMEOUT_MS) this.closeRecord(peer, r.streamId, 'evicted', now);
    this.enforceCap(peer, now);
    for (const [id, q] of peer.quarantine) if (q.until <= now) peer.quarantine.delete(id);
  }

  /** A peer whose session was replaced or dropped: its records go away without quarantine. */
  dropPeer(peer: EnginePeer, reason: CloseReason = 'session'): void {
    for (const rec of peer.streams.values()) this.retire(peer, rec, reason, rec.reliable && (rec.state.hasPending() || rec.backlog.length > 0));
    peer.streams.clear();
    peer.pendingGrants.clear();
    peer.resetRepeats.clear();
    this.peers.delete(peer);
    this.grantPeers.delete(peer);
  }

  /** Node shutdown: stops the tick, retires every record. */
  close(): void {
    if (this.closedAll) return;
    this.closedAll = true;
    this.io.timers.cancel(this.tickTimer);
    this.io.timers.cancel(this.grantTimer);
    this.io.timers.cancel(this.statusTimer);
    for (const p of [...this.peers]) this.dropPeer(p, 'node-closed');
  }
}

export { CONTROL_STREAM_ID };
