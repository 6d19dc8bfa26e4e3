// The send loop of streams.md §13 for scheduled streams, inside the engine: originating packets
// of `scheduled: true` streams wait in the node's FairScheduler and leave in batches of at most
// 64 (MAX_DRAIN) per flush, grouped by destination, through the node's own sealing path (§14 (d)).
// The engine flushes once per turn and asks its driver for another turn while packets remain.
// Routed datagrams this node relays share it (wire.md §7 step 4, §18 (e)): one queue per
// destination node, or the priority lane when their route flags say PRIORITY.
import { FairScheduler, MAX_DRAIN } from '../streams/fair-scheduler.js';
import type { EnginePeer } from './peer.js';
import type { StreamRecord } from './stream-record.js';

export interface QueuedPacket {
  peer: EnginePeer;
  rec: StreamRecord;
  seq: bigint;
  flags: number;
  /** The packet's frames (an owned copy: the link buffer they came from is reused). */
  frames: Uint8Array;
  eventCount: number;
}

/** A routed datagram on its way to the next hop (already rewritten; sent as it is). */
export interface ForwardedPacket {
  forward: Uint8Array;
  address: string;
}

type Queued = QueuedPacket | ForwardedPacket;

/** Relayed datagrams waiting at most, over all destinations (≈ 32 MiB of 8 KiB datagrams). */
export const MAX_FORWARD_QUEUED = 4096;

function isForwarded(p: Queued): p is ForwardedPacket {
  return (p as ForwardedPacket).forward !== undefined;
}

export interface SchedulerOptions {
  quantum?: number;
  maxQueueDepth?: number;
  /** Packets taken per flush (default 64). */
  drainPerFlush?: number;
}

export class Scheduler {
  readonly fair: FairScheduler<Queued, EnginePeer | string>;
  /** Where forwarded datagrams go when their turn comes (the engine sets it). */
  onForward: (p: ForwardedPacket) => void = () => undefined;
  /** Relayed datagrams waiting now. */
  forwardQueued = 0;
  private readonly drainPerFlush: number;
  /** Packets sent so far, and flushes that took more than one (batches, §13). */
  packetsSent = 0;
  drains = 0;

  constructor(options: SchedulerOptions = {}) {
    this.fair = new FairScheduler<Queued, EnginePeer | string>({
      destinationOf: (p) => (isForwarded(p) ? p.address : p.peer),
      ...(options.quantum !== undefined ? { quantum: options.quantum } : {}),
      ...(options.maxQueueDepth !== undefined ? { maxQueueDepth: options.maxQueueDepth } : {}),
    });
    this.drainPerFlush = options.drainPerFlush ?? MAX_DRAIN;
  }

  room(streamId: bigint, priority: boolean): number {
    return this.fair.roomFor(streamId, priority);
  }

  enqueue(p: QueuedPacket, priority: boolean): boolean {
    const ok = this.fair.enqueue(p.rec.streamId, p, priority);
    if (ok) p.rec.queuedInScheduler++;
    return ok;
  }

  /**
   * Queues a relayed datagram behind the others for its destination node (`destId`), or in the
   * priority lane; false when that queue is full.
   */
  enqueueForward(destId: bigint, p: ForwardedPacket, priority: boolean): boolean {
    if (this.forwardQueued >= MAX_FORWARD_QUEUED) return false;
    // Negative keys never collide with stream ids (u64).
    const ok = this.fair.enqueue(-1n - destId, p, priority);
    if (ok) this.forwardQueued++;
    return ok;
  }

  get depth(): number {
    return this.fair.currentDepth;
  }

  /** Takes the next batch (≤ 64, ≤ `max`) in §12 order; `send` gets each packet. */
  drain(send: (p: QueuedPacket) => void, max = this.drainPerFlush): void {
    if (this.fair.currentDepth === 0 || max < 1) return;
    const groups = this.fair.drainBatch(Math.min(max, this.drainPerFlush));
    this.drains++;
    for (const g of groups) {
      for (const p of g.packets) {
        if (isForwarded(p)) {
          this.forwardQueued--;
          this.onForward(p);
          continue;
        }
        p.rec.queuedInScheduler--;
        send(p);
        this.packetsSent++;
      }
    }
  }
}
