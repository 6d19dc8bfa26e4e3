// MeshHost: the internal seam between a node's substrate and the layers built on it (channels,
// nRPC, dataforts, MeshOS). The layers program against this interface only, never against the
// engine's internals, so the engine can move (inline, worker) underneath them. Not public:
// nothing here is re-exported from ts/index.ts.
import type { Identity } from '../identity/identity.js';
import type { PeerEvent, PeerInfo } from './peer.js';
import type { Stream } from '../streams/stream.js';
import type { StreamConfig } from '../streams/config.js';
import type { CapabilityFold } from '../fold/capability-fold.js';
import type { CapabilitySet, ToolCapability } from '../fold/capabilities.js';
import type { WarningSink } from '../util/diagnostics.js';

/** Header fields a stream's data packets carry (channel publishes, wire.md §2, §6). */
export interface StreamHeader {
  /** Low 16 bits of the channel hash (the wire hint). */
  channelHash: number;
  /** The sender's origin hash. */
  originHash: bigint;
}

/** One authenticated event-plane packet the stream layer accepted (duplicates already dropped). */
export interface InboundPacket {
  from: bigint;
  streamId: bigint;
  seq: bigint;
  channelHash: number;
  originHash: bigint;
  /** The packet's events (frames), in order. They own their bytes. */
  events: Uint8Array[];
}

/** Receives the packets of the streams it claimed, and resets of those streams. */
export interface StreamSink {
  /**
   * Every accepted packet, zero-event ones (ack probes, streams.md §14 (c)) included, so a sink
   * that reorders by seq sees every seq once.
   */
  packet(p: InboundPacket): void;
  /** The peer reset this stream, or this node's retransmission gave up on it. */
  reset?(from: bigint, streamId: bigint): void;
}

/** Receives the frames of one packet on a claimed subprotocol, with its header's stream id and seq. */
export type SubprotocolHandler = (from: bigint, frames: Uint8Array[], packet: { streamId: bigint; seq: bigint }) => void;

/** A packet sent as is (e.g. the blob-transfer request of wire.md §8: RELIABLE on subprotocol 0x1100). */
export interface PacketTemplate {
  flags: number;
  subprotocol: number;
  streamId: bigint;
  sequence: bigint;
  channelHash?: number;
  originHash?: bigint;
}

/** What a layer adds to every announcement of its node (fold.md §2.2 "tags the node adds"). */
export interface SubstrateCapabilities {
  /** `nrpc:<service>` per served nRPC service. */
  rpcServices?: string[];
  /** `ai-tool:<id>` plus the tool's `software.tool.*` tags and `tool::<id>::*` metadata, per served tool. */
  tools?: ToolCapability[];
  /** Tags as they are (substrate axis tags such as `dataforts.blob.serve`, dataforts.md §7.2). */
  tags?: string[];
}

/**
 * One layer's slot in its node's announcements. The node merges every slot into each announce,
 * the application's own `announceCapabilities` included, so neither overwrites the other.
 */
export interface CapabilityContribution {
  /**
   * Replaces this slot's content. A node that has announced re-announces with it (peers get it
   * under the broadcast rate limit, fold.md §4.1, §10.4). One that has not announces at once when
   * the slots hold a served nRPC service or tool; plain tags wait for its first announce. Throws
   * (leaving the slot unchanged) when the merged announcement is invalid.
   */
  set(extra: SubstrateCapabilities): void;
  /** Empties and removes the slot, re-announcing without it. Idempotent. */
  release(): void;
}

export interface MeshHost {
  readonly nodeId: bigint;
  readonly identity: Identity;
  /** True once close() started; layers stop their timers and end their iterables. */
  readonly closed: boolean;
  /** Milliseconds on the node's monotonic clock. */
  now(): number;
  peers(): PeerInfo[];
  /** Every peer transition (up, suspected, failed, recovered); returns an unsubscribe function. */
  onPeerEvent(cb: (e: PeerEvent) => void): () => void;
  /** Called once when the node closes; returns an unsubscribe function. */
  onClose(cb: () => void): () => void;
  /**
   * Sends one frame on a subprotocol pseudo-stream (wire.md §6). Substrate-owned ids are allowed
   * here (this is the layers' door, not the public API's). Throws NotConnectedError without a session.
   */
  sendSubprotocol(peer: bigint, subprotocol: number, payload: Uint8Array): void;
  /**
   * Claims a subprotocol id: every frame received on it goes to `handler` (one call per packet),
   * never to events(). `packet` carries the header's stream id and sequence (the blob-transfer
   * request names its transfer stream there, wire.md §8). Returns a function that releases the claim.
   */
  onSubprotocol(subprotocol: number, handler: SubprotocolHandler): () => void;
  /** One packet with an explicit template, straight to the peer (never retransmitted). */
  sendPacket(peer: bigint, template: PacketTemplate, frames: Uint8Array[]): void;
  /**
   * Opens (or finds) a stream whose data packets carry `header` (channel publishes). The first
   * opener of a record fixes its config and header (streams.md §2).
   */
  openStream(peer: bigint, streamId: bigint, config?: StreamConfig, header?: StreamHeader): Stream;
  /**
   * Claims inbound event-plane streams: packets whose stream id satisfies `match` go to `sink`
   * (first matching claim wins) instead of events(). Events own their bytes, unless `views` is
   * set: then they are views into the received batch, to be copied before the sink returns if
   * kept (saves a copy for a sink that copies anyway). Returns a function that releases the claim.
   */
  claimStreams(match: (streamId: bigint) => boolean, sink: StreamSink, opts?: { views?: boolean }): () => void;
  /** The node's capability fold (its own announcement included) and the pinned peer entities. */
  readonly fold: CapabilityFold;
  peerEntity(nodeId: bigint): Uint8Array | undefined;
  announceCapabilities(caps: CapabilitySet): Promise<void>;
  /** A new slot for substrate tags and metadata merged into every announcement (see CapabilityContribution). */
  contributeCapabilities(): CapabilityContribution;
  /** The node's warning sink (its onWarning option), for diagnostics.warn(). */
  readonly warnings: WarningSink | undefined;
}

/** Where a MeshNode keeps its host (a symbol, so it is not part of the public surface). */
export const HOST = Symbol('net-mesh.host');

/** The host of a node (internal: layers call this with the MeshNode they extend). */
export function hostOf(node: { [HOST]: MeshHost }): MeshHost {
  return node[HOST];
}
