// The FairScheduler of streams.md §12: weighted round robin over per-stream FIFO queues with
// per-round *packet* quotas (quantum × weight), plus a priority lane served first. Generic over
// the packet type; `drainBatch` is the §13 send-loop drain that groups by destination.
//
// Deviations from the reference that streams.md asks for: queues are visited in creation order
// (not hash-map order), and weights live for the stream's lifetime (the periodic cleanup of empty
// queues keeps them; only `forgetStream` drops one).
import { InvalidArgumentError } from '../errors.js';

export const DEFAULT_FAIR_QUANTUM = 16;
export const DEFAULT_MAX_QUEUE_DEPTH = 1024;
/** Packets one `drainBatch` takes at most (MAX_DRAIN, §13). */
export const MAX_DRAIN = 64;
/** Every this many `dequeue` calls, empty queues are removed. */
const CLEANUP_EVERY = 1024;

export interface FairSchedulerOptions<P, D> {
  /** Packets per round per unit of weight (default 16). */
  quantum?: number;
  /** Capacity of each stream queue and of the priority lane (default 1024). */
  maxQueueDepth?: number;
  /** Destination of a packet, for `drainBatch` grouping (compared with SameValueZero). */
  destinationOf?: (packet: P) => D;
}

/** A bounded FIFO on a growable ring. */
class Fifo<P> {
  private buf: (P | undefined)[] = new Array(4);
  private head = 0;
  length = 0;

  push(p: P): void {
    if (this.length === this.buf.length) {
      const next: (P | undefined)[] = new Array(this.buf.length * 2);
      for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
      this.buf = next;
      this.head = 0;
    }
    this.buf[(this.head + this.length) % this.buf.length] = p;
    this.length++;
  }

  shift(): P | undefined {
    if (this.length === 0) return undefined;
    const p = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    return p;
  }
}

class StreamQueue<P> {
  readonly fifo = new Fifo<P>();
  sentThisRound = 0;
  constructor(
    readonly streamId: bigint,
    public weight: number,
  ) {}
}

export interface DestinationGroup<P, D> {
  destination: D;
  /** In dequeue order. */
  packets: P[];
}

function normaliseWeight(weight: number): number {
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 255) {
    throw new InvalidArgumentError(`weight must be an integer in 0..255, got ${String(weight)}`);
  }
  return weight === 0 ? 1 : weight;
}

export class FairScheduler<P, D = unknown> {
  readonly quantum: number;
  readonly maxQueueDepth: number;
  private readonly destinationOf: ((packet: P) => D) | undefined;
  private readonly priority = new Fifo<P>();
  /** Queues by stream id; `order` holds the same queues in creation order. */
  private readonly queues = new Map<bigint, StreamQueue<P>>();
  private order: StreamQueue<P>[] = [];
  /** Weights for the stream's lifetime, independent of whether its queue exists. */
  private readonly weights = new Map<bigint, number>();
  private rrCursor = 0;
  private dequeueCalls = 0;
  private queued = 0;
  private dropped = 0;
  private depth = 0;
  /** Test hook (§13): drop every n-th packet `drainBatch` dequeues; 0 = off. */
  testDropEveryN = 0;
  private testDropCounter = 0;

  constructor(options: FairSchedulerOptions<P, D> = {}) {
    const q = options.quantum ?? DEFAULT_FAIR_QUANTUM;
    const d = options.maxQueueDepth ?? DEFAULT_MAX_QUEUE_DEPTH;
    if (!Number.isInteger(q) || q < 1) throw new InvalidArgumentError(`quantum must be a positive integer, got ${String(q)}`);
    if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`maxQueueDepth must be a positive integer, got ${String(d)}`);
    this.quantum = q;
    this.maxQueueDepth = d;
    this.destinationOf = options.destinationOf;
  }

  /** Packets ever accepted by `enqueue`. */
  get totalQueued(): number {
    return this.queued;
  }
  /** Packets `enqueue` refused because their queue was full. */
  get totalDropped(): number {
    return this.dropped;
  }
  /** Live backlog across the priority lane and every stream queue. */
  get currentDepth(): number {
    return this.depth;
  }
  /** Round-robin cursor; moves only on a successful pop from a stream queue. */
  get cursor(): number {
    return this.rrCursor;
  }
  /** Stream queues currently held (empty ones are removed every 1024th dequeue). */
  get streamCount(): number {
    return this.order.length;
  }

  /**
   * Sets a stream's weight (0 → 1), effective from the next dequeue; kept until `forgetStream`.
   * Does not create a queue.
   */
  setWeight(streamId: bigint, weight: number): void {
    const w = normaliseWeight(weight);
    this.weights.set(streamId, w);
    const q = this.queues.get(streamId);
    if (q) q.weight = w;
  }

  weightOf(streamId: bigint): number {
    return this.weights.get(streamId) ?? 1;
  }

  /** Drops a closed stream's weight (its queued packets still leave). */
  forgetStream(streamId: bigint): void {
    this.weights.delete(streamId);
    const q = this.queues.get(streamId);
    if (q) q.weight = 1;
  }

  /** True when `count` more packets fit in the stream's queue (or the priority lane). */
  hasRoom(streamId: bigint, count = 1, priority = false): boolean {
    if (priority) return this.priority.length + count <= this.maxQueueDepth;
    const q = this.queues.get(streamId);
    return (q ? q.fifo.length : 0) + count <= this.maxQueueDepth;
  }

  /** How many more packets the stream's queue (or the priority lane) accepts now. */
  roomFor(streamId: bigint, priority = false): number {
    if (priority) return this.maxQueueDepth - this.priority.length;
    const q = this.queues.get(streamId);
    return this.maxQueueDepth - (q ? q.fifo.length : 0);
  }

  /** Queues a packet; false (and `totalDropped += 1`) when its queue is full. */
  enqueue(streamId: bigint, packet: P, priority = false): boolean {
    if (priority) {
      if (this.priority.length >= this.maxQueueDepth) {
        this.dropped++;
        return false;
      }
      this.priority.push(packet);
    } else {
      let q = this.queues.get(streamId);
      if (!q) {
        q = new StreamQueue<P>(streamId, this.weights.get(streamId) ?? 1);
        this.queues.set(streamId, q);
        this.order.push(q);
      }
      if (q.fifo.length >= this.maxQueueDepth) {
        this.dropped++;
        return false;
      }
      q.fifo.push(packet);
    }
    this.queued++;
    this.depth++;
    return true;
  }

  /** The next packet by §12: priority lane, then weighted round robin; undefined when empty. */
  dequeue(): P | undefined {
    this.dequeueCalls++;
    if (this.dequeueCalls % CLEANUP_EVERY === 0) this.cleanup();

    if (this.priority.length > 0) {
      this.depth--;
      return this.priority.shift();
    }
    const order = this.order;
    const n = order.length;
    if (n === 0) return undefined;
    let start = this.rrCursor % n;
    for (let i = 0; i < n; i++) {
      const q = order[(start + i) % n]!;
      if (q.fifo.length > 0 && q.sentThisRound < this.quantum * q.weight) return this.pop(q);
    }
    // Every non-empty queue used its quota: new round. (Keys are re-taken in the reference so
    // new streams join; here `order` is always current.)
    let any = false;
    for (const q of order) {
      q.sentThisRound = 0;
      if (q.fifo.length > 0) any = true;
    }
    if (!any) return undefined;
    start = this.rrCursor % n;
    for (let i = 0; i < n; i++) {
      const q = order[(start + i) % n]!;
      if (q.fifo.length > 0) return this.pop(q);
    }
    return undefined;
  }

  private pop(q: StreamQueue<P>): P {
    q.sentThisRound++;
    this.rrCursor++;
    this.depth--;
    return q.fifo.shift()!;
  }

  /** Removes empty queues (weights stay in `weights`). */
  private cleanup(): void {
    if (!this.order.some((q) => q.fifo.length === 0)) return;
    this.order = this.order.filter((q) => {
      if (q.fifo.length > 0) return true;
      this.queues.delete(q.streamId);
      return false;
    });
  }

  /**
   * The §13 drain: dequeues up to `max` packets (stopping as soon as the scheduler is empty, so
   * a lone packet is the fast path) and groups them by destination, keeping each destination's
   * packets in dequeue order; groups are ordered by first appearance.
   */
  drainBatch(max = MAX_DRAIN): DestinationGroup<P, D>[] {
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError(`max must be a positive integer, got ${String(max)}`);
    const groups = new Map<D, P[]>();
    for (let i = 0; i < max && this.depth > 0; i++) {
      const p = this.dequeue();
      if (p === undefined) break;
      if (this.testDropEveryN > 0 && ++this.testDropCounter % this.testDropEveryN === 0) continue;
      const d = this.destinationOf ? this.destinationOf(p) : (undefined as D);
      const g = groups.get(d);
      if (g) g.push(p);
      else groups.set(d, [p]);
    }
    const out: DestinationGroup<P, D>[] = [];
    for (const [destination, packets] of groups) out.push({ destination, packets });
    return out;
  }
}
