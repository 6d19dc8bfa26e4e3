// The app side of one stream record: what the engine last reported about it (its budget — credit
// minus the engine's own backlog —, counters, failure, closing) and what this thread handed over
// since, so trySend can decide all-or-nothing without asking the engine, and send() knows when to
// wait.
import { maxPendingForWindow } from '../core/reliable.js';
import { DEFAULT_MAX_QUEUE_DEPTH } from '../streams/fair-scheduler.js';
import type { ResolvedStreamConfig } from '../streams/config.js';
import { UNLIMITED_BYTES, UNLIMITED_PACKETS, type CloseReason, type StatusStats, type StreamKey } from '../engine/link-format.js';
import { MAX_HELD_PACKETS } from '../engine/stream-table.js';
import type { StreamHeader } from './host.js';
import type { PeerMirror } from './peer.js';

export class RecordMirror {
  /** The engine's id of the record (0 until STREAM_OPENED names it). */
  rid = 0;
  /** The record's epoch (the engine's, once known). */
  epoch: number;
  closed: CloseReason | null = null;
  failed = false;
  probing = false;
  stats: StatusStats | null = null;
  /** Bytes and packets handed to the link, and the engine's count of them at its last status. */
  submittedBytes = 0;
  submittedPackets = 0;
  seenBytes = 0;
  seenPackets = 0;
  /** The engine's budget at its last status (Infinity: unlimited). */
  budgetBytes: number;
  budgetPackets: number;
  /** Packets the engine holds (not admitted yet, or in the scheduler) at its last status. */
  engineBacklog = 0;
  /** A WANT was sent since the last status (autotuning learns the stream is credit-limited). */
  wantSent = false;
  /** Sends this side refused or held for lack of budget (added to the engine's backpressureEvents). */
  backpressure = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly peer: PeerMirror,
    readonly streamId: bigint,
    /** The epoch this side names the record with in its commands. */
    readonly keyEpoch: number,
    public config: ResolvedStreamConfig & { windowExplicit: boolean },
    readonly header: StreamHeader | undefined,
    quarantined: boolean,
  ) {
    this.epoch = keyEpoch;
    // Until the engine reports, a new record has its full window (and nothing while quarantined).
    const w = config.windowBytes;
    const reliable = config.reliability === 'reliable';
    if (quarantined) {
      this.budgetBytes = 0;
      this.budgetPackets = 0;
    } else {
      this.budgetBytes = w > 0 ? w : Infinity;
      let packets = reliable ? maxPendingForWindow(w) : MAX_HELD_PACKETS;
      if (config.scheduled) packets = Math.min(packets, DEFAULT_MAX_QUEUE_DEPTH);
      this.budgetPackets = packets;
    }
  }

  get key(): StreamKey {
    return { gen: this.peer.gen, epoch: this.keyEpoch, peer: this.peer.nodeId, stream: this.streamId };
  }

  get reliable(): boolean {
    return this.config.reliability === 'reliable';
  }

  /** Bytes of charges (framed + 84 per packet) this side may still hand over now. */
  availableBytes(): number {
    return this.budgetBytes - (this.submittedBytes - this.seenBytes);
  }

  availablePackets(): number {
    return this.budgetPackets - (this.submittedPackets - this.seenPackets);
  }

  /** A STATUS record. */
  onStatus(seenBytes: number, budgetBytes: number, seenPackets: number, budgetPackets: number, backlog: number, failed: boolean, probing: boolean, stats: StatusStats): void {
    this.seenBytes = seenBytes;
    this.seenPackets = seenPackets;
    this.budgetBytes = budgetBytes === UNLIMITED_BYTES ? Infinity : budgetBytes;
    this.budgetPackets = budgetPackets === UNLIMITED_PACKETS ? Infinity : budgetPackets;
    this.engineBacklog = backlog;
    if (failed) this.failed = true;
    this.probing = probing;
    this.stats = stats;
    this.wantSent = false;
    this.wake();
  }

  /** Packets handed over and not acknowledged yet (reliable), wherever they are. */
  get pending(): number {
    if (!this.reliable) return 0;
    return (this.stats?.pending ?? 0) + this.engineBacklog + (this.submittedPackets - this.seenPackets);
  }

  /** Resolves at the next status, close or link room, or after `ms`, whichever comes first. */
  waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(finish, ms);
      this.waiters.push(finish);
    });
  }

  wake(): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    this.waiters = [];
    for (const w of ws) w();
  }
}
