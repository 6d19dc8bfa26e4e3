// The stream layer of a node (streams.md): stream records per peer, the send path with byte
// credit, the event-plane receive path, grants, resets and quarantine. It knows nothing of
// sockets or crypto: it hands packets to `sealTo` and events to `deliver`.
import { BackpressureError, NotConnectedError } from '../errors.js';
import type { Peer } from '../node/peer.js';
import type { SealTemplate } from '../core/batch-format.js';
import { resolveStreamConfig, DEFAULT_STREAM_CONFIG, type StreamConfig, type ResolvedStreamConfig } from './config.js';
import { PACKET_WIRE_OVERHEAD } from './credit.js';
import { planPackets } from './pack.js';
import { StreamRecord } from './stream-record.js';
import {
  CONTROL_STREAM_ID,
  SUBPROTOCOL_STREAM_NACK,
  SUBPROTOCOL_STREAM_RESET,
  SUBPROTOCOL_STREAM_WINDOW,
  decodeStreamReset,
  decodeStreamWindow,
  encodeStreamWindow,
} from './control-frames.js';

export const FLAG_RELIABLE = 0x01;
export const GRANT_QUARANTINE_WINDOW_MS = 2000;
export const STREAM_IDLE_TIMEOUT_MS = 300_000;
export const MAX_STREAMS_PER_SESSION = 4096;

export interface ReceivedEvent {
  from: bigint;
  streamId: bigint;
  seq: bigint;
  payload: Uint8Array;
}

export interface StreamEngineDeps {
  sealTo(peer: Peer, template: SealTemplate, events: readonly Uint8Array[]): void;
  deliver(events: ReceivedEvent[]): void;
  peer(nodeId: bigint): Peer | undefined;
  now(): number;
}

/** Resets a stream's handle sees: set when retransmission gave up or the peer reset it. */
export class StreamEngine {
  private grantScheduled = false;
  private readonly grantPeers = new Set<Peer>();

  constructor(private readonly deps: StreamEngineDeps) {}

  /** Opens (or finds) the record; throws NotConnected without a session. */
  open(peer: Peer, streamId: bigint, config: StreamConfig | undefined): StreamRecord {
    const resolved = resolveStreamConfig(config);
    const existing = peer.streams.get(streamId);
    if (existing) return existing; // whoever creates the record first fixes its config (§2)
    const rec = new StreamRecord(streamId, peer.nextEpoch++, resolved, this.deps.now());
    peer.streams.set(streamId, rec);
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

  /** The live record for a handle, or NotConnected naming why. */
  live(nodeId: bigint, streamId: bigint, epoch: number): { peer: Peer; rec: StreamRecord } {
    const peer = this.deps.peer(nodeId);
    if (!peer) throw new NotConnectedError(`no session to node ${nodeId}`);
    const rec = peer.streams.get(streamId);
    if (!rec) throw new NotConnectedError(`stream ${streamId} to node ${nodeId} is closed`, 'STREAM_CLOSED');
    if (rec.epoch !== epoch) throw new NotConnectedError(`stream ${streamId} handle is stale (epoch ${epoch}, live ${rec.epoch})`, 'STREAM_EPOCH');
    return { peer, rec };
  }

  /**
   * One send attempt of streams.md §3, resuming at event index `from`. Returns the index of the
   * first event not yet handed off (events.length when all went). With `allOrNothing`, nothing
   * is sent unless every packet fits at once.
   */
  sendFrom(nodeId: bigint, streamId: bigint, epoch: number, events: readonly Uint8Array[], from: number, allOrNothing: boolean): number {
    const { peer, rec } = this.live(nodeId, streamId, epoch);
    const plan = planPackets(from === 0 ? events : events.slice(from));
    if (allOrNothing) {
      let total = 0;
      for (const p of plan) total += p.framedLen + PACKET_WIRE_OVERHEAD;
      if (!rec.sendCredit.fits(total)) {
        rec.sendCredit.backpressureEvents++;
        return from;
      }
    }
    const now = this.deps.now();
    let done = from;
    for (const p of plan) {
      const charge = p.framedLen + PACKET_WIRE_OVERHEAD;
      if (!rec.sendCredit.take(charge)) break;
      const seq = rec.allocateSeq(now);
      const slice = events.slice(from + p.start, from + p.end);
      this.deps.sealTo(peer, this.dataTemplate(rec, seq), slice);
      done = from + p.end;
    }
    peer.lastActivity = now;
    return done;
  }

  private dataTemplate(rec: StreamRecord, seq: bigint): SealTemplate {
    return {
      flags: rec.reliable ? FLAG_RELIABLE : 0,
      subprotocol: 0,
      channelHash: 0,
      streamId: rec.streamId,
      sequence: seq,
      originHash: 0n,
    };
  }

  /** Event-plane packet (subprotocol 0 or unhandled) from `peer` (streams.md §10). */
  onEventPlane(peer: Peer, flags: number, streamId: bigint, seq: bigint, plaintextLen: number, events: Uint8Array[]): void {
    if (this.isQuarantined(peer, streamId)) return;
    let rec = peer.streams.get(streamId);
    rec ??= this.implicit(peer, streamId, (flags & FLAG_RELIABLE) !== 0);
    const now = this.deps.now();
    if (!rec.receivedAny || seq > rec.rxSeq) rec.rxSeq = seq;
    rec.receivedAny = true;
    rec.lastActivity = now;
    const consumed = rec.recvCredit.accept(plaintextLen);
    this.queueGrant(peer, streamId, consumed, 0n);
    if (events.length === 0) return;
    const out: ReceivedEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) out[i] = { from: peer.nodeId, streamId, seq, payload: events[i]! };
    this.deps.deliver(out);
  }

  /** Stream control frames on subprotocols 0x0B00..0x0B02. */
  onControl(peer: Peer, subprotocol: number, frames: Uint8Array[]): void {
    for (const f of frames) {
      if (subprotocol === SUBPROTOCOL_STREAM_WINDOW) {
        const g = decodeStreamWindow(f);
        if (!g || this.isQuarantined(peer, g.streamId)) continue;
        const rec = peer.streams.get(g.streamId);
        if (!rec) continue;
        rec.sendCredit.onGrant(Number(g.totalConsumed));
        rec.wake();
      } else if (subprotocol === SUBPROTOCOL_STREAM_NACK) {
        // Unreliable streams have nothing to resend; reliable streams handle NACKs (issue: streams).
      } else if (subprotocol === SUBPROTOCOL_STREAM_RESET) {
        const id = decodeStreamReset(f);
        if (id !== null) this.closeRecord(peer, id);
      }
    }
  }

  private queueGrant(peer: Peer, streamId: bigint, totalConsumed: number, ackSeq: bigint): void {
    peer.pendingGrants.set(streamId, { totalConsumed, ackSeq });
    this.grantPeers.add(peer);
    if (this.grantScheduled) return;
    this.grantScheduled = true;
    // Grants go out once per turn, coalesced per stream: the newest absolute value wins.
    queueMicrotask(() => this.flushGrants());
  }

  /** Sends every pending grant (one StreamWindow per stream with news). */
  flushGrants(): void {
    this.grantScheduled = false;
    for (const p of this.grantPeers) {
      for (const [streamId, g] of p.pendingGrants) {
        this.sendControl(p, SUBPROTOCOL_STREAM_WINDOW, encodeStreamWindow({ streamId, totalConsumed: BigInt(g.totalConsumed), ackSeq: g.ackSeq }));
        p.recvGrantsSent++;
      }
      p.pendingGrants.clear();
    }
    this.grantPeers.clear();
  }

  sendControl(peer: Peer, subprotocol: number, frame: Uint8Array): void {
    const seq = peer.controlSeq++;
    this.deps.sealTo(peer, { flags: 0, subprotocol, channelHash: 0, streamId: CONTROL_STREAM_ID, sequence: seq, originHash: 0n }, [frame]);
  }

  /** A handle's close(): removes the record only if the handle is still its live epoch. */
  closeHandle(nodeId: bigint, streamId: bigint, epoch: number): void {
    const peer = this.deps.peer(nodeId);
    const rec = peer?.streams.get(streamId);
    if (peer && rec && rec.epoch === epoch) this.closeRecord(peer, streamId);
  }

  closeRecord(peer: Peer, streamId: bigint): void {
    const rec = peer.streams.get(streamId);
    if (!rec) return;
    peer.streams.delete(streamId);
    peer.quarantine.set(streamId, this.deps.now() + GRANT_QUARANTINE_WINDOW_MS);
    rec.wake();
  }

  private isQuarantined(peer: Peer, streamId: bigint): boolean {
    const until = peer.quarantine.get(streamId);
    if (until === undefined) return false;
    if (until > this.deps.now()) return true;
    peer.quarantine.delete(streamId);
    return false;
  }

  private enforceCap(peer: Peer): void {
    while (peer.streams.size > MAX_STREAMS_PER_SESSION) {
      let oldest: StreamRecord | undefined;
      for (const r of peer.streams.values()) if (!oldest || r.lastActivity < oldest.lastActivity) oldest = r;
      if (!oldest) break;
      this.closeRecord(peer, oldest.streamId);
    }
  }

  /** Heartbeat-tick housekeeping: idle eviction, cap, expired quarantine (streams.md §2). */
  sweep(peer: Peer): void {
    const now = this.deps.now();
    for (const r of [...peer.streams.values()]) if (now - r.lastActivity > STREAM_IDLE_TIMEOUT_MS) this.closeRecord(peer, r.streamId);
    this.enforceCap(peer);
    for (const [id, until] of peer.quarantine) if (until <= now) peer.quarantine.delete(id);
  }

  assertCanSend(): void {
    // Reserved for the reliable path's cwnd gate.
  }

  static backpressure(streamId: bigint): BackpressureError {
    return new BackpressureError(`stream ${streamId}: no send credit (waiting for the receiver's grant)`);
  }
}
