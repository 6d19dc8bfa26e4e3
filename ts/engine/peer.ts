// A peer with an established session, as the engine sees it: address, packet session (keys,
// counters, replay window), failure detector, stream records and the per-session counters of
// control and subprotocol sequences.
import type { PacketSession } from '../core/session.js';
import { FailureDetector } from '../node/failure-detector.js';
import type { GrantValues } from '../core/reliable.js';
import type { StreamRecord } from './stream-record.js';
import type { SealBuilder } from '../core/seal-builder.js';

/** A quarantined id (streams.md §2): until when, and the closed lifetime's final grant (§14 (c) 7). */
export interface Quarantined {
  until: number;
  grant: GrantValues | null;
}

export class EnginePeer {
  readonly detector: FailureDetector;
  readonly streams = new Map<bigint, StreamRecord>();
  /** Ids closed or evicted in the last 2 s: grants and NACKs naming them are ignored (§2). */
  readonly quarantine = new Map<bigint, Quarantined>();
  controlSeq = 0n;
  /** TX seq of each subprotocol pseudo-stream (wire.md §6). */
  readonly subprotocolSeq = new Map<number, bigint>();
  /** Smoothed RTT: the handshake's until the first stream sample, then an EWMA of samples. */
  rttMs: number;
  rttSampled = false;
  /**
   * The peer's reliable traffic as one queue (all its streams share the path): when a cumulative
   * ack last advanced on any of them (or, with nothing outstanding, the first send), when the
   * latest reliable packet was admitted, and when the newest packet known to be acked was. A
   * stream whose oldest unacked packet was admitted after that frontier may still be queued
   * behind the others; one admitted before it was passed over.
   */
  ackProgressAt = -Infinity;
  lastAdmitAt = -Infinity;
  ackFrontier = -Infinity;
  /** The rtt the app was last told, and when. */
  rttReported: number;
  rttReportedAt = 0;
  lastActivity: number;
  /**
   * Pending grants, keyed by stream id, sent once per flush (streams.md §4): the record (values
   * read when sent) or, for a closed lifetime, its captured final values (§14 (c) 6–7).
   */
  readonly pendingGrants = new Map<bigint, StreamRecord | GrantValues>();
  /** Give-up StreamResets still to repeat on the next ticks (§14 (b)). */
  readonly resetRepeats = new Map<bigint, number>();
  /** Packets queued for sealing in this flush (created on first use). */
  sealer: SealBuilder | undefined;
  sealDest: string[] = [];
  /**
   * A responder's session that would replace a live one: it takes over only once a packet
   * authenticates under its keys (key confirmation), so a replayed msg1 cannot displace anything.
   */
  pending = false;
  /** Set up through a relay (wire.md §11.4): `address` is the relay's and every packet is routed. */
  routed = false;

  constructor(
    readonly nodeId: bigint,
    public address: string,
    readonly session: PacketSession,
    /** Session generation, counted per node; the app names streams with it (0 while pending). */
    public gen: number,
    timeoutMs: number,
    nowMs: number,
    rttMs: number,
  ) {
    this.detector = new FailureDetector(timeoutMs, nowMs);
    this.rttMs = rttMs;
    this.rttReported = rttMs;
    this.lastActivity = nowMs;
  }

  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /** Feeds one RTT figure from a stream (its smoothed RTT) into the peer's estimate. */
  noteRtt(ms: number): void {
    if (!(ms > 0)) return;
    if (!this.rttSampled) {
      this.rttSampled = true;
      this.rttMs = ms;
    } else {
      this.rttMs += (ms - this.rttMs) / 8;
    }
  }
}
