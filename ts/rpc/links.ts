// The send side of nRPC's transport binding (rpc-tools.md §1): frames to one (peer, channel) ride
// one reliable channel-publisher stream (stream id `(1<<48) | hash`, header hint and origin), the
// retransmit path of streams.md §6–§9. Frames queued in the same turn leave as one batch (several
// frames per packet when they fit), in order; a later batch waits for the earlier one.
//
// The streams are opened through MeshHost with nRPC's own settings (reliable, retries that
// outlast a lossy path) rather than through the channel layer's sendTo, whose streams take the
// channel layer's publish settings; the packets are the same channel publishes either way.
import { NotConnectedError, ClosedError } from '../errors.js';
import type { MeshHost } from '../node/host.js';
import type { Stream } from '../streams/stream.js';
import type { StreamConfig } from '../streams/config.js';
import { channelHash, channelStreamId } from '../channels/name.js';

/** A channel name with its stream id and 16-bit header hint, computed once. */
export interface ChannelRef {
  readonly name: string;
  readonly streamId: bigint;
  readonly hint: number;
}

export function channelRef(name: string): ChannelRef {
  const h = channelHash(name);
  return { name, streamId: channelStreamId(h), hint: Number(h & 0xffffn) };
}

/**
 * Where a link's first frame of a turn waits for the rest: the end of the event-loop turn
 * (setImmediate), so frames produced while one batch of datagrams is processed (the replies of
 * concurrent calls, the items of a stream) share packets. A microtask where there is no setImmediate.
 */
const defer: (f: () => void) => void = typeof globalThis.setImmediate === 'function' ? (f) => void globalThis.setImmediate(f) : queueMicrotask;

interface Link {
  stream: Stream | undefined;
  queue: Uint8Array[];
  bytes: number;
  running: boolean;
  waiters: (() => void)[];
}

export interface LinkHooks {
  /** Frames this node sends to itself, delivered in a later microtask, in order. */
  loopback(channel: ChannelRef, frame: Uint8Array): void;
  /** A stream to `peer` failed (retransmission gave up, or it could not be reopened); its queued frames are dropped. */
  failed(peer: bigint, channel: ChannelRef, err: unknown): void;
}

export class FrameLinks {
  readonly #links = new Map<bigint, Map<bigint, Link>>();
  readonly #config: StreamConfig;

  constructor(
    private readonly host: MeshHost,
    config: Omit<StreamConfig, 'reliability'>,
    private readonly hooks: LinkHooks,
  ) {
    this.#config = { ...config, reliability: 'reliable' };
  }

  /**
   * Queues `frame` for `peer` on `channel`. Throws NotConnectedError at once when there is no
   * session to `peer` (nothing queued); later failures go to `hooks.failed`.
   */
  send(peer: bigint, channel: ChannelRef, frame: Uint8Array): void {
    if (peer === this.host.nodeId) {
      this.hooks.loopback(channel, frame);
      return;
    }
    let byPeer = this.#links.get(peer);
    if (!byPeer) this.#links.set(peer, (byPeer = new Map()));
    let link = byPeer.get(channel.streamId);
    if (!link) byPeer.set(channel.streamId, (link = { stream: undefined, queue: [], bytes: 0, running: false, waiters: [] }));
    if (!link.stream || link.stream.failed) link.stream = this.#open(peer, channel);
    link.queue.push(frame);
    link.bytes += frame.length;
    if (!link.running) {
      link.running = true;
      defer(() => void this.#pump(peer, channel, link));
    }
  }

  /** Bytes queued (or being handed off) to `peer` on `channel`. */
  backlog(peer: bigint, channel: ChannelRef): number {
    return this.#links.get(peer)?.get(channel.streamId)?.bytes ?? 0;
  }

  /** Resolves once the backlog to `peer` on `channel` is at most `bytes` (or the link failed). */
  whenBelow(peer: bigint, channel: ChannelRef, bytes: number): Promise<void> {
    const link = this.#links.get(peer)?.get(channel.streamId);
    if (!link || link.bytes <= bytes) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (link.bytes <= bytes) resolve();
        else link.waiters.push(check);
      };
      link.waiters.push(check);
    });
  }

  /** Forgets the streams to a failed peer (queued frames are dropped). */
  dropPeer(peer: bigint): void {
    const byPeer = this.#links.get(peer);
    if (!byPeer) return;
    this.#links.delete(peer);
    for (const link of byPeer.values()) this.#clear(link);
  }

  #open(peer: bigint, channel: ChannelRef): Stream {
    return this.host.openStream(peer, channel.streamId, this.#config, { channelHash: channel.hint, originHash: this.host.identity.originHash });
  }

  async #pump(peer: bigint, channel: ChannelRef, link: Link): Promise<void> {
    try {
      while (link.queue.length > 0) {
        const batch = link.queue;
        link.queue = [];
        await this.#write(peer, channel, link, batch);
        let n = 0;
        for (const f of batch) n += f.length;
        link.bytes = Math.max(0, link.bytes - n);
        this.#wake(link);
      }
    } catch (e) {
      this.#clear(link);
      if (!(e instanceof ClosedError) && !this.host.closed) this.hooks.failed(peer, channel, e);
    } finally {
      link.running = false;
    }
  }

  async #write(peer: bigint, channel: ChannelRef, link: Link, batch: Uint8Array[]): Promise<void> {
    const s = link.stream && !link.stream.failed ? link.stream : (link.stream = this.#open(peer, channel));
    try {
      await s.send(batch);
    } catch (e) {
      // The record closed under us (give-up, a reset, a replaced session): what it carried may be
      // lost, so report it; this batch goes out on a fresh lifetime.
      if (!(e instanceof NotConnectedError) || (e.code !== 'STREAM_CLOSED' && e.code !== 'STREAM_EPOCH')) throw e;
      this.hooks.failed(peer, channel, e);
      link.stream = this.#open(peer, channel);
      await link.stream.send(batch);
    }
  }

  #clear(link: Link): void {
    link.queue = [];
    link.bytes = 0;
    link.stream = undefined;
    this.#wake(link);
  }

  #wake(link: Link): void {
    if (link.waiters.length === 0) return;
    const ws = link.waiters;
    link.waiters = [];
    for (const w of ws) w();
  }
}
