// Collects received datagrams and hands them to the handler once per event-loop turn.
//
// Why setImmediate and not queueMicrotask: Node (libuv) calls back into JS once per datagram and
// drains the microtask queue after every callback, so a microtask flush yields batches of one.
// setImmediate runs in the "check" phase right after the poll phase, i.e. after libuv has read
// every datagram that was ready on the socket in this turn (up to its per-wakeup read limit), so one
// flush carries the whole turn's arrivals. Bun and Deno implement setImmediate with the same
// "after I/O callbacks" meaning; where it is missing (browsers) a MessageChannel task is used.

import { type Datagram, type TransportStats } from './transport.js';

type Task = () => void;

let channelQueue: Task[] | undefined;
let channel: MessageChannel | undefined;

/**
 * Run `task` after this turn's I/O callbacks (setImmediate, else a MessageChannel task, else a 0 ms
 * timer). Looked up at call time so test fake timers that replace setImmediate are honoured.
 */
export function scheduleAfterIo(task: Task): void {
  const si = (globalThis as { setImmediate?: (cb: Task) => unknown }).setImmediate;
  if (typeof si === 'function') {
    si(task);
    return;
  }
  if (typeof MessageChannel === 'function') {
    if (channel === undefined) {
      const queue: Task[] = [];
      channelQueue = queue;
      channel = new MessageChannel();
      channel.port1.onmessage = () => queue.shift()?.();
    }
    channelQueue!.push(task);
    channel.port2.postMessage(null);
    return;
  }
  setTimeout(task, 0);
}

export class ReceiveBatcher {
  private pending: Datagram[] = [];
  private scheduled = false;
  private handler: ((batch: Datagram[]) => void) | undefined;
  private closed = false;

  constructor(private readonly stats: TransportStats) {}

  setHandler(handler: (batch: Datagram[]) => void): void {
    this.handler = handler;
  }

  /** Record one arrival; `data` must already be owned by the receiver (copied if the runtime reuses it). */
  push(data: Uint8Array, address: string): void {
    const st = this.stats;
    st.datagramsIn++;
    st.bytesIn += data.length;
    if (this.closed) {
      st.dropped++;
      return;
    }
    this.pending.push({ data, address });
    if (!this.scheduled) {
      this.scheduled = true;
      scheduleAfterIo(this.flush);
    }
  }

  /** Stop delivering; anything still pending is counted as dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stats.dropped += this.pending.length;
    this.pending = [];
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const handler = this.handler;
    if (handler === undefined) {
      this.stats.dropped += batch.length;
      return;
    }
    // A throwing handler surfaces as an uncaught error, like any event listener; the batcher's
    // state is already consistent, so later turns keep working.
    handler(batch);
  };
}
