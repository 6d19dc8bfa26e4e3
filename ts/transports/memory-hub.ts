// An in-memory network for tests: transports bound to virtual "host:port" addresses exchange
// datagrams through a hub that injects loss, duplication, reordering, delay, MTU limits and
// partitions, all decided by a seeded PRNG.
//
// Determinism: the hub runs its own clock. A datagram sent when the hub clock reads `now` is due at
// `now + delay`; in-flight datagrams are delivered in (due, send order) order, and the clock jumps
// to a due time only when that delivery fires. So the delivery sequence depends only on the seed,
// the conditions, and the order of send() calls relative to deliveries, never on how late a real
// timer fires. (The price: with several datagrams in flight, real latency can exceed the nominal
// delay; delays are lower bounds.) Datagrams due "now" (delay 0) are delivered after the current
// turn, one batch per destination per flush, like a socket's per-turn batch.
//
// Order of decisions for each sent datagram: taps → partition → MTU → loss → duplicate → delay and
// reorder. A reordered datagram is held back an extra 1..max(1, delayMax) ms, so datagrams sent
// after it on the same link overtake it. `stats().reordered` counts what actually arrived out of
// order: datagrams delivered after a later-sent datagram of the same link.

import { ClosedError, InvalidArgumentError, TransportError } from '../errors.js';
import { formatAddress, parseAddress } from './address.js';
import { Xoshiro128 } from './prng.js';
import { scheduleAfterIo } from './receive-batcher.js';
import { emptyStats, type Datagram, type Transport, type TransportStats } from './transport.js';

/** Impairments the memory hub applies to a link (or to all links): loss, duplication, reordering, delay, MTU. */
export interface LinkConditions {
  /** Probability in [0, 1] that a datagram is lost. */
  loss?: number;
  /** Probability in [0, 1] that a datagram is delivered twice. */
  duplicate?: number;
  /** Probability in [0, 1] that a datagram is held back so later ones overtake it. */
  reorder?: number;
  /** One-way delay in ms: a fixed value or a uniform [min, max] range (integers). */
  delayMs?: number | readonly [number, number];
  /** Datagrams longer than this many bytes are dropped. */
  mtu?: number;
}

/** A MemoryHub's seed and the link conditions every link starts with. */
export interface MemoryHubOptions extends LinkConditions {
  /** PRNG seed: the same seed and the same sends give the same deliveries. */
  seed: number | bigint;
}

/**
 * A tap sees every datagram at send time, before any impairment. Return 'pass' (or nothing) to let
 * it through, 'drop' to lose it, 'duplicate' to send it twice, a Uint8Array to send those bytes
 * instead, or an array of Uint8Arrays to send each of them.
 */
export type TapVerdict = 'pass' | 'drop' | 'duplicate' | Uint8Array | readonly Uint8Array[];
/** Called for every datagram sent on the hub (see TapVerdict); `from` and `to` are "host:port" addresses. */
export type Tap = (datagram: Datagram, from: string, to: string) => TapVerdict | undefined | void;

/** What a MemoryHub did with the datagrams it was given, by outcome. */
export interface MemoryHubStats {
  /** Datagrams handed to the hub by send(). */
  sent: number;
  delivered: number;
  /** Sum of every droppedBy* counter. */
  dropped: number;
  droppedByLoss: number;
  droppedByPartition: number;
  droppedByMtu: number;
  droppedByTap: number;
  /** Nothing bound at the destination when the datagram arrived. */
  droppedUnreachable: number;
  /** Extra copies created (random duplication or a tap). */
  duplicated: number;
  /** Datagrams that arrived after a later-sent datagram of the same link. */
  reordered: number;
  /** Datagrams a tap replaced. */
  tampered: number;
  /** Scheduled but not yet delivered. */
  inFlight: number;
}

interface Resolved {
  loss: number;
  duplicate: number;
  reorder: number;
  delayMin: number;
  delayMax: number;
  mtu: number;
}

interface InFlight {
  due: number;
  order: number;
  /** Send sequence of the original datagram on the hub (copies share it). */
  seq: number;
  sender: MemoryTransport;
  from: string;
  to: string;
  data: Uint8Array;
}

const UDP_MAX_PAYLOAD = 65507;
const EPHEMERAL_FIRST = 49152;

/**
 * An in-memory datagram network for tests: transports created with `hub.transport()` bind
 * "host:port" names on it and exchange datagrams under seeded, deterministic impairments (loss,
 * duplication, reordering, delay, MTU), partitions and taps that can drop or rewrite traffic.
 */
export class MemoryHub {
  private readonly rng: Xoshiro128;
  private readonly base: Resolved;
  private readonly links = new Map<string, LinkConditions>();
  private readonly destinations = new Map<string, LinkConditions>();
  private readonly cuts = new Set<string>();
  private taps: Tap[] = [];
  private readonly bound = new Map<string, MemoryTransport>();
  private readonly nextPort = new Map<string, number>();
  private readonly heap: InFlight[] = [];
  private readonly lastSeqOnLink = new Map<string, number>();
  private readonly normalized = new Map<string, string | InvalidArgumentError>();
  private readonly settleWaiters: (() => void)[] = [];
  private clock = 0;
  private seq = 0;
  private order = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDue = -1;
  private immediatePending = false;
  private closed = false;
  private readonly st: MemoryHubStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    droppedByLoss: 0,
    droppedByPartition: 0,
    droppedByMtu: 0,
    droppedByTap: 0,
    droppedUnreachable: 0,
    duplicated: 0,
    reordered: 0,
    tampered: 0,
    inFlight: 0,
  };

  constructor(opts: MemoryHubOptions) {
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('MemoryHub options are required ({ seed })');
    const seed = opts.seed;
    if (!(typeof seed === 'bigint' || (typeof seed === 'number' && Number.isFinite(seed)))) {
      throw new InvalidArgumentError(`seed must be a finite number or a bigint, got ${String(seed)}`);
    }
    this.rng = new Xoshiro128(seed);
    validateConditions(opts, 'MemoryHub options');
    this.base = resolve({ loss: 0, duplicate: 0, reorder: 0, delayMin: 0, delayMax: 0, mtu: UDP_MAX_PAYLOAD }, opts);
  }

  /** A new unbound transport on this hub. */
  transport(): MemoryTransport {
    if (this.closed) throw new ClosedError('memory hub');
    return new MemoryTransport(this);
  }

  /** The hub clock in ms (advances only as delayed deliveries fire). */
  get now(): number {
    return this.clock;
  }

  /**
   * Override conditions on the link a → b (fields not given fall back to the destination override,
   * then the hub default). `null` removes the override. Both directions unless `oneWay`.
   */
  setLink(a: string, b: string, conditions: LinkConditions | null, opts: { oneWay?: boolean } = {}): void {
    const from = this.key(a, 'link endpoint');
    const to = this.key(b, 'link endpoint');
    if (conditions !== null) validateConditions(conditions, `link ${from} → ${to}`);
    for (const k of opts.oneWay ? [`${from}>${to}`] : [`${from}>${to}`, `${to}>${from}`]) {
      if (conditions === null) this.links.delete(k);
      else this.links.set(k, { ...conditions });
    }
  }

  /** Override conditions for every datagram sent to `to`; `null` removes the override. */
  setDestination(to: string, conditions: LinkConditions | null): void {
    const k = this.key(to, 'destination');
    if (conditions === null) {
      this.destinations.delete(k);
      return;
    }
    validateConditions(conditions, `destination ${k}`);
    this.destinations.set(k, { ...conditions });
  }

  /** Cut a ↔ b: every datagram sent either way is dropped until heal(). */
  partition(a: string, b: string): void {
    const x = this.key(a, 'partition endpoint');
    const y = this.key(b, 'partition endpoint');
    this.cuts.add(`${x}>${y}`);
    this.cuts.add(`${y}>${x}`);
  }

  /** Undo partition(a, b) (both directions). */
  heal(a: string, b: string): void {
    const x = this.key(a, 'partition endpoint');
    const y = this.key(b, 'partition endpoint');
    this.cuts.delete(`${x}>${y}`);
    this.cuts.delete(`${y}>${x}`);
  }

  isPartitioned(a: string, b: string): boolean {
    return this.cuts.has(`${this.key(a, 'address')}>${this.key(b, 'address')}`);
  }

  /** Add a tap (taps run in the order added); returns a function that removes it. */
  tap(fn: Tap): () => void {
    if (typeof fn !== 'function') throw new InvalidArgumentError('tap must be a function');
    this.taps = [...this.taps, fn];
    return () => {
      this.taps = this.taps.filter((t) => t !== fn);
    };
  }

  stats(): MemoryHubStats {
    return { ...this.st, inFlight: this.heap.length };
  }

  /** Resolves once nothing is in flight (including replies sent while delivering). */
  settle(): Promise<void> {
    if (this.heap.length === 0 && !this.immediatePending) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** Close every transport, drop what is in flight, stop the timers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = [...this.bound.values()];
    await Promise.all(open.map((t) => t.close()));
    this.st.droppedUnreachable += this.heap.length;
    this.st.dropped += this.heap.length;
    this.heap.length = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeSettlers();
  }

  // ---- used by MemoryTransport ----

  /** @internal */
  register(t: MemoryTransport, address: string): string {
    if (this.closed) throw new ClosedError('memory hub');
    const p = parseAddress(address, 'bind address');
    const host = p.host;
    const port = p.port === 0 ? this.allocatePort(host) : p.port;
    const addr = formatAddress(host, port);
    if (this.bound.has(addr)) throw new TransportError(`cannot bind ${addr}: address already in use on this hub`);
    this.bound.set(addr, t);
    return addr;
  }

  /** @internal */
  unregister(t: MemoryTransport, addr: string): void {
    if (this.bound.get(addr) === t) this.bound.delete(addr);
  }

  /** @internal */
  route(sender: MemoryTransport, from: string, batch: readonly Datagram[]): void {
    const tst = sender.counters;
    for (let i = 0; i < batch.length; i++) {
      const dg = batch[i]!;
      const to = this.normalize(dg.address);
      if (to instanceof InvalidArgumentError) {
        tst.sendErrors++;
        tst.lastError = to.message;
        continue;
      }
      this.st.sent++;
      tst.datagramsOut++;
      tst.bytesOut += dg.data.length;
      let payloads: readonly Uint8Array[] = [dg.data];
      for (const tap of this.taps) payloads = this.applyTap(tap, payloads, from, to, sender);
      if (payloads.length === 0) continue;
      if (this.cuts.has(`${from}>${to}`)) {
        this.drop(sender, 'droppedByPartition', payloads.length);
        continue;
      }
      const c = this.conditions(from, to);
      for (const data of payloads) this.impair(sender, from, to, data, c);
    }
    this.arm();
  }

  // ---- internals ----

  private applyTap(tap: Tap, payloads: readonly Uint8Array[], from: string, to: string, sender: MemoryTransport): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const data of payloads) {
      const v = tap({ data, address: to }, from, to);
      if (v === undefined || v === 'pass') out.push(data);
      else if (v === 'drop') this.drop(sender, 'droppedByTap', 1);
      else if (v === 'duplicate') {
        out.push(data, data);
        this.st.duplicated++;
      } else if (v instanceof Uint8Array) {
        out.push(v);
        this.st.tampered++;
      } else if (Array.isArray(v)) {
        for (const x of v as readonly unknown[]) {
          if (!(x instanceof Uint8Array)) throw new InvalidArgumentError('a tap returned an array holding a non-Uint8Array');
          out.push(x);
        }
        this.st.tampered++;
        if (v.length > 1) this.st.duplicated += v.length - 1;
        if (v.length === 0) this.drop(sender, 'droppedByTap', 1);
      } else {
        throw new InvalidArgumentError(`a tap returned ${String(v)}; expected 'pass', 'drop', 'duplicate' or bytes`);
      }
    }
    return out;
  }

  private impair(sender: MemoryTransport, from: string, to: string, data: Uint8Array, c: Resolved): void {
    const rng = this.rng;
    if (data.length > c.mtu) {
      this.drop(sender, 'droppedByMtu', 1);
      return;
    }
    if (c.loss > 0 && rng.next() < c.loss) {
      this.drop(sender, 'droppedByLoss', 1);
      return;
    }
    let copies = 1;
    if (c.duplicate > 0 && rng.next() < c.duplicate) {
      copies = 2;
      this.st.duplicated++;
    }
    const seq = this.seq++;
    for (let k = 0; k < copies; k++) {
      let delay = c.delayMax > c.delayMin ? rng.int(c.delayMin, c.delayMax) : c.delayMin;
      if (c.reorder > 0 && rng.next() < c.reorder) delay += rng.int(1, Math.max(1, c.delayMax));
      // Each receiver gets its own bytes, as a socket would: the sender may reuse its buffer.
      heapPush(this.heap, { due: this.clock + delay, order: this.order++, seq, sender, from, to, data: data.slice() });
    }
  }

  private drop(sender: MemoryTransport, why: keyof MemoryHubStats, n: number): void {
    this.st[why] += n;
    this.st.dropped += n;
    sender.counters.dropped += n;
  }

  private conditions(from: string, to: string): Resolved {
    const link = this.links.get(`${from}>${to}`);
    const dest = this.destinations.get(to);
    if (link === undefined && dest === undefined) return this.base;
    let r = this.base;
    if (dest !== undefined) r = resolve(r, dest);
    if (link !== undefined) r = resolve(r, link);
    return r;
  }

  private arm(): void {
    if (this.closed) return;
    const top = this.heap[0];
    if (top === undefined) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = -1;
      if (!this.immediatePending) this.wakeSettlers();
      return;
    }
    if (top.due <= this.clock) {
      if (!this.immediatePending) {
        this.immediatePending = true;
        scheduleAfterIo(this.onImmediate);
      }
      return;
    }
    if (this.timerDue !== top.due) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timerDue = top.due;
      this.timer = setTimeout(this.onTimer, top.due - this.clock);
    }
  }

  private readonly onImmediate = (): void => {
    this.immediatePending = false;
    this.flush();
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = -1;
    // Advance the clock only when nothing is due at the current time: a real timer can fire before
    // the pending immediate flush, and jumping ahead then would give replies to the current-time
    // datagrams later due times than they get when the immediate flush runs first.
    const top = this.heap[0];
    if (top !== undefined && top.due > this.clock) this.clock = top.due;
    this.flush();
  };

  private flush(): void {
    if (this.closed) return;
    // Take everything due first: datagrams sent by handlers during delivery wait for the next flush.
    const due: InFlight[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= this.clock) due.push(heapPop(this.heap));
    const groups = new Map<string, Datagram[]>();
    for (const item of due) {
      const target = this.bound.get(item.to);
      if (target === undefined) {
        this.drop(item.sender, 'droppedUnreachable', 1);
        continue;
      }
      const link = `${item.from}>${item.to}`;
      const last = this.lastSeqOnLink.get(link);
      if (last !== undefined && item.seq < last) this.st.reordered++;
      else this.lastSeqOnLink.set(link, item.seq);
      this.st.delivered++;
      let g = groups.get(item.to);
      if (g === undefined) groups.set(item.to, (g = []));
      g.push({ data: item.data, address: item.from });
    }
    let failure: { error: unknown } | undefined;
    for (const [to, batch] of groups) {
      try {
        this.bound.get(to)?.deliver(batch);
      } catch (error) {
        failure ??= { error };
      }
    }
    this.arm();
    // A throwing handler is a bug in the test or the code under test: surface it, after the hub
    // has finished this flush and re-armed, so other receivers are unaffected.
    if (failure) throw failure.error;
  }

  private wakeSettlers(): void {
    const w = this.settleWaiters.splice(0);
    for (const resolve of w) resolve();
  }

  private allocatePort(host: string): number {
    let port = this.nextPort.get(host) ?? EPHEMERAL_FIRST;
    for (let tries = 0; tries <= 65535 - EPHEMERAL_FIRST; tries++) {
      if (port > 65535) port = EPHEMERAL_FIRST;
      const candidate = port++;
      if (!this.bound.has(formatAddress(host, candidate))) {
        this.nextPort.set(host, port);
        return candidate;
      }
    }
    throw new TransportError(`no free port left on host ${host} of this hub`);
  }

  private key(address: string, what: string): string {
    const p = parseAddress(address, what);
    return formatAddress(p.host, p.port);
  }

  private normalize(address: string): string | InvalidArgumentError {
    let hit = this.normalized.get(address);
    if (hit !== undefined) return hit;
    try {
      const p = parseAddress(address, 'destination address');
      hit = p.port === 0 ? new InvalidArgumentError(`destination port 0 is not valid (${address})`) : formatAddress(p.host, p.port);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      hit = err;
    }
    if (this.normalized.size >= 4096) this.normalized.clear();
    this.normalized.set(address, hit);
    return hit;
  }
}

/** A transport on a MemoryHub; create it with `hub.transport()`. */
export class MemoryTransport implements Transport {
  /** @internal live counters, updated by the hub */
  readonly counters: TransportStats = emptyStats();
  private bound = '';
  private handler: ((batch: Datagram[]) => void) | undefined;
  private closing: Promise<void> | undefined;

  /** @internal use hub.transport() */
  constructor(readonly hub: MemoryHub) {}

  get address(): string {
    return this.bound;
  }

  async bind(address: string): Promise<string> {
    if (this.closing) throw new ClosedError('transport');
    if (this.bound) throw new TransportError(`transport is already bound (${this.bound})`);
    this.bound = this.hub.register(this, address);
    return this.bound;
  }

  send(batch: readonly Datagram[]): void {
    if (this.closing) {
      this.counters.sendErrors += batch.length;
      return;
    }
    if (!this.bound) throw new TransportError('send() before bind()');
    this.hub.route(this, this.bound, batch);
  }

  onReceive(handler: (batch: Datagram[]) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.bound) this.hub.unregister(this, this.bound);
    })();
    return this.closing;
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  /** @internal called by the hub with one flush's datagrams for this address */
  deliver(batch: Datagram[]): void {
    const st = this.counters;
    st.datagramsIn += batch.length;
    for (const d of batch) st.bytesIn += d.data.length;
    if (this.closing) {
      st.dropped += batch.length;
      return;
    }
    if (this.handler === undefined) {
      st.dropped += batch.length;
      return;
    }
    this.handler(batch);
  }
}

function resolve(base: Resolved, c: LinkConditions): Resolved {
  const r = { ...base };
  if (c.loss !== undefined) r.loss = c.loss;
  if (c.duplicate !== undefined) r.duplicate = c.duplicate;
  if (c.reorder !== undefined) r.reorder = c.reorder;
  if (c.mtu !== undefined) r.mtu = c.mtu;
  if (c.delayMs !== undefined) {
    const [min, max] = typeof c.delayMs === 'number' ? [c.delayMs, c.delayMs] : c.delayMs;
    r.delayMin = min;
    r.delayMax = max;
  }
  return r;
}

function validateConditions(c: LinkConditions, where: string): void {
  for (const k of ['loss', 'duplicate', 'reorder'] as const) {
    const v = c[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
      throw new InvalidArgumentError(`${where}: ${k} must be a probability in [0, 1], got ${String(v)}`);
    }
  }
  if (c.mtu !== undefined && !(Number.isInteger(c.mtu) && c.mtu > 0)) {
    throw new InvalidArgumentError(`${where}: mtu must be a positive integer, got ${String(c.mtu)}`);
  }
  const d = c.delayMs;
  if (d !== undefined) {
    const pair = typeof d === 'number' ? [d, d] : Array.isArray(d) && d.length === 2 ? d : undefined;
    if (
      pair === undefined ||
      !pair.every((x) => Number.isInteger(x) && x >= 0 && x <= 3_600_000) ||
      pair[0]! > pair[1]!
    ) {
      throw new InvalidArgumentError(`${where}: delayMs must be an integer ms or an integer [min, max] range with min ≤ max, got ${JSON.stringify(d)}`);
    }
  }
}

// A binary min-heap on (due, order): a stable priority queue for in-flight datagrams.
function before(a: InFlight, b: InFlight): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}

function heapPush(h: InFlight[], item: InFlight): void {
  h.push(item);
  let i = h.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(h[i]!, h[parent]!)) break;
    [h[i], h[parent]] = [h[parent]!, h[i]!];
    i = parent;
  }
}

function heapPop(h: InFlight[]): InFlight {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
  return top;
}
