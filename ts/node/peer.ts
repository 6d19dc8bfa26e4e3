// Peers as the app thread sees them: the public PeerInfo / PeerEvent shapes, and the mirror the
// engine keeps up to date with its peer records (openStream and peers() stay synchronous).
import type { Health } from './failure-detector.js';
import type { RecordMirror } from './stream-mirror.js';

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

/** One peer with a session, as the engine last reported it. */
export class PeerMirror {
  /** Live stream records of this session, by stream id (handles point at these). */
  readonly streams = new Map<bigint, RecordMirror>();
  /** Records opened here whose STREAM_OPENED has not come back yet, by the epoch asked for. */
  readonly pending = new Map<number, RecordMirror>();
  /** Ids this side saw closed, and until when (app clock) their quarantine lasts (streams.md §2). */
  readonly quarantine = new Map<bigint, number>();
  /** Explicit opens take the session's next epoch (streams.md §2). */
  nextEpoch = 1;
  /** False once a newer session replaced this one. */
  live = true;

  constructor(
    readonly nodeId: bigint,
    /** Session generation: the engine's name for this session. */
    readonly gen: number,
    public address: string,
    public health: Health,
    public rttMs: number,
  ) {}

  info(): PeerInfo {
    return { nodeId: this.nodeId, address: this.address, health: this.health, rttMs: this.rttMs };
  }
}
