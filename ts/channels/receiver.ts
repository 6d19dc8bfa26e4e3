// The receive side of channel publishes: claims the publisher stream ids of the channels this
// node subscribed to (or that another layer registered a handler for) and hands their packets to
// that handler, or to channelEvents() iterators. Stream-layer duplicates never get here: the
// host's claimed-stream sink delivers each accepted reliable seq once (streams.md §14 (a)).
import { AsyncQueue } from '../util/async-queue.js';
import type { InboundPacket, MeshHost } from '../node/host.js';
import { InvalidArgumentError } from '../errors.js';
import { channelHash, channelStreamId } from './name.js';
import type { ChannelCounters } from './stats.js';

/** One received publish event (sdk.md `channelEvents`). */
export interface ChannelEvent {
  channel: string;
  from: bigint;
  /** The packet's stream sequence number (events of one packet share it). */
  seq: bigint;
  /** The publisher's origin hash from the packet header. */
  originHash: bigint;
  payload: Uint8Array;
}

/** A whole received packet on one channel, for layers built on channels (nRPC). */
export interface ChannelPacket {
  channel: string;
  from: bigint;
  seq: bigint;
  originHash: bigint;
  /** The 16-bit hint as the header carried it. */
  channelHash: number;
  streamId: bigint;
  events: Uint8Array[];
}

export interface ChannelHandler {
  packet(p: ChannelPacket): void;
  /** The peer reset this channel's stream, or this node's retransmission to it gave up. */
  reset?(from: bigint): void;
}

interface Interest {
  name: string;
  /** Pending or accepted subscriptions of this node to the channel (any publisher). */
  subscriptions: number;
  handler: ChannelHandler | undefined;
}

interface Listener {
  queue: AsyncQueue<ChannelEvent>;
  name: string | undefined;
}

/** Ids kept claimed after their last subscription ends, so stragglers are dropped, not leaked to events(). */
const MAX_RETIRED = 4096;

export class ChannelReceiver {
  readonly #interest = new Map<bigint, Interest>();
  readonly #retired = new Set<bigint>();
  readonly #listeners = new Set<Listener>();
  #buffer: ChannelEvent[] = [];
  #closed = false;
  readonly #release: () => void;

  constructor(
    host: MeshHost,
    private readonly counters: ChannelCounters,
    private readonly maxBuffered: number,
  ) {
    this.#release = host.claimStreams((id) => this.#interest.has(id) || this.#retired.has(id), {
      packet: (p) => this.#packet(p),
      reset: (from, id) => this.#interest.get(id)?.handler?.reset?.(from),
    });
  }

  #entry(name: string): Interest {
    const id = channelStreamId(channelHash(name));
    let e = this.#interest.get(id);
    if (!e) {
      this.#interest.set(id, (e = { name, subscriptions: 0, handler: undefined }));
      this.#retired.delete(id);
    }
    return e;
  }

  #maybeRetire(name: string): void {
    const id = channelStreamId(channelHash(name));
    const e = this.#interest.get(id);
    if (!e || e.subscriptions > 0 || e.handler) return;
    this.#interest.delete(id);
    if (this.#retired.size >= MAX_RETIRED) this.#retired.delete(this.#retired.values().next().value!);
    this.#retired.add(id);
  }

  /** A subscription to `name` starts (before the Subscribe goes out: publishes may overtake the Ack). */
  addSubscription(name: string): void {
    this.#entry(name).subscriptions++;
  }

  removeSubscription(name: string): void {
    const e = this.#interest.get(channelStreamId(channelHash(name)));
    if (!e || e.subscriptions === 0) return;
    e.subscriptions--;
    this.#maybeRetire(name);
  }

  /** Routes every packet of channel `name` to `handler` (one handler per channel); returns its release. */
  setHandler(name: string, handler: ChannelHandler): () => void {
    const e = this.#entry(name);
    if (e.name !== name) throw new InvalidArgumentError(`channel ${name} collides with ${e.name} (same XXH3-64 hash)`);
    if (e.handler) throw new InvalidArgumentError(`channel ${name} already has a handler`);
    e.handler = handler;
    return () => {
      if (e.handler !== handler) return;
      e.handler = undefined;
      this.#maybeRetire(name);
    };
  }

  events(name: string | undefined, signal: AbortSignal | undefined): AsyncIterable<ChannelEvent> {
    const l: Listener = { queue: new AsyncQueue<ChannelEvent>({ signal, onEnd: () => this.#listeners.delete(l) }), name };
    if (this.#closed) {
      l.queue.end();
      return l.queue;
    }
    if (this.#buffer.length) {
      const keep: ChannelEvent[] = [];
      for (const e of this.#buffer) (name === undefined || e.channel === name ? l.queue.push(e) : keep.push(e));
      this.#buffer = keep;
    }
    if (!l.queue.ended) this.#listeners.add(l);
    return l.queue;
  }

  #packet(p: InboundPacket): void {
    const c = this.counters.receive;
    c.packets++;
    const e = this.#interest.get(p.streamId);
    if (!e) {
      c.notSubscribed += p.events.length;
      return;
    }
    if (e.handler) {
      e.handler.packet({ channel: e.name, from: p.from, seq: p.seq, originHash: p.originHash, channelHash: p.channelHash, streamId: p.streamId, events: p.events });
      return;
    }
    if (e.subscriptions === 0) {
      c.notSubscribed += p.events.length;
      return;
    }
    c.events += p.events.length;
    for (const payload of p.events) {
      const ev: ChannelEvent = { channel: e.name, from: p.from, seq: p.seq, originHash: p.originHash, payload };
      let taken = false;
      for (const l of this.#listeners) {
        if (l.name === undefined || l.name === e.name) {
          l.queue.push(ev);
          taken = true;
        }
      }
      if (taken) continue;
      if (this.#buffer.length < this.maxBuffered) this.#buffer.push(ev);
      else c.bufferOverflow++;
    }
  }

  /** Ends every iterator and stops claiming. */
  close(): void {
    this.#closed = true;
    for (const l of this.#listeners) l.queue.end();
    this.#listeners.clear();
    this.#buffer = [];
    this.#release();
  }
}
