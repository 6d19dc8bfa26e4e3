// Keeps datagrams in order on runtimes whose UDP send is an async op per datagram.
//
// Deno starts async ops issued in the same turn in reverse order: 64 sends issued in a loop leave
// the socket last-first (measured on Deno 2.9, for both Deno.DatagramConn.send and node:dgram).
// A mesh that batches would turn every burst into a reordering. So sends go one at a time, the next
// starting when the previous completes; measured on loopback this is as fast as issuing them all at
// once (~115k datagrams/s either way).

import { TransportError } from '../errors.js';

export type SendOne<D> = (data: Uint8Array, dest: D, done: (err?: unknown) => void) => void;

export class SerialSender<D> {
  private data: Uint8Array[] = [];
  private dests: D[] = [];
  private head = 0;
  private busy = false;
  private closed = false;

  constructor(
    private readonly sendOne: SendOne<D>,
    /** Called once per datagram that failed or was discarded by close(). */
    private readonly onError: (err: unknown) => void,
    private readonly maxQueued = 65536,
  ) {}

  /** Queue one datagram; false when the queue is full (the caller counts it). */
  push(data: Uint8Array, dest: D): boolean {
    if (this.closed || this.data.length - this.head >= this.maxQueued) return false;
    this.data.push(data);
    this.dests.push(dest);
    if (!this.busy) this.next();
    return true;
  }

  get queued(): number {
    return this.data.length - this.head;
  }

  /** Discard what is queued, reporting each as an error. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const left = this.queued;
    this.data = [];
    this.dests = [];
    this.head = 0;
    for (let i = 0; i < left; i++) this.onError(new TransportError('transport closed before the datagram was sent'));
  }

  private next(): void {
    // A loop, not recursion: a send that completes synchronously continues here.
    for (;;) {
      if (this.closed || this.head >= this.data.length) {
        this.busy = false;
        if (!this.closed) {
          this.data = [];
          this.dests = [];
          this.head = 0;
        }
        return;
      }
      this.busy = true;
      const i = this.head++;
      const data = this.data[i]!;
      const dest = this.dests[i]!;
      // Let the slot go so a long queue does not pin sent buffers.
      (this.data as (Uint8Array | undefined)[])[i] = undefined;
      let finished = false;
      let inCall = true;
      let completedInCall = false;
      const done = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        if (err) this.onError(err);
        if (inCall) completedInCall = true;
        else this.next();
      };
      try {
        this.sendOne(data, dest, done);
      } catch (err) {
        done(err ?? new TransportError('send failed'));
      }
      inCall = false;
      if (!completedInCall) return;
    }
  }
}
