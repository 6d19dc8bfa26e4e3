// The send loop of streams.md §13 for scheduled streams, inside the engine: originating packets
// of `scheduled: true` streams wait in the node's FairScheduler and leave in batches of at most
// 64 (MAX_DRAIN) per flush, grouped by destination, through the node's own sealing path (§14 (d)).
// The engine flushes once per turn and asks its driver for another turn while packets remain.
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

export interface SchedulerOptions {
  quantum?: number;
  maxQueueDepth?: number;
  /** Packets taken per flush (default 64). */
  drainPerFlush?: number;
}

export class Scheduler {
  readonly fair: FairScheduler<QueuedPacket, EnginePeer>;
  private readonly drainPerFlush: number;
  /** Packets sent so far, and flushes that took more than one (batches, §13). */
  packetsSent = 0;
  drains = 0;

  constructor(options: SchedulerOptions = {}) {
    this.fair = new FairScheduler<QueuedPacket, EnginePeer>({
      destinationOf: (p) => p.peer,
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
        p.rec.queuedInScheduler--;
        send(p);
        this.packetsSent++;
      }
    }
  }
}
