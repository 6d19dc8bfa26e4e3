// A peer with an established session: its address, session ids and failure detector.
import { FailureDetector, type Health } from './failure-detector.js';
import type { StreamRecord } from '../streams/stream-record.js';
import type { Quarantined } from '../streams/stream-engine.js';
import type { GrantValues } from '../core/reliable.js';

export interface PeerInfo {
  nodeId: bigint;
  address: string;
  health: Health;
  rttMs: number;
}

export type PeerEventKind = 'up' | 'suspected' | 'failed' | 'recovered';

export interface PeerEvent {
  kind: PeerEventKind;
  nodeId: bigint;
  address: string;
  health: Health;
}

export class Peer {
  readonly detector: FailureDetector;
  readonly streams = new Map<bigint, StreamRecord>();
  /** Ids closed or evicted in the last 2 s: grants and NACKs naming them are ignored (streams.md §2). */
  readonly quarantine = new Map<bigint, Quarantined>();
  nextEpoch = 1;
  recvGrantsSent = 0;
  controlSeq = 0n;
  /** TX seq of each subprotocol pseudo-stream (wire.md §6). */
  readonly subprotocolSeq = new Map<number, bigint>();
  rttMs: number;
  lastActivity: number;
  /**
   * Pending grants, keyed by stream id, drained once per turn (streams.md §4): the record (values
   * read when sent) or, for a closed lifetime, its captured final values (§14 (c) 6–7).
   */
  readonly pendingGrants = new Map<bigint, StreamRecord | GrantValues>();

  constructor(
    readonly nodeId: bigint,
    public address: string,
    public sessionId: bigint,
    public localId: number,
    timeoutMs: number,
    nowMs: number,
    rttMs: number,
  ) {
    this.detector = new FailureDetector(timeoutMs, nowMs);
    this.rttMs = rttMs;
    this.lastActivity = nowMs;
  }

  info(): PeerInfo {
    return { nodeId: this.nodeId, address: this.address, health: this.detector.health, rttMs: this.rttMs };
  }
}
