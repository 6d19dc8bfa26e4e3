// The receive side of nRPC's transport binding (rpc-tools.md §1): one channel handler per nRPC
// channel this node uses (`<svc>.requests` it serves, `<svc>.replies.<own origin>` it calls),
// registered through the channel layer, which dispatches on the exact stream id (the canonical
// hash, so 16-bit hint collisions never mix services). Stream-layer duplicates are dropped before
// this point; each (peer, channel) stream then passes a SeqGate so frames reach the runtime in
// the order they were sent. Frames this node sends to itself arrive here too, in order.
import type { ChannelLayer } from '../channels/layer.js';
import type { ChannelPacket } from '../channels/receiver.js';
import { EVENT_META_SIZE } from './constants.js';
import { decodeEventMeta, type EventMeta } from './event-meta.js';
import type { ChannelRef } from './links.js';
import { SeqGate, type SeqGateOptions } from './seq-gate.js';

/** One frame (one event) received on a channel, split into its EventMeta and payload. */
export type FrameSink = (from: bigint, meta: EventMeta, payload: Uint8Array) => void;

interface Port {
  ref: ChannelRef;
  sink: FrameSink;
  gates: Map<bigint, SeqGate<ChannelPacket>>;
  release: () => void;
}

const GATE_TICK_MS = 250;

export class InboundPorts {
  readonly #ports = new Map<bigint, Port>();
  readonly #loop: [ChannelRef, Uint8Array][] = [];
  #loopScheduled = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly channels: ChannelLayer,
    private readonly selfId: bigint,
    private readonly now: () => number,
    private readonly gateOptions: SeqGateOptions,
    /** The peer reset this channel's stream (or our retransmission to it gave up): frames may be lost. */
    private readonly onReset: (from: bigint, ref: ChannelRef) => void,
    /** An event shorter than an EventMeta (skipped, rpc-tools.md §2). */
    private readonly onMalformed: () => void,
  ) {}

  /** Starts receiving `ref`; returns the release. One sink per channel. */
  open(ref: ChannelRef, sink: FrameSink): () => void {
    const port: Port = { ref, sink, gates: new Map(), release: () => {} };
    port.release = this.channels.onChannel(ref.name, {
      packet: (p) => this.#packet(port, p),
      reset: (from) => {
        port.gates.get(from)?.reset();
        this.onReset(from, ref);
      },
    });
    this.#ports.set(ref.streamId, port);
    return () => {
      if (this.#ports.get(ref.streamId) !== port) return;
      this.#ports.delete(ref.streamId);
      port.release();
    };
  }

  has(ref: ChannelRef): boolean {
    return this.#ports.has(ref.streamId);
  }

  /** A frame this node sent to itself: delivered from a microtask, after those sent before it. */
  loopback(ref: ChannelRef, frame: Uint8Array): void {
    this.#loop.push([ref, frame]);
    if (this.#loopScheduled) return;
    this.#loopScheduled = true;
    queueMicrotask(() => {
      this.#loopScheduled = false;
      const items = this.#loop.splice(0);
      for (const [r, f] of items) {
        const port = this.#ports.get(r.streamId);
        if (port) this.#frame(port, this.selfId, f);
      }
    });
  }

  /** Forgets the gates of a failed peer (its next session starts its streams at seq 0). */
  dropPeer(peer: bigint): void {
    for (const port of this.#ports.values()) port.gates.delete(peer);
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const port of this.#ports.values()) port.release();
    this.#ports.clear();
  }

  #packet(port: Port, p: ChannelPacket): void {
    let gate = port.gates.get(p.from);
    if (!gate) {
      gate = new SeqGate<ChannelPacket>((q) => this.#deliver(port, q), this.gateOptions);
      port.gates.set(p.from, gate);
    }
    gate.push(p.seq, p, this.now());
    if (gate.held > 0 || gate.limbo > 0) this.#armTimer();
  }

  #deliver(port: Port, p: ChannelPacket): void {
    for (const frame of p.events) this.#frame(port, p.from, frame);
  }

  #frame(port: Port, from: bigint, frame: Uint8Array): void {
    if (frame.length < EVENT_META_SIZE) {
      this.onMalformed();
      return;
    }
    port.sink(from, decodeEventMeta(frame), frame.subarray(EVENT_META_SIZE));
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      const now = this.now();
      let holding = false;
      for (const port of this.#ports.values()) for (const g of port.gates.values()) if (g.tick(now)) holding = true;
      if (!holding) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, GATE_TICK_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
