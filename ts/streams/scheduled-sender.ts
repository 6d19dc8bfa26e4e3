// The send loop of streams.md §13 for scheduled streams: originating packets of `scheduled: true`
// streams wait in the node's FairScheduler and leave in batches of at most 64 (MAX_DRAIN) per
// event-loop turn, grouped by destination, through the node's own sealing path (§14 (d)).
//
// Pacing: the loop drains only while the node's send path (sealing in the core worker, then the
// socket) holds fewer than `maxBacklog` packets. The reference's loop is paced by its socket; ours
// by the worker. Without this the scheduler would hand everything to the worker at once and its
// queues — where the weights and the priority lane act — would never fill.
import type { SealTemplate } from '../core/batch-format.js';
import type { Peer } from '../node/peer.js';
import { scheduleAfterIo } from '../transports/receive-batcher.js';
import { FairScheduler, MAX_DRAIN, type FairSchedulerOptions } from './fair-scheduler.js';

export interface QueuedPacket {
  peer: Peer;
  template: SealTemplate;
  events: readonly Uint8Array[];
}

export type SendFn = (peer: Peer, template: SealTemplate, events: readonly Uint8Array[]) => void;

export interface ScheduledSenderOptions {
  quantum?: number;
  maxQueueDepth?: number;
  /** Packets taken per turn (default 64). */
  drainPerTurn?: number;
  /** Packets handed to the send path and not yet on the socket (omit: no pacing). */
  backlog?: () => number;
  /** Drain only while `backlog()` is below this (default 128). */
  maxBacklog?: number;
}

/** When the send path is full, look again after this long (§13's 1 ms poll backstop). */
const BACKLOG_POLL_MS = 1;

/** Copies a packet's events into one buffer (queued packets must not alias caller buffers). */
function copyEvents(events: readonly Uint8Array[]): Uint8Array[] {
  let total = 0;
  for (const e of events) total += e.length;
  const buf = new Uint8Array(total);
  const out: Uint8Array[] = new Array(events.length);
  let at = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    buf.set(e, at);
    out[i] = buf.subarray(at, at + e.length);
    at += e.length;
  }
  return out;
}

export class ScheduledSender {
  readonly scheduler: FairScheduler<QueuedPacket, Peer>;
  private readonly drainPerTurn: number;
  private readonly backlog: (() => number) | undefined;
  private readonly maxBacklog: number;
  private armed = false;
  private closed = false;
  /** Packets handed to `send` so far, and drains that took more than one (batches, §13). */
  packetsSent = 0;
  drains = 0;
  /** Turns the loop waited because the send path was full. */
  waits = 0;

  constructor(
    private readonly send: SendFn,
    /** Called after each drain, so senders waiting for queue room can retry. */
    private readonly onDrained: () => void,
    options: ScheduledSenderOptions = {},
  ) {
    const schedOpts: FairSchedulerOptions<QueuedPacket, Peer> = { destinationOf: (p) => p.peer };
    if (options.quantum !== undefined) schedOpts.quantum = options.quantum;
    if (options.maxQueueDepth !== undefined) schedOpts.maxQueueDepth = options.maxQueueDepth;
    this.scheduler = new FairScheduler(schedOpts);
    this.drainPerTurn = options.drainPerTurn ?? MAX_DRAIN;
    this.backlog = options.backlog;
    this.maxBacklog = options.maxBacklog ?? 2 * MAX_DRAIN;
  }

  room(streamId: bigint, priority: boolean): number {
    return this.scheduler.roomFor(streamId, priority);
  }

  /** Queues a packet (the caller checked room); its events are copied. */
  enqueue(peer: Peer, template: SealTemplate, events: readonly Uint8Array[], priority: boolean): boolean {
    if (this.closed) return false;
    const ok = this.scheduler.enqueue(template.streamId, { peer, template, events: copyEvents(events) }, priority);
    if (ok) this.arm();
    return ok;
  }

  setWeight(streamId: bigint, weight: number): void {
    this.scheduler.setWeight(streamId, weight);
  }

  private arm(delayMs = 0): void {
    if (this.armed || this.closed) return;
    this.armed = true;
    if (delayMs > 0) setTimeout(this.run, delayMs);
    else scheduleAfterIo(this.run);
  }

  private readonly run = (): void => {
    this.armed = false;
    if (this.closed || this.scheduler.currentDepth === 0) return;
    let max = this.drainPerTurn;
    if (this.backlog) {
      const room = this.maxBacklog - this.backlog();
      if (room <= 0) {
        this.waits++;
        this.arm(BACKLOG_POLL_MS);
        return;
      }
      max = Math.min(max, room);
    }
    const groups = this.scheduler.drainBatch(max);
    this.drains++;
    for (const g of groups) {
      for (const p of g.packets) {
        this.send(p.peer, p.template, p.events);
        this.packetsSent++;
      }
    }
    if (this.scheduler.currentDepth > 0) this.arm();
    this.onDrained();
  };

  close(): void {
    this.closed = true;
  }
}
