// A single-producer single-consumer ring of link records in a SharedArrayBuffer: the app↔engine
// link between threads (one ring per direction). Records are written contiguously (a PAD record
// fills the tail before a wrap), published with one atomic store per batch and read in place.
//
// Waking: the consumer flags that it sleeps, re-checks, then waits with Atomics.waitAsync on the
// write index; the producer notifies only when the flag is set. A full ring is backpressure: the
// producer keeps further records in order in an overflow buffer, flags that it waits for room and
// is woken when the consumer frees some. Neither side ever blocks its thread. Where a runtime has
// no Atomics.waitAsync, a MessagePort doorbell carries the same wake-ups.
import { BufferLinkWriter, LAZY_WAKE_MS, LinkReader, LinkWriter, Op, RECORD_HEAD, isLazy, pad8 } from './link-format.js';
import { scheduleAfterIo } from '../transports/receive-batcher.js';

const CTRL_BYTES = 64;
const WRITE = 0;
const READ = 1;
const CONSUMER_SLEEPING = 2;
const PRODUCER_SLEEPING = 3;
const CLOSED = 4;

export interface RingShared {
  sab: SharedArrayBuffer;
  /** Doorbell port of this side, where Atomics.waitAsync is missing. */
  port?: MessagePort;
}

/** The shared memory of one ring. */
export class Ring {
  readonly ctrl: Int32Array;
  readonly data: Uint8Array;
  readonly dv: DataView;
  readonly capacity: number;
  readonly mask: number;

  constructor(readonly sab: SharedArrayBuffer) {
    this.capacity = sab.byteLength - CTRL_BYTES;
    if (this.capacity < 1024 || (this.capacity & (this.capacity - 1)) !== 0) throw new RangeError(`ring capacity must be a power of two ≥ 1024, got ${this.capacity}`);
    this.mask = this.capacity - 1;
    this.ctrl = new Int32Array(sab, 0, CTRL_BYTES / 4);
    this.data = new Uint8Array(sab, CTRL_BYTES, this.capacity);
    this.dv = new DataView(sab, CTRL_BYTES, this.capacity);
  }

  static create(capacity: number): Ring {
    return new Ring(new SharedArrayBuffer(CTRL_BYTES + capacity));
  }

  get closed(): boolean {
    return Atomics.load(this.ctrl, CLOSED) !== 0;
  }

  /** Marks the ring closed and wakes both sides. */
  close(): void {
    Atomics.store(this.ctrl, CLOSED, 1);
    Atomics.notify(this.ctrl, WRITE);
    Atomics.notify(this.ctrl, READ);
  }
}

const hasWaitAsync = typeof (Atomics as { waitAsync?: unknown }).waitAsync === 'function';

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/** How one side sleeps until the other moves an index (Atomics.waitAsync, or a port doorbell). */
class Sleeper {
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly ring: Ring,
    private readonly port: MessagePort | undefined,
  ) {
    if (port) {
      port.onmessage = () => this.wake();
    }
  }

  /**
   * Resolves once ctrl[index] is no longer `seen` and the other side notified (or on a doorbell,
   * when the ring closes, or after `timeoutMs`).
   */
  wait(index: number, seen: number, timeoutMs = Infinity): Promise<void> {
    if (this.port) {
      return new Promise((resolve) => {
        const t = Number.isFinite(timeoutMs) ? setTimeout(() => this.wake(), timeoutMs) : undefined;
        (t as { unref?: () => void } | undefined)?.unref?.();
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const r = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(this.ring.ctrl, index, seen, timeoutMs);
    return r.async ? (r.value as Promise<string>).then(() => undefined) : Promise.resolve();
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  notify(index: number): void {
    if (this.port) this.port.postMessage(0);
    else Atomics.notify(this.ring.ctrl, index);
  }

  close(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
    if (this.port) {
      this.port.onmessage = null;
      this.port.close();
    }
  }
}

/** True when this runtime can wait on shared memory without blocking (else: the port doorbell). */
export function ringsNeedDoorbell(): boolean {
  return !hasWaitAsync;
}

/**
 * The producing end: a LinkWriter whose records go straight into the ring while it has room, and
 * into an ordered overflow buffer while it does not. `publish()` makes them visible (end of turn).
 */
export class RingProducer extends LinkWriter {
  private wpos: number;
  private published: number;
  private readonly overflow = new BufferLinkWriter(1 << 16);
  private readonly queued: { buf: Uint8Array; pos: number }[] = [];
  private overflowing = false;
  private waitingRoom = false;
  private readonly sleeper: Sleeper;
  private closed = false;
  /** The read index seen when the ring last had no room. */
  private failedAtRead = 0;
  /** Called when records waiting for room have all entered the ring. */
  onDrained: (() => void) | undefined;

  constructor(
    private readonly ring: Ring,
    port?: MessagePort,
  ) {
    super();
    this.maxRecord = ring.capacity >>> 2;
    this.wpos = Atomics.load(ring.ctrl, WRITE) >>> 0;
    this.published = this.wpos;
    this.sleeper = new Sleeper(ring, port);
  }

  /** Bytes written and not yet read by the consumer: in the ring, or waiting for room. */
  get unread(): number {
    return ((this.wpos - (Atomics.load(this.ring.ctrl, READ) >>> 0)) >>> 0) + this.backlog;
  }

  /** Bytes of records waiting for room in the ring. */
  get backlog(): number {
    let n = this.overflow.length;
    for (const q of this.queued) n += q.buf.length - q.pos;
    return n;
  }

  override begin(op: number, fieldsLen: number, flags = 0): number {
    const len = pad8(RECORD_HEAD + fieldsLen);
    if (!isLazy(op)) this.urgent = true;
    if (len > this.ring.capacity >>> 1) throw new RangeError(`link record of ${len} bytes does not fit a ring of ${this.ring.capacity}`);
    if (!this.overflowing && !this.closed) {
      const at = this.reserveInRing(len);
      if (at >= 0) {
        this.buf = this.ring.data;
        this.dv = this.ring.dv;
        return this.head(at, len, op, flags);
      }
      this.overflowing = true;
    }
    const at = this.overflow.begin(op, fieldsLen, flags);
    this.buf = this.overflow.buf;
    this.dv = this.overflow.dv;
    return at;
  }

  protected reserve(): number {
    throw new Error('unreachable: RingProducer reserves in begin()');
  }

  /** Ring space for `len` bytes (a PAD record fills the tail first when needed), or −1. */
  private reserveInRing(len: number): number {
    const ring = this.ring;
    const read = Atomics.load(ring.ctrl, READ) >>> 0;
    const free = ring.capacity - ((this.wpos - read) >>> 0);
    const off = this.wpos & ring.mask;
    const tail = ring.capacity - off;
    if (len <= tail) {
      if (len > free) {
        this.failedAtRead = read;
        return -1;
      }
      this.wpos = (this.wpos + len) >>> 0;
      return off;
    }
    if (tail + len > free) {
      this.failedAtRead = read;
      return -1;
    }
    ring.dv.setUint32(off, tail, true);
    ring.data[off + 4] = Op.PAD;
    this.wpos = (this.wpos + tail + len) >>> 0;
    return 0;
  }

  /**
   * Makes every record written so far visible, and wakes a sleeping consumer when one of them is
   * urgent (lazy ones wait for its next wake-up: a notify costs more than the records).
   */
  publish(): void {
    if (this.overflowing) this.pump();
    if (this.wpos === this.published || this.closed) return;
    this.published = this.wpos;
    Atomics.store(this.ring.ctrl, WRITE, this.wpos | 0);
    const wake = this.urgent || this.overflowing;
    this.urgent = false;
    if (Atomics.load(this.ring.ctrl, CONSUMER_SLEEPING) === 0) return;
    if (wake) this.sleeper.notify(WRITE);
    else if (this.lazyTimer === undefined) {
      // Only lazy records: the consumer reads them at its next wake-up, or in LAZY_WAKE_MS.
      this.lazyTimer = setTimeout(this.lazyWake, LAZY_WAKE_MS);
      (this.lazyTimer as { unref?: () => void }).unref?.();
    }
  }

  private lazyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly lazyWake = (): void => {
    this.lazyTimer = undefined;
    if (this.closed) return;
    const ctrl = this.ring.ctrl;
    if ((Atomics.load(ctrl, READ) >>> 0) !== this.published && Atomics.load(ctrl, CONSUMER_SLEEPING) !== 0) this.sleeper.notify(WRITE);
  };

  /** Moves overflow records into the ring while it has room; waits for room when it has none. */
  private pump(): void {
    const chunk = this.overflow.take();
    if (chunk) this.queued.push({ buf: chunk, pos: 0 });
    while (this.queued.length) {
      const q = this.queued[0]!;
      const dv = new DataView(q.buf.buffer, q.buf.byteOffset, q.buf.byteLength);
      while (q.pos < q.buf.length) {
        const len = dv.getUint32(q.pos, true);
        const at = this.reserveInRing(len);
        if (at < 0) {
          this.awaitRoom();
          return;
        }
        this.ring.data.set(q.buf.subarray(q.pos, q.pos + len), at);
        q.pos += len;
      }
      this.queued.shift();
    }
    this.overflowing = false;
    this.onDrained?.();
  }

  private awaitRoom(): void {
    if (this.waitingRoom || this.closed) return;
    this.waitingRoom = true;
    const ctrl = this.ring.ctrl;
    Atomics.store(ctrl, PRODUCER_SLEEPING, 1);
    const seen = this.failedAtRead | 0;
    // The consumer may have freed space before it could see the flag: then no wake-up comes.
    const wake = Atomics.load(ctrl, READ) !== seen ? Promise.resolve() : this.sleeper.wait(READ, seen);
    void wake.then(() => {
      this.waitingRoom = false;
      Atomics.store(ctrl, PRODUCER_SLEEPING, 0);
      if (this.closed || this.ring.closed) return;
      this.publish();
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.lazyTimer);
    this.sleeper.close();
  }
}

/**
 * The consuming end: `drain(handler)` hands every published record to `handler` in order (as a
 * LinkReader positioned on the ring's memory), then frees their space. `run` loops: drain, sleep
 * until the producer publishes, drain again.
 */
export class RingConsumer {
  private rpos: number;
  private readonly sleeper: Sleeper;
  private stopped = false;

  constructor(
    private readonly ring: Ring,
    port?: MessagePort,
  ) {
    this.rpos = Atomics.load(ring.ctrl, READ) >>> 0;
    this.sleeper = new Sleeper(ring, port);
  }

  /** True when published records are waiting. */
  get ready(): boolean {
    return (Atomics.load(this.ring.ctrl, WRITE) >>> 0) !== this.rpos;
  }

  /** Processes every published record; returns how many it handed over. */
  drain(handler: (r: LinkReader) => void): number {
    const ring = this.ring;
    let n = 0;
    for (;;) {
      const w = Atomics.load(ring.ctrl, WRITE) >>> 0;
      if (w === this.rpos) break;
      while (this.rpos !== w) {
        const off = this.rpos & ring.mask;
        const avail = (w - this.rpos) >>> 0;
        const end = Math.min(off + avail, ring.capacity);
        const r = new LinkReader(ring.data, off, end);
        while (r.next()) {
          handler(r);
          n++;
        }
        this.rpos = (this.rpos + (r.position - off)) >>> 0;
      }
      Atomics.store(ring.ctrl, READ, this.rpos | 0);
      if (Atomics.load(ring.ctrl, PRODUCER_SLEEPING) !== 0) this.sleeper.notify(READ);
    }
    return n;
  }

  /**
   * Calls `onReady` (which must drain) now and whenever the producer publishes, until `stop()` or
   * the ring closes. After a wake-up that found records it yields a macrotask, so a producer that
   * never pauses cannot starve this thread's sockets and timers.
   */
  async watch(onReady: () => void): Promise<void> {
    const ctrl = this.ring.ctrl;
    while (!this.stopped && !this.ring.closed) {
      if (this.ready) {
        onReady();
        await new Promise<void>((r) => scheduleAfterIo(r));
        continue;
      }
      Atomics.store(ctrl, CONSUMER_SLEEPING, 1);
      const seen = Atomics.load(ctrl, WRITE);
      if ((seen >>> 0) !== this.rpos) {
        Atomics.store(ctrl, CONSUMER_SLEEPING, 0);
        continue;
      }
      await this.sleeper.wait(WRITE, seen);
      Atomics.store(ctrl, CONSUMER_SLEEPING, 0);
    }
  }

  /** `watch` with a record handler: drains into `handler`, then calls `onWake`. */
  run(handler: (r: LinkReader) => void, onWake?: () => void): Promise<void> {
    return this.watch(() => {
      if (this.drain(handler) > 0) onWake?.();
    });
  }

  stop(): void {
    this.stopped = true;
    this.sleeper.close();
  }
}
