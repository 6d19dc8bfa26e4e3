// The stream layer of a node (streams.md): stream records per peer, the send path with byte
// credit and the cwnd gate, scheduled sends through the FairScheduler, the event-plane receive
// path with per-seq deduplication, coalesced grants (+ gap NACKs), the NACK handler, the 25 ms
// retransmit tick (timeout resends, ack probes, give-up resets, proactive gap NACKs), resets and
// quarantine. It knows nothing of sockets or crypto: it hands packets to `sealTo` and events to
// `deliver`. Per-stream state machines live in the WASM core (`StreamState`, one per record).
import { BackpressureError, InvalidArgumentError, NotConnectedError, StreamResetError } from '../errors.js';
import type { Peer } from '../node/peer.js';
import type { SealTemplate } from '../core/batch-format.js';
import { FLAG_RELIABLE, PACKET_WIRE_OVERHEAD, type GrantValues, type Nack } from '../core/reliable.js';
import { resolveStreamConfig, DEFAULT_STREAM_CONFIG, type StreamConfig, type ResolvedStreamConfig } from './config.js';
import { planPackets } from './pack.js';
import { StreamRecord, type CloseReason } from './stream-record.js';
import { Stream } from './stream.js';
import { ScheduledSender, type ScheduledSenderOptions } from './scheduled-sender.js';
import { scheduleAfterIo } from '../transports/receive-batcher.js';
import type { InboundPacket, StreamHeader } from '../node/host.js';
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
} from './control-frames.js';

export { FLAG_RELIABLE };
export const GRANT_QUARANTINE_WINDOW_MS = 2000;
export const STREAM_IDLE_TIMEOUT_MS = 300_000;
export const MAX_STREAMS_PER_SESSION = 4096;
/** RETRANSMIT_TICK (streams.md §9 item 3). */
export const RETRANSMIT_TICK_MS = 25;
/**
 * After the cumulative ack advanced (or sending started with nothing outstanding), timeouts wait
 * at least this long: on a busy machine the scheduling jitter of the JS threads on both ends
 * (event loops, core workers) reaches tens of ms, well above a 10–50 ms RTO, while the path is
 * fine — and a timeout resends the whole window.
 */
const ACK_PROGRESS_GRACE_MS = 4 * RETRANSMIT_TICK_MS;
/** The RTO's upper clamp (streams.md §7). */
const MAX_RTO_MS = 2000;
/** Packets the node's send path may hold before originating sends wait (16 × 64 KiB credit). */
const DEFAULT_MAX_SEND_BACKLOG = 128;
/** How often a send waiting for the send path looks again. */
const SEND_PATH_POLL_MS = 1;
/** A gap of this many tick periods between two ticks means this process was stalled. */
const STALL_TICKS = 4;
/** A give-up StreamReset is repeated on this many following ticks (§14 (b)). */
const RESET_REPEATS = 2;

export interface ReceivedEvent {
  from: bigint;
  streamId: bigint;
  seq: bigint;
  payload: Uint8Array;
}

/** A quarantined id (§2): until when, and the closed lifetime's final grant (§14 (c) 7). */
export interface Quarantined {
  until: number;
  grant: GrantValues | null;
}

export interface StreamEngineDeps {
  /** Queues one packet for sealing and sending to the peer (to `address` when given). */
  sealTo(peer: Peer, template: SealTemplate, events: readonly Uint8Array[], address?: string): void;
  /** An accepted event-plane packet, possibly with no events (duplicates already dropped); events are views, copy to keep. */
  deliver(packet: InboundPacket): void;
  peer(nodeId: bigint): Peer | undefined;
  /** Every peer with a session (the retransmit tick visits them all). */
  peers(): Iterable<Peer>;
  now(): number;
  /** A stream was reset (received StreamReset, or our own give-up): fail pending reads on it. */
  resetStream?(peer: Peer, streamId: bigint, err: StreamResetError): void;
  /** Packets handed to `sealTo` that are not yet on the socket (paces the scheduler, §13). */
  sendBacklog?(): number;
  /** Diagnostics (ts/util/diagnostics.ts). */
  warn?(code: string, message: string): void;
}

export interface StreamEngineOptions {
  /** Retransmit tick period in ms (default 25). */
  retransmitTickMs?: number;
  /** Originating sends wait while the node's send path holds this many packets (default 128). */
  maxSendBacklog?: number;
  scheduler?: ScheduledSenderOptions;
}

function dataTemplate(flags: number, streamId: bigint, seq: bigint, header: StreamHeader | undefined): SealTemplate {
  return { flags, subprotocol: 0, channelHash: header?.channelHash ?? 0, streamId, sequence: seq, originHash: header?.originHash ?? 0n };
}

function sameConfig(a: ResolvedStreamConfig, b: ResolvedStreamConfig): boolean {
  return (
    a.reliability === b.reliability &&
    a.scheduled === b.scheduled &&
    a.weight === b.weight &&
    a.priority === b.priority &&
    a.windowBytes === b.windowBytes &&
    a.maxRetries === b.maxRetries
  );
}

export class StreamEngine {
  private grantScheduled = false;
  private readonly grantPeers = new Set<Peer>();
  private readonly resetRepeats = new Map<Peer, Map<bigint, number>>();
  private readonly sched: ScheduledSender;
  /** Records whose send() waits for scheduler queue room. */
  private readonly queueWaiters = new Set<StreamRecord>();
  /** Records whose send() waits for the node's send path to drain, and the poll doing so. */
  private readonly sendPathWaiters = new Set<StreamRecord>();
  private sendPathTimer: ReturnType<typeof setInterval> | undefined;
  private readonly maxSendBacklog: number;
  private readonly tickTimer: ReturnType<typeof setInterval>;
  private readonly stallGapMs: number;
  private lastTickAt = -Infinity;
  private closed = false;
  /** Ticks skipped because the process had stalled. */
  stalls = 0;

  constructor(
    private readonly deps: StreamEngineDeps,
    options: StreamEngineOptions = {},
  ) {
    this.maxSendBacklog = options.maxSendBacklog ?? DEFAULT_MAX_SEND_BACKLOG;
    const backlog = deps.sendBacklog ? () => deps.sendBacklog!() : undefined;
    this.sched = new ScheduledSender((peer, t, events) => this.deps.sealTo(peer, t, events), () => this.wakeQueueWaiters(), {
      backlog,
      maxBacklog: this.maxSendBacklog,
      ...options.scheduler,
    });
    const period = options.retransmitTickMs ?? RETRANSMIT_TICK_MS;
    this.stallGapMs = STALL_TICKS * period;
    // The tick body runs after this turn's I/O (setImmediate), so grants that arrived while the
    // event loop was busy are applied before any timer is judged.
    this.tickTimer = setInterval(() => scheduleAfterIo(this.runTick), period);
    (this.tickTimer as { unref?: () => void }).unref?.();
  }

  /** The node's FairScheduler (for stats and tests). */
  get scheduler(): ScheduledSender['scheduler'] {
    return this.sched.scheduler;
  }

  // ---- records and handles --------------------------------------------------------------------

  /** openStream (streams.md §1–§2): creates or finds the record and returns a handle on it. */
  openStream(peer: Peer, streamId: bigint, config: StreamConfig | undefined, header?: StreamHeader): Stream {
    const rec = this.open(peer, streamId, config, header);
    return new Stream(this, peer.nodeId, rec);
  }

  /** Opens (or finds) the record. Whoever creates it first fixes its config (§2). */
  open(peer: Peer, streamId: bigint, config: StreamConfig | undefined, header?: StreamHeader): StreamRecord {
    const resolved = resolveStreamConfig(config);
    const existing = peer.streams.get(streamId);
    if (existing) {
      if (config !== undefined && !sameConfig(existing.config, resolved)) {
        this.deps.warn?.('STREAM_CONFIG_MISMATCH', `stream ${streamId} to node ${peer.nodeId} already exists with another config; keeping the existing one`);
      }
      return existing;
    }
    if (resolved.windowBytes > 0 && resolved.windowBytes < 8192) {
      this.deps.warn?.('STREAM_WINDOW_TOO_SMALL', `stream ${streamId} has windowBytes ${resolved.windowBytes}; a packet charging more than that can never be sent`);
    }
    const rec = new StreamRecord(streamId, peer.nextEpoch++, resolved, this.deps.now(), header);
    peer.streams.set(streamId, rec);
    if (resolved.scheduled) this.sched.setWeight(streamId, resolved.weight);
    this.enforceCap(peer);
    return rec;
  }

  private implicit(peer: Peer, streamId: bigint, reliable: boolean): StreamRecord {
    const cfg: ResolvedStreamConfig = { ...DEFAULT_STREAM_CONFIG, reliability: reliable ? 'reliable' : 'unreliable' };
    const rec = new StreamRecord(streamId, 0, cfg, this.deps.now());
    peer.streams.set(streamId, rec);
    this.enforceCap(peer);
    return rec;
  }

  /** The peer of a handle's live record, or NotConnected naming why. */
  livePeer(nodeId: bigint, rec: StreamRecord): Peer {
    if (rec.closed) {
      const why = rec.closed === 'gave-up' ? 'was reset (retransmission gave up)' : rec.closed === 'reset' ? 'was reset by the peer' : `is closed (${rec.closed})`;
      throw new NotConnectedError(`stream ${rec.streamId} to node ${nodeId} ${why}`, 'STREAM_CLOSED');
    }
    const peer = this.deps.peer(nodeId);
    if (!peer) throw new NotConnectedError(`no session to node ${nodeId}`);
    const live = peer.streams.get(rec.streamId);
    if (live !== rec) {
      throw new NotConnectedError(`stream ${rec.streamId} handle is stale (epoch ${rec.epoch}${live ? `, live ${live.epoch}` : ''})`, 'STREAM_EPOCH');
    }
    return peer;
  }

  /** The live record for (node, stream, epoch), or NotConnected naming why. */
  live(nodeId: bigint, streamId: bigint, epoch: number): { peer: Peer; rec: StreamRecord } {
    const peer = this.deps.peer(nodeId);
    if (!peer) throw new NotConnectedError(`no session to node ${nodeId}`);
    const rec = peer.streams.get(streamId);
    if (!rec) throw new NotConnectedError(`stream ${streamId} to node ${nodeId} is closed`, 'STREAM_CLOSED');
    if (rec.epoch !== epoch) throw new NotConnectedError(`stream ${streamId} handle is stale (epoch ${epoch}, live ${rec.epoch})`, 'STREAM_EPOCH');
    return { peer, rec };
  }

  setWeight(rec: StreamRecord, weight: number): void {
    rec.config.weight = weight === 0 ? 1 : weight;
    this.sched.setWeight(rec.streamId, rec.config.weight);
  }

  // ---- send path (§3) -------------------------------------------------------------------------

  /**
   * One send attempt of streams.md §3, resuming at event index `from`. Returns the index of the
   * first event not yet handed off (events.length when all went). With `allOrNothing` (trySend),
   * nothing is sent and no seq allocated unless every packet fits at once.
   */
  sendFrom(nodeId: bigint, rec: StreamRecord, events: readonly Uint8Array[], from: number, allOrNothing: boolean): number {
    const peer = this.livePeer(nodeId, rec);
    const evs = from === 0 ? events : events.slice(from);
    const plan = planPackets(evs);
    if (plan.length === 0) return events.length;
    const window = rec.config.windowBytes;
    if (window > 0) {
      for (const p of plan) {
        if (p.framedLen + PACKET_WIRE_OVERHEAD > window) {
          throw new InvalidArgumentError(
            `stream ${rec.streamId}: a packet of ${p.framedLen + PACKET_WIRE_OVERHEAD} on-wire bytes can never fit its ${window}-byte window (use smaller events or a larger windowBytes)`,
          );
        }
      }
    }
    const now = this.deps.now();
    // A record reopened while its id is still quarantined waits for a fresh lifetime (§14 (b)).
    const q = peer.quarantine.get(rec.streamId);
    if (q !== undefined) {
      if (q.until > now) return from;
      peer.quarantine.delete(rec.streamId);
    }
    let n = plan.length;
    const scheduled = rec.config.scheduled;
    const priority = rec.config.priority;
    if (scheduled) {
      const room = this.sched.room(rec.streamId, priority);
      if (room < n) {
        if (allOrNothing || room <= 0) {
          this.queueWaiters.add(rec);
          return from;
        }
        n = room;
      }
    } else if (this.deps.sendBacklog) {
      // The node's send path (worker sealing, socket) is full: wait in the caller rather than
      // start retransmit clocks on packets that cannot leave yet. An idle path takes any call.
      const backlog = this.deps.sendBacklog();
      const room = backlog <= 0 ? n : this.maxSendBacklog - backlog;
      if (room < n) {
        if (allOrNothing || room <= 0) {
          this.waitForSendPath(rec);
          return from;
        }
        n = room;
      }
    }
    const packets: Uint8Array[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = plan[i]!;
      packets[i] = (p.start === 0 && p.end === evs.length ? evs : evs.slice(p.start, p.end)) as Uint8Array[];
    }
    const adm = rec.state.admit(packets, now, allOrNothing);
    if (adm.refusal === 'failed') {
      // Gave up; the next tick reports it and closes the record.
      throw new NotConnectedError(`stream ${rec.streamId} to node ${nodeId} was reset (retransmission gave up)`, 'STREAM_CLOSED');
    }
    const admitted = adm.admitted;
    if (admitted === 0) return from;
    // Nothing was outstanding: the retransmit timer starts now (RFC 6298 §5.1).
    if (rec.reliable && rec.ackSeq === rec.nextSeq) rec.ackAdvancedAt = now;
    rec.lastActivity = now;
    peer.lastActivity = now;
    const flags = rec.reliable ? FLAG_RELIABLE : 0;
    let seq = adm.firstSeq;
    for (let i = 0; i < admitted; i++) {
      const t = dataTemplate(flags, rec.streamId, seq, rec.header);
      if (scheduled) this.sched.enqueue(peer, t, packets[i]!, priority);
      else this.deps.sealTo(peer, t, packets[i]!);
      seq++;
    }
    rec.nextSeq = seq;
    return from + plan[admitted - 1]!.end;
  }

  private waitForSendPath(rec: StreamRecord): void {
    this.sendPathWaiters.add(rec);
    if (this.sendPathTimer !== undefined) return;
    this.sendPathTimer = setInterval(() => {
      if (this.deps.sendBacklog!() >= this.maxSendBacklog && !this.closed) return;
      clearInterval(this.sendPathTimer);
      this.sendPathTimer = undefined;
      const ws = [...this.sendPathWaiters];
      this.sendPathWaiters.clear();
      for (const r of ws) r.wake();
    }, SEND_PATH_POLL_MS);
  }

  private wakeQueueWaiters(): void {
    if (this.queueWaiters.size === 0) return;
    const ws = [...this.queueWaiters];
    this.queueWaiters.clear();
    for (const r of ws) r.wake();
  }

  // ---- receive path (§10) ---------------------------------------------------------------------

  /** Event-plane packet (subprotocol 0 or unhandled) from `peer`, already authenticated. */
  onEventPlane(
    peer: Peer,
    flags: number,
    streamId: bigint,
    seq: bigint,
    plaintextLen: number,
    events: Uint8Array[],
    channelHash = 0,
    originHash = 0n,
  ): void {
    const now = this.deps.now();
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
    const rec = peer.streams.get(streamId) ?? this.implicit(peer, streamId, (flags & FLAG_RELIABLE) !== 0);
    const accepted = rec.state.onReceive(seq, plaintextLen, now);
    // Accepted: grant the new bytes. Rejected (reliable duplicate or too far ahead): re-send the
    // current grant, so a sender whose last grant was lost learns the truth (§14 (a)).
    this.queueGrant(peer, rec);
    if (!accepted) return;
    rec.lastActivity = now;
    // Zero-event packets (ack probes) are delivered too: a consumer reordering by seq needs every seq.
    this.deps.deliver({ from: peer.nodeId, streamId, seq, channelHash, originHash, events });
  }

  // ---- control frames -------------------------------------------------------------------------

  /** Stream control frames on subprotocols 0x0B00..0x0B02; `source` is the datagram's source. */
  onControl(peer: Peer, subprotocol: number, frames: Uint8Array[], source?: string): void {
    const now = this.deps.now();
    for (const f of frames) {
      if (subprotocol === SUBPROTOCOL_STREAM_WINDOW) {
        const g = decodeStreamWindow(f);
        if (!g || this.isQuarantined(peer, g.streamId, now)) continue;
        const rec = peer.streams.get(g.streamId);
        // An ack of seqs this lifetime never sent can only come from an older lifetime.
        if (!rec || g.ackSeq > rec.nextSeq) continue;
        rec.state.onWindow(g.totalConsumed, g.ackSeq, now);
        if (g.ackSeq > rec.ackSeq) {
          rec.ackSeq = g.ackSeq;
          rec.ackAdvancedAt = now;
        }
        if (rec.hasWaiters) rec.wake();
        if (rec.hasDrainWaiters) rec.checkDrained();
      } else if (subprotocol === SUBPROTOCOL_STREAM_NACK) {
        const n = decodeStreamNack(f);
        if (!n || this.isQuarantined(peer, n.streamId, now)) continue;
        const rec = peer.streams.get(n.streamId);
        if (!rec || !rec.reliable) continue;
        const seqs = rec.state.onNack(n.nextExpected, n.missingBitmap, now);
        // Resent at once to the NACK's source, never through the scheduler, never charged (§9).
        for (const seq of seqs) this.resend(peer, rec, seq, source);
      } else if (subprotocol === SUBPROTOCOL_STREAM_RESET) {
        const id = decodeStreamReset(f);
        // A quarantined id was closed moments ago (the reset is repeated on two more ticks): a
        // repeat must not close a record reopened meanwhile.
        if (id === null || this.isQuarantined(peer, id, now)) continue;
        if (peer.streams.has(id)) this.closeRecord(peer, id, 'reset');
        else this.failReads(peer, id, 'reset');
      }
    }
  }

  /** Rebuilds pending packet `seq` from its descriptor and sends it with a fresh counter. */
  private resend(peer: Peer, rec: StreamRecord, seq: bigint, address?: string): void {
    const p = rec.state.packet(seq);
    if (!p) return;
    this.deps.sealTo(peer, dataTemplate(p.flags, rec.streamId, seq, rec.header), p.events, address);
  }

  // ---- grants (§4) ----------------------------------------------------------------------------

  /** Queues a grant for `rec`; its values are read when the grants go out (end of the turn). */
  private queueGrant(peer: Peer, rec: StreamRecord): void {
    if (rec.grantQueued) return;
    rec.grantQueued = true;
    peer.pendingGrants.set(rec.streamId, rec);
    this.armGrants(peer);
  }

  private queueFinalGrant(peer: Peer, streamId: bigint, grant: GrantValues): void {
    peer.pendingGrants.set(streamId, grant);
    this.armGrants(peer);
  }

  private armGrants(peer: Peer): void {
    this.grantPeers.add(peer);
    if (this.grantScheduled) return;
    this.grantScheduled = true;
    // Grants go out once per turn, coalesced per stream: the newest absolute value wins.
    queueMicrotask(() => this.flushGrants());
  }

  /** Sends every pending grant (one StreamWindow per stream, then a NACK if it has a gap). */
  flushGrants(): void {
    this.grantScheduled = false;
    if (this.closed) return;
    for (const p of this.grantPeers) {
      for (const [streamId, entry] of p.pendingGrants) {
        if (entry instanceof StreamRecord) {
          entry.grantQueued = false;
          if (entry.closed) {
            // Closed between accepting the packet and now: send what it had (§14 (c) 6).
            if (entry.finalGrant) this.sendWindow(p, streamId, entry.finalGrant);
            continue;
          }
          const st = entry.state;
          this.sendWindow(p, streamId, st.grantValues());
          st.noteGrantSent();
          if (entry.reliable) this.gapNack(p, entry);
        } else {
          this.sendWindow(p, streamId, entry);
        }
      }
      p.pendingGrants.clear();
    }
    this.grantPeers.clear();
  }

  private sendWindow(peer: Peer, streamId: bigint, g: GrantValues): void {
    this.sendControl(peer, SUBPROTOCOL_STREAM_WINDOW, encodeStreamWindow({ streamId, totalConsumed: g.totalConsumed, ackSeq: g.ackSeq }));
    peer.recvGrantsSent++;
  }

  /** A control frame on CONTROL_STREAM_ID with the next per-session control sequence. */
  sendControl(peer: Peer, subprotocol: number, frame: Uint8Array, address?: string): void {
    const seq = peer.controlSeq++;
    this.deps.sealTo(peer, { flags: 0, subprotocol, channelHash: 0, streamId: CONTROL_STREAM_ID, sequence: seq, originHash: 0n }, [frame], address);
  }

  // ---- retransmit tick (§9 item 3) ------------------------------------------------------------

  private readonly runTick = (): void => {
    const now = this.deps.now();
    const gap = now - this.lastTickAt;
    this.lastTickAt = now;
    // This process did not run for several ticks (a blocked event loop, a descheduled process):
    // answers that arrived meanwhile may still be queued behind us, so judge no timer this time.
    if (gap > this.stallGapMs) {
      this.stalls++;
      return;
    }
    this.tick(now);
  };

  /** One retransmit tick over every peer: timeouts, probes, resets, proactive gap NACKs. */
  tick(now = this.deps.now()): void {
    if (this.closed) return;
    for (const peer of this.deps.peers()) {
      const repeats = this.resetRepeats.get(peer);
      if (repeats) {
        for (const [id, left] of repeats) {
          this.sendControl(peer, SUBPROTOCOL_STREAM_RESET, encodeStreamReset(id));
          if (left <= 1) repeats.delete(id);
          else repeats.set(id, left - 1);
        }
        if (repeats.size === 0) this.resetRepeats.delete(peer);
      }
      let gaveUp: StreamRecord[] | undefined;
      for (const rec of peer.streams.values()) {
        if (!rec.reliable) continue;
        const ackAge = now - rec.ackAdvancedAt;
        if (ackAge <= ACK_PROGRESS_GRACE_MS || (ackAge <= MAX_RTO_MS && ackAge <= rec.state.stats().rtoMs)) {
          // The cumulative ack advanced within the last RTO (and at least the last four ticks):
          // the path is delivering, so the packets behind the head are queued, not lost —
          // RFC 6298 §5.3 restarts the timer on every new ack. Judge no timeout now; holes at
          // the head are NACKed by the receiver meanwhile, and the receive side of this record
          // still gets its proactive gap NACK.
          this.gapNack(peer, rec);
          continue;
        }
        const a = rec.state.tick(now);
        for (const seq of a.resend) this.resend(peer, rec, seq);
        if (a.probeSeq !== null) {
          rec.nextSeq = a.probeSeq + 1n;
          // Ack probe: RELIABLE, zero frames, at the fresh seq the core registered (§14 (c) 2).
          this.deps.sealTo(peer, dataTemplate(FLAG_RELIABLE, rec.streamId, a.probeSeq, rec.header), []);
        }
        if (a.nack) this.sendNack(peer, rec, a.nack);
        if (a.reset) (gaveUp ??= []).push(rec);
      }
      if (gaveUp) for (const rec of gaveUp) this.giveUp(peer, rec);
    }
  }

  private gapNack(peer: Peer, rec: StreamRecord): void {
    const nack = rec.state.buildNack();
    if (nack) this.sendNack(peer, rec, nack);
  }

  private sendNack(peer: Peer, rec: StreamRecord, nack: Nack): void {
    this.sendControl(peer, SUBPROTOCOL_STREAM_NACK, encodeStreamNack({ streamId: rec.streamId, nextExpected: nack.nextExpected, missingBitmap: nack.missingBitmap }));
    rec.state.noteNackSent();
  }

  /** §14 (b) give-up: failed, StreamReset now and on the next two ticks, close, fail callers. */
  private giveUp(peer: Peer, rec: StreamRecord): void {
    rec.failed = true;
    this.sendControl(peer, SUBPROTOCOL_STREAM_RESET, encodeStreamReset(rec.streamId));
    let repeats = this.resetRepeats.get(peer);
    if (!repeats) this.resetRepeats.set(peer, (repeats = new Map()));
    repeats.set(rec.streamId, RESET_REPEATS);
    this.closeRecord(peer, rec.streamId, 'gave-up');
  }

  // ---- close, quarantine, eviction (§2) -------------------------------------------------------

  /** A handle's close(): removes the record only if the handle's record is still the live one. */
  closeHandle(nodeId: bigint, rec: StreamRecord): void {
    const peer = this.deps.peer(nodeId);
    if (peer && peer.streams.get(rec.streamId) === rec) this.closeRecord(peer, rec.streamId, 'closed');
  }

  /** Removes the record (dropping its retransmit state) and quarantines the id. Nothing is sent. */
  closeRecord(peer: Peer, streamId: bigint, reason: CloseReason): void {
    const rec = peer.streams.get(streamId);
    if (!rec) return;
    peer.streams.delete(streamId);
    this.queueWaiters.delete(rec);
    rec.retire(reason, () => this.closeError(peer, rec, reason));
    // A reset lifetime needs no final grant: its sender gave up (and answering could credit a
    // reopened lifetime with the old one's ack).
    const keepGrant = rec.reliable && reason !== 'reset' && reason !== 'gave-up';
    peer.quarantine.set(streamId, { until: this.deps.now() + GRANT_QUARANTINE_WINDOW_MS, grant: keepGrant ? rec.finalGrant : null });
    if (reason === 'reset' || reason === 'gave-up') this.failReads(peer, streamId, reason);
    if (rec.config.scheduled) this.forgetWeight(streamId);
  }

  /** Drops a scheduled stream's weight once no session has a scheduled record with that id. */
  private forgetWeight(streamId: bigint): void {
    for (const p of this.deps.peers()) if (p.streams.get(streamId)?.config.scheduled) return;
    this.sched.scheduler.forgetStream(streamId);
  }

  private closeError(peer: Peer, rec: StreamRecord, reason: CloseReason): Error {
    const what = `stream ${rec.streamId} to node ${peer.nodeId}`;
    if (reason === 'reset') return new StreamResetError(`${what} was reset by the peer with sends unacknowledged`);
    if (reason === 'gave-up') return new StreamResetError(`${what} gave up: retransmission exhausted, StreamReset sent`);
    return new NotConnectedError(`${what} was ${reason === 'evicted' ? 'evicted' : 'closed'} with sends unacknowledged (${reason})`, 'STREAM_CLOSED');
  }

  private failReads(peer: Peer, streamId: bigint, reason: 'reset' | 'gave-up'): void {
    if (!this.deps.resetStream) return;
    const msg = reason === 'reset' ? `stream ${streamId} was reset by node ${peer.nodeId}` : `stream ${streamId} to node ${peer.nodeId} gave up (retransmission exhausted)`;
    this.deps.resetStream(peer, streamId, new StreamResetError(msg));
  }

  private isQuarantined(peer: Peer, streamId: bigint, now: number): boolean {
    if (peer.quarantine.size === 0) return false;
    const q = peer.quarantine.get(streamId);
    if (q === undefined) return false;
    if (q.until > now) return true;
    peer.quarantine.delete(streamId);
    return false;
  }

  private enforceCap(peer: Peer): void {
    while (peer.streams.size > MAX_STREAMS_PER_SESSION) {
      let oldest: StreamRecord | undefined;
      for (const r of peer.streams.values()) if (!oldest || r.lastActivity < oldest.lastActivity) oldest = r;
      if (!oldest) break;
      this.closeRecord(peer, oldest.streamId, 'evicted');
    }
  }

  /** Heartbeat-tick housekeeping: idle eviction, cap, expired quarantine (streams.md §2). */
  sweep(peer: Peer): void {
    const now = this.deps.now();
    for (const r of [...peer.streams.values()]) if (now - r.lastActivity > STREAM_IDLE_TIMEOUT_MS) this.closeRecord(peer, r.streamId, 'evicted');
    this.enforceCap(peer);
    for (const [id, q] of peer.quarantine) if (q.until <= now) peer.quarantine.delete(id);
  }

  /** A peer whose session was replaced or dropped: its records go away without quarantine. */
  dropPeer(peer: Peer, reason: CloseReason = 'session'): void {
    for (const rec of peer.streams.values()) {
      this.queueWaiters.delete(rec);
      rec.retire(reason, () => this.closeError(peer, rec, reason));
    }
    peer.streams.clear();
    peer.pendingGrants.clear();
    this.resetRepeats.delete(peer);
  }

  /** Node shutdown: stops the tick and the send loop, retires every record. */
  close(peers: Iterable<Peer> = this.deps.peers()): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tickTimer);
    if (this.sendPathTimer !== undefined) clearInterval(this.sendPathTimer);
    this.sched.close();
    for (const p of peers) this.dropPeer(p, 'node-closed');
  }

  static backpressure(streamId: bigint): BackpressureError {
    return new BackpressureError(`stream ${streamId}: no send credit (waiting for the receiver's grant)`);
  }
}
