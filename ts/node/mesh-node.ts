// MeshNode: sessions, peers, heartbeats and the event plane over one transport, with all packet
// crypto in a core worker (sdk.md "MeshNode", wire.md §11–§15).
import { Identity } from '../identity/identity.js';
import { ClosedError, HandshakeError, InvalidArgumentError, NotConnectedError } from '../errors.js';
import { parsePsk } from '../session/psk.js';
import { generateNoiseKeypair, noiseKeypairFromSecret, type NoiseKeypair } from '../session/noise.js';
import type { KeyDerivationMode } from '../session/handshake.js';
import type { Datagram, Transport } from '../transports/transport.js';
import { defaultTransport } from '../transports/default.js';
import { parseAddress } from '../transports/address.js';
import { startCoreWorker, type CoreWorker } from '../core/worker-host.js';
import { Status, type SealTemplate } from '../core/batch-format.js';
import { HEADER_SIZE } from '../core/header.js';
import { AsyncQueue } from '../util/async-queue.js';
import { DataPipe, type OpenedBatch } from './data-pipe.js';
import { Handshaker, type HandshakeOutcome } from './handshaker.js';
import { FLAG_HANDSHAKE, FLAG_HEARTBEAT, checkHeader } from './handshake-datagram.js';
import { Peer, type PeerEvent, type PeerInfo } from './peer.js';
import { StreamEngine, type ReceivedEvent } from '../streams/stream-engine.js';
import type { Stream } from '../streams/stream.js';
import type { StreamConfig } from '../streams/config.js';
import { SUBPROTOCOL_STREAM_NACK, SUBPROTOCOL_STREAM_RESET, SUBPROTOCOL_STREAM_WINDOW } from '../streams/control-frames.js';
import type { Health } from './failure-detector.js';
import { CapabilityService, type AnnounceOptions, type AnnouncementStats } from './capability-service.js';
import type { CapabilitySet } from '../fold/capabilities.js';
import type { CapabilityQuery } from '../fold/query.js';
import type { CapabilityFold } from '../fold/capability-fold.js';
import { ANNOUNCEMENT_SUBPROTOCOL } from '../fold/announcement.js';
import { HOST, type InboundPacket, type MeshHost, type PacketTemplate, type StreamHeader, type StreamSink, type SubprotocolHandler } from './host.js';
import { warn, type WarningSink } from '../util/diagnostics.js';
import { attachLayers, validateLayerOptions, type Layers } from './layers.js';
import type { MeshOs, MeshOsOptions } from '../meshos/meshos.js';
import type { DeckClient } from '../meshos/deck.js';
import type { ChannelOptions, SubscribeOptions } from '../channels/layer.js';
import type { ChannelConfig } from '../channels/config.js';
import type { PublishOptions, PublishReport } from '../channels/publisher.js';
import type { ChannelEvent } from '../channels/receiver.js';
import type { ChannelStats } from '../channels/stats.js';
import type { TokenChain } from '../channels/chain.js';
import type { TokenCache } from '../channels/token-cache.js';
import type { ToolFilter, ToolInfo } from '../tools/discovery.js';
import type { ToolWatch, WatchToolsOptions } from '../tools/watch.js';
import type { Blobs } from '../dataforts/blobs.js';
import type { ChunkStore } from '../dataforts/chunk-store.js';
import type { RpcOptions } from '../rpc/options.js';
import type { ServedService } from '../rpc/layer.js';
import type { CallOptions, CallServiceOptions, ClientStreamCall, ClientStreamHandler, DuplexCall, DuplexHandler, RpcHandler, ServeOptions, StreamCall, StreamCallOptions, UploadCallOptions } from '../rpc/types.js';
import type { RpcStats } from '../rpc/runtime.js';
import type { FoldImportReport } from '../rpc/fold-export-service.js';
import type { FoldExportRequest } from '../fold/capability-fold.js';
import type { CallToolOptions, ServedTool, StreamingToolHandler, ToolHandler } from '../tools/runtime.js';
import type { ToolDescriptor, ToolDescriptorInit } from '../tools/descriptor.js';
import type { ToolEvent } from '../tools/events.js';

export interface MeshNodeOptions {
  bind?: string;
  psk: Uint8Array | string;
  identity?: Identity;
  /**
   * The node's X25519 Noise static secret key (32 bytes); a fresh one is generated when absent.
   * Keep it with the identity so that peers holding `noisePublicKey` can reach the node again
   * after a restart (`net-mesh node` derives it from its identity file).
   */
  noiseSecretKey?: Uint8Array;
  transport?: Transport;
  heartbeatIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** Where the node keeps data: its blob store lives on disk under `<dataDir>/blobs` (in memory without it). */
  dataDir?: string;
  /** Serve the node's blob store to authenticated peers (dataforts.md §6); default true. */
  serveBlobs?: boolean;
  /** The chunk store node.blobs uses and serves, instead of the default (e.g. a `DiskChunkStore` on a given directory). */
  blobStore?: ChunkStore;
  /** "noise" (default: forward secrecy against other PSK holders) or "net-v0.27" (wire-compatible). */
  keyDerivation?: KeyDerivationMode;
  handshakeTimeoutMs?: number;
  handshakeAttempts?: number;
  /** Capability announcements: broadcast rate limit (10 s), auto re-announce at ttl/3 (on). */
  minAnnounceIntervalMs?: number;
  autoRefreshAnnouncements?: boolean;
  /** Receives the library's warnings (they also go to the `net-mesh:warning` diagnostics channel). */
  onWarning?: WarningSink;
  /** MeshOS loop and Deck: clock, tick interval (500 ms), Deck ceiling (100 ms), thresholds. */
  meshos?: MeshOsOptions;
  /** Channel layer settings: membership timeouts, throttling, token cache and sweep, fan-out (channels.md). */
  channels?: ChannelOptions;
  /** nRPC settings: default call timeout, stream and upload windows, stream retries, gap timeout (rpc-tools.md). */
  rpc?: RpcOptions;
}

export interface NodeStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  eventsIn: number;
  heartbeatsIn: number;
  heartbeatsOut: number;
  /** Datagrams dropped, by reason; `unsupported` counts keep-alives, pingwaves and routed packets. */
  dropped: { malformed: number; authFailure: number; replay: number; unknownSession: number; handshake: number; unsupported: number; other: number };
  peers: number;
  announcements: AnnouncementStats;
}

interface EventSubscription {
  queue: AsyncQueue<ReceivedEvent>;
  stream?: bigint;
  from?: bigint;
}

const MAX_UNCLAIMED_EVENTS = 1 << 20;

function positiveInt(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`${name} must be a positive number of milliseconds, got ${String(v)}`);
  return v;
}

export class MeshNode {
  readonly identity: Identity;
  readonly nodeId: bigint;
  readonly noisePublicKey: Uint8Array;
  readonly keyDerivation: KeyDerivationMode;
  private readonly heartbeatIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  private readonly peersById = new Map<bigint, Peer>();
  private readonly peersByLocal = new Map<number, Peer>();
  private nextLocalId = 1;
  private readonly handshaker: Handshaker;
  private readonly pipe: DataPipe;
  private readonly engine: StreamEngine;
  private readonly capabilities: CapabilityService;
  private readonly eventSubs = new Set<EventSubscription>();
  private unclaimed: ReceivedEvent[] = [];
  private readonly peerSubs = new Set<AsyncQueue<PeerEvent>>();
  private readonly heartbeatTimer: ReturnType<typeof setInterval>;
  private closing: Promise<void> | undefined;
  private readonly warnings: WarningSink | undefined;
  /** Layers built on the node (channels, rpc, blobs): claimed subprotocols and streams, hooks. */
  private readonly subprotocolHandlers = new Map<number, SubprotocolHandler>();
  private readonly streamClaims: { match: (streamId: bigint) => boolean; sink: StreamSink; views: boolean }[] = [];
  private readonly peerListeners = new Set<(e: PeerEvent) => void>();
  private readonly closeListeners = new Set<() => void>();
  readonly [HOST]: MeshHost;
  /** The layers built on this node (layers.ts); created last in the constructor. */
  private readonly layers: Layers;
  private readonly counters = {
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    eventsIn: 0,
    heartbeatsIn: 0,
    heartbeatsOut: 0,
    dropped: { malformed: 0, authFailure: 0, replay: 0, unknownSession: 0, handshake: 0, unsupported: 0, other: 0 },
  };

  private constructor(
    opts: MeshNodeOptions,
    private readonly transport: Transport,
    private readonly worker: CoreWorker,
    private readonly staticKeypair: NoiseKeypair,
    private readonly psk: Uint8Array,
  ) {
    this.identity = opts.identity ?? Identity.generate();
    this.nodeId = this.identity.nodeId;
    this.noisePublicKey = staticKeypair.publicKey;
    this.keyDerivation = opts.keyDerivation ?? 'noise';
    this.heartbeatIntervalMs = positiveInt('heartbeatIntervalMs', opts.heartbeatIntervalMs, 5000);
    this.sessionTimeoutMs = positiveInt('sessionTimeoutMs', opts.sessionTimeoutMs, 30_000);
    this.warnings = opts.onWarning;
    this[HOST] = this.makeHost();
    this.pipe = new DataPipe(worker, transport, (b) => this.onOpened(b), (e) => this.onPipeError(e));
    this.handshaker = new Handshaker({
      psk,
      mode: this.keyDerivation,
      staticKeypair,
      ownNodeId: this.nodeId,
      send: (d, address) => this.sendRaw(d, address),
      established: (o) => this.establish(o),
      now: () => performance.now(),
      handshakeTimeoutMs: opts.handshakeTimeoutMs,
      handshakeAttempts: opts.handshakeAttempts,
    });
    this.engine = new StreamEngine({
      sealTo: (peer, t, events, address) => this.sealTo(peer, t, events, address),
      deliver: (events) => this.deliver(events),
      peer: (id) => this.peersById.get(id),
      peers: () => this.peersById.values(),
      now: () => performance.now(),
      resetStream: (peer, streamId, err) => this.failReads(peer.nodeId, streamId, err),
      sendBacklog: () => this.sendBacklog(),
      warn: (code, message) => warn(this.warnings, code, message),
    });
    this.capabilities = new CapabilityService(
      {
        identity: this.identity,
        peers: () => this.peersById.values(),
        sendTo: (peer, sp, payload) => this.sendSubprotocolTo(peer, sp, payload),
      },
      { minAnnounceIntervalMs: opts.minAnnounceIntervalMs, autoRefresh: opts.autoRefreshAnnouncements },
    );
    this.heartbeatTimer = setInterval(() => this.tick(), this.heartbeatIntervalMs);
    (this.heartbeatTimer as { unref?: () => void }).unref?.();
    transport.onReceive((batch) => this.onDatagrams(batch));
    this.layers = attachLayers(this[HOST], opts as unknown as Record<string, unknown>);
  }

  static async create(opts: MeshNodeOptions): Promise<MeshNode> {
    if (!opts || typeof opts !== 'object') throw new InvalidArgumentError('MeshNode.create needs an options object with a psk');
    const psk = parsePsk(opts.psk);
    if (opts.keyDerivation !== undefined && opts.keyDerivation !== 'noise' && opts.keyDerivation !== 'net-v0.27') {
      throw new InvalidArgumentError(`keyDerivation must be "noise" or "net-v0.27", got ${String(opts.keyDerivation)}`);
    }
    // Validate every option before any socket or worker exists, so a bad one leaks nothing.
    positiveInt('heartbeatIntervalMs', opts.heartbeatIntervalMs, 5000);
    positiveInt('sessionTimeoutMs', opts.sessionTimeoutMs, 30_000);
    if (opts.identity !== undefined && !(opts.identity instanceof Identity)) throw new InvalidArgumentError('identity must be an Identity');
    if (opts.onWarning !== undefined && typeof opts.onWarning !== 'function') throw new InvalidArgumentError('onWarning must be a function');
    if (opts.noiseSecretKey !== undefined && !(opts.noiseSecretKey instanceof Uint8Array && opts.noiseSecretKey.length === 32)) {
      throw new InvalidArgumentError('noiseSecretKey must be a 32-byte Uint8Array (an X25519 secret key)');
    }
    validateLayerOptions(opts as unknown as Record<string, unknown>);
    const transport = opts.transport ?? defaultTransport();
    await transport.bind(opts.bind ?? '127.0.0.1:0');
    let worker: CoreWorker;
    try {
      worker = await startCoreWorker();
    } catch (e) {
      await transport.close();
      throw e;
    }
    const staticKeypair = opts.noiseSecretKey ? noiseKeypairFromSecret(opts.noiseSecretKey) : generateNoiseKeypair();
    return new MeshNode(opts, transport, worker, staticKeypair, psk);
  }

  get address(): string {
    return this.transport.address;
  }

  /** Opens a session to the node at `address` whose Noise static key and node id are known. */
  async connect(address: string, peer: { publicKey: Uint8Array; nodeId: bigint }): Promise<PeerInfo> {
    this.assertOpen();
    parseAddress(address); // throws InvalidArgumentError naming what is wrong with it
    if (!peer || !(peer.publicKey instanceof Uint8Array) || peer.publicKey.length !== 32) {
      throw new InvalidArgumentError('peer.publicKey must be the 32-byte X25519 key of the peer (its noisePublicKey)');
    }
    if (typeof peer.nodeId !== 'bigint') throw new InvalidArgumentError('peer.nodeId must be a bigint');
    const outcome = await this.handshaker.connect(address, peer);
    this.establish(outcome);
    const p = this.peersById.get(peer.nodeId);
    if (!p) throw new HandshakeError('HANDSHAKE_FAILED', 'session vanished after the handshake');
    return p.info();
  }

  /** Expects a handshake from this node id (wire.md §11.2). */
  accept(nodeId: bigint): void {
    this.assertOpen();
    if (typeof nodeId !== 'bigint') throw new InvalidArgumentError('accept(nodeId) takes a bigint node id');
    this.handshaker.accept(nodeId);
  }

  peers(): PeerInfo[] {
    return [...this.peersById.values()].map((p) => p.info());
  }

  peerEvents(opts: { signal?: AbortSignal } = {}): AsyncIterable<PeerEvent> {
    const q: AsyncQueue<PeerEvent> = new AsyncQueue<PeerEvent>({ signal: opts.signal, onEnd: () => this.peerSubs.delete(q) });
    if (this.closing) q.end();
    else this.peerSubs.add(q);
    return q;
  }

  openStream(peer: bigint, streamId: bigint, config?: StreamConfig): Stream {
    this.assertOpen();
    if (typeof peer !== 'bigint' || typeof streamId !== 'bigint') throw new InvalidArgumentError('openStream(peer, streamId) takes bigint ids');
    const p = this.peersById.get(peer);
    if (!p) throw new NotConnectedError(`no session to node ${peer}`);
    return this.engine.openStream(p, BigInt.asUintN(64, streamId), config);
  }

  events(opts: { stream?: bigint; from?: bigint; signal?: AbortSignal } = {}): AsyncIterable<ReceivedEvent> {
    const sub: EventSubscription = {
      queue: new AsyncQueue<ReceivedEvent>({ signal: opts.signal, onEnd: () => this.eventSubs.delete(sub) }),
      stream: opts.stream,
      from: opts.from,
    };
    if (this.closing) {
      sub.queue.end();
      return sub.queue;
    }
    // Events that arrived before anyone listened are handed to the first matching subscriber.
    if (this.unclaimed.length) {
      const keep: ReceivedEvent[] = [];
      for (const e of this.unclaimed) (matches(sub, e) ? sub.queue.push(e) : keep.push(e));
      this.unclaimed = keep;
    }
    this.eventSubs.add(sub);
    return sub.queue;
  }

  stats(): NodeStats {
    const c = this.counters;
    return {
      ...c,
      dropped: { ...c.dropped, handshake: c.dropped.handshake + this.handshaker.failures },
      peers: this.peersById.size,
      announcements: this.capabilities.stats(),
    };
  }

  // ---- capabilities (fold.md) -------------------------------------------------------------------

  /** Signs and announces this node's capabilities to every direct peer (rate-limited, fold.md §4.1). */
  async announceCapabilities(caps: CapabilitySet, opts: AnnounceOptions = {}): Promise<void> {
    this.assertOpen();
    this.capabilities.announce(caps, opts);
  }

  /** Node ids whose announced capabilities match, sorted ascending and deduplicated. */
  findNodes(query: CapabilityQuery): bigint[] {
    this.assertOpen();
    return this.capabilities.fold.query(query);
  }

  /** This node's capability fold (its own announcement included). */
  get fold(): CapabilityFold {
    return this.capabilities.fold;
  }

  /** The ed25519 key pinned for a direct peer by its first verified announcement (fold.md §4.2 step 8). */
  peerEntity(nodeId: bigint): Uint8Array | undefined {
    return this.capabilities.peerEntity.get(nodeId);
  }

  /** Sends one subprotocol message (one frame) to a connected peer (wire.md §6). */
  sendSubprotocol(peer: bigint, subprotocolId: number, payload: Uint8Array): void {
    this.assertOpen();
    if (!Number.isInteger(subprotocolId) || subprotocolId < 1 || subprotocolId > 0xffff) {
      throw new InvalidArgumentError(`subprotocolId must be an integer in 1..0xffff, got ${subprotocolId}`);
    }
    if (!(payload instanceof Uint8Array) || payload.length > 8104) throw new InvalidArgumentError('payload must be a Uint8Array of at most 8104 bytes');
    const p = this.peersById.get(peer);
    if (!p) throw new NotConnectedError(`no session to node ${peer}`);
    this.sendSubprotocolTo(p, subprotocolId, payload);
  }

  private sendSubprotocolTo(peer: Peer, subprotocol: number, payload: Uint8Array): void {
    const seq = peer.subprotocolSeq.get(subprotocol) ?? 0n;
    peer.subprotocolSeq.set(subprotocol, seq + 1n);
    this.sealTo(peer, { flags: 0, subprotocol, channelHash: 0, streamId: BigInt(subprotocol), sequence: seq, originHash: 0n }, [payload]);
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const cb of [...this.closeListeners]) {
      try {
        cb();
      } catch (e) {
        warn(this.warnings, 'LAYER_CLOSE_FAILED', `a layer's close hook threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.closeListeners.clear();
    this.peerListeners.clear();
    this.handshaker.close();
    this.capabilities.close();
    for (const s of this.eventSubs) s.queue.end();
    for (const q of this.peerSubs) q.end();
    this.eventSubs.clear();
    this.peerSubs.clear();
    this.unclaimed = [];
    try {
      await Promise.race([this.pipe.drain(), new Promise((r) => setTimeout(r, 200))]);
    } catch {
      // closing anyway
    }
    this.pipe.close();
    this.engine.close();
    this.peersById.clear();
    this.peersByLocal.clear();
    await this.worker.terminate();
    await this.transport.close();
  }

  private assertOpen(): void {
    if (this.closing) throw new ClosedError('MeshNode');
  }

  // ---- sessions -------------------------------------------------------------------------------

  private establish(o: HandshakeOutcome): void {
    if (this.closing) return;
    const now = performance.now();
    const old = this.peersById.get(o.peerNodeId);
    if (old && old.sessionId === o.keys.sessionId) return; // already installed (initiator path)
    const localId = this.nextLocalId++;
    this.pipe.addSession(localId, o.keys.sessionId, o.keys.txKey, o.keys.rxKey);
    const peer = new Peer(o.peerNodeId, o.address, o.keys.sessionId, localId, this.sessionTimeoutMs, now, o.rttMs);
    if (old) {
      // A new session replaces the old one (new id, counters, replay window); streams start afresh.
      this.peersByLocal.delete(old.localId);
      this.pipe.removeSession(old.localId);
      this.engine.dropPeer(old);
    }
    this.peersById.set(o.peerNodeId, peer);
    this.peersByLocal.set(localId, peer);
    this.emitPeer(peer, old && old.detector.health !== 'healthy' ? 'recovered' : 'up');
    this.capabilities.onSessionOpen(peer);
  }

  private emitPeer(peer: Peer, kind: PeerEvent['kind']): void {
    const ev: PeerEvent = { kind, nodeId: peer.nodeId, address: peer.address, health: peer.detector.health };
    for (const q of this.peerSubs) q.push(ev);
    for (const cb of this.peerListeners) cb(ev);
  }

  private healthChanged(peer: Peer, t: { from: Health; to: Health } | undefined): void {
    if (!t) return;
    if (t.to === 'healthy') this.emitPeer(peer, 'recovered');
    else this.emitPeer(peer, t.to);
    if (t.to === 'failed') this.capabilities.onPeerFailed(peer.nodeId);
  }

  private tick(): void {
    if (this.closing) return;
    const now = performance.now();
    for (const peer of this.peersById.values()) {
      this.sealTo(peer, { flags: FLAG_HEARTBEAT, subprotocol: 0, channelHash: 0, streamId: 0n, sequence: 0n, originHash: 0n }, []);
      this.counters.heartbeatsOut++;
      this.engine.sweep(peer);
      this.healthChanged(peer, peer.detector.evaluate(now));
    }
  }

  // ---- send -----------------------------------------------------------------------------------

  private sealTo(peer: Peer, template: SealTemplate, events: readonly Uint8Array[], address = peer.address): void {
    this.counters.packetsOut++;
    this.pipe.seal(peer.localId, template, events, address);
  }

  /** Packets queued for sealing or sending and not yet handed to the socket (paces the scheduler). */
  private sendBacklog(): number {
    const t = this.transport.stats();
    return this.counters.packetsOut - t.datagramsOut - t.sendErrors - this.pipe.sealFailures;
  }

  private sendRaw(datagram: Uint8Array, address: string): void {
    this.counters.packetsOut++;
    this.pipe.sendRaw([{ data: datagram, address }]);
  }

  // ---- receive --------------------------------------------------------------------------------

  private onDatagrams(batch: Datagram[]): void {
    if (this.closing) return;
    const toOpen: Datagram[] = [];
    for (const d of batch) {
      this.counters.packetsIn++;
      this.counters.bytesIn += d.data.length;
      const b = d.data;
      if (checkHeader(b) !== 0) {
        // wire.md §1: NAT keep-alives, pingwaves and routed packets are other datagram classes,
        // which this node does not process yet; anything else is junk.
        if (otherDatagramClass(b)) this.counters.dropped.unsupported++;
        else this.counters.dropped.malformed++;
        continue;
      }
      const flags = b[3]!;
      if (flags & FLAG_HANDSHAKE) {
        const payloadLen = b[64]! | (b[65]! << 8);
        if (b.length !== HEADER_SIZE + payloadLen) {
          this.counters.dropped.malformed++;
          continue;
        }
        this.handshaker.onHandshake(b.slice(HEADER_SIZE), d.address);
        continue;
      }
      toOpen.push(d);
    }
    if (toOpen.length) this.pipe.open(toOpen);
  }

  private onOpened({ records, sources }: OpenedBatch): void {
    if (this.closing) return;
    const now = performance.now();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.status !== Status.OK) {
        this.countDrop(r.status);
        continue;
      }
      const peer = this.peersByLocal.get(r.localSession);
      if (!peer) {
        this.counters.dropped.unknownSession++;
        continue;
      }
      peer.lastActivity = now;
      if (peer.address !== sources[i]) peer.address = sources[i]!;
      if (r.flags & FLAG_HEARTBEAT) {
        this.counters.heartbeatsIn++;
        this.healthChanged(peer, peer.detector.heard(now));
        continue;
      }
      const sp = r.subprotocol;
      const handler = sp === 0 ? undefined : this.subprotocolHandlers.get(sp);
      if (handler) {
        handler(peer.nodeId, r.events.map((e) => e.slice()), { streamId: r.streamId, seq: r.sequence });
      } else if (sp === ANNOUNCEMENT_SUBPROTOCOL) {
        this.capabilities.onMessage(peer, r.events);
      } else if (sp === SUBPROTOCOL_STREAM_WINDOW || sp === SUBPROTOCOL_STREAM_NACK || sp === SUBPROTOCOL_STREAM_RESET) {
        this.engine.onControl(peer, sp, r.events, sources[i]);
      } else {
        this.engine.onEventPlane(peer, r.flags, r.streamId, r.sequence, r.plaintextLen, r.events, r.channelHash, r.originHash);
      }
    }
  }

  private countDrop(status: number): void {
    const d = this.counters.dropped;
    if (status === Status.AUTH) d.authFailure++;
    else if (status === Status.REPLAY) d.replay++;
    else if (status === Status.UNKNOWN_SESSION) d.unknownSession++;
    else if (status === Status.MALFORMED) d.malformed++;
    else d.other++;
  }

  private deliver(packet: InboundPacket): void {
    this.counters.eventsIn += packet.events.length;
    for (const c of this.streamClaims) {
      if (c.match(packet.streamId)) {
        c.sink.packet(c.views ? packet : { ...packet, events: packet.events.map((e) => e.slice()) });
        return;
      }
    }
    const { from, streamId, seq } = packet;
    for (const payload of packet.events) {
      const e: ReceivedEvent = { from, streamId, seq, payload };
      let claimed = false;
      for (const s of this.eventSubs) {
        if (matches(s, e)) {
          s.queue.push(e);
          claimed = true;
        }
      }
      if (!claimed) {
        if (this.unclaimed.length < MAX_UNCLAIMED_EVENTS) this.unclaimed.push(e);
        else this.counters.dropped.other++;
      }
    }
  }

  /** A reset stream: pending and next reads of `events({ stream })` for it reject with `err`. */
  private failReads(from: bigint, streamId: bigint, err: Error): void {
    for (const c of this.streamClaims) {
      if (c.match(streamId)) {
        c.sink.reset?.(from, streamId);
        return;
      }
    }
    for (const s of this.eventSubs) {
      if (s.stream === streamId && (s.from === undefined || s.from === from)) s.queue.fail(err);
    }
  }

  // ---- layers (channels, rpc, blobs, meshos): public methods, one-line delegations to this.layers ----

  /** Content-addressed blobs and directories (sdk.md "Dataforts", dataforts.md). */
  get blobs(): Blobs {
    return this.layers.blobs;
  }

  /** Serves an nRPC service: a unary handler, or a server stream when it returns an AsyncIterable (rpc-tools.md §4–§5). */
  serve(service: string, handler: RpcHandler, opts?: ServeOptions): ServedService {
    return this.layers.rpc.serve(service, handler, opts);
  }

  /** `serve` (the name rpc-tools.md §10 uses). */
  serveRpc(service: string, handler: RpcHandler, opts?: ServeOptions): ServedService {
    return this.layers.rpc.serve(service, handler, opts);
  }

  /** Serves a client-streaming service: the handler drains the uploaded items and answers once. */
  serveClientStream(service: string, handler: ClientStreamHandler, opts?: ServeOptions): ServedService {
    return this.layers.rpc.serveClientStream(service, handler, opts);
  }

  /** Serves a duplex service: the handler reads uploaded items while it yields responses. */
  serveDuplex(service: string, handler: DuplexHandler, opts?: ServeOptions): ServedService {
    return this.layers.rpc.serveDuplex(service, handler, opts);
  }

  /** A unary nRPC call; rejects with an RpcError (`err.status`) when it fails. */
  call(target: bigint, service: string, body: Uint8Array, opts?: CallOptions): Promise<Uint8Array> {
    return this.layers.rpc.call(target, service, body, opts);
  }

  /** A server-streaming call with response credit; it starts on the first `next()`. */
  callStream(target: bigint, service: string, body: Uint8Array, opts?: StreamCallOptions): StreamCall {
    return this.layers.rpc.callStream(target, service, body, opts);
  }

  /** A client-streaming call: `send` items, `end`, then `response` (or `finish(last)`). */
  callClientStream(target: bigint, service: string, opts?: UploadCallOptions): ClientStreamCall {
    return this.layers.rpc.callClientStream(target, service, opts);
  }

  /** A duplex call: `send` / `end` the upload while iterating `responses`. */
  callDuplex(target: bigint, service: string, opts?: UploadCallOptions): DuplexCall {
    return this.layers.rpc.callDuplex(target, service, opts);
  }

  /** A unary call to a node announcing `nrpc:<service>`, chosen by policy (round-robin, random, sticky, lowest-latency). */
  callService(service: string, body: Uint8Array, opts?: CallServiceOptions): Promise<Uint8Array> {
    return this.layers.rpc.callService(service, body, opts);
  }

  /** The nRPC layer's counters: calls, served requests, cancels, drops. */
  rpcStats(): RpcStats {
    return this.layers.rpc.stats();
  }

  /** Serves an AI tool (JSON in, JSON out), announced as `ai-tool:<id>`; dispose to withdraw it. */
  serveTool(descriptor: ToolDescriptorInit, handler: ToolHandler): ServedTool {
    return this.layers.rpc.serveTool(descriptor, handler);
  }

  /** Serves a streaming AI tool emitting ToolEvents (exactly one terminal). */
  serveToolStreaming(descriptor: ToolDescriptorInit, handler: StreamingToolHandler): ServedTool {
    return this.layers.rpc.serveToolStreaming(descriptor, handler);
  }

  /** Calls a tool on `target`, or (undefined) on a node announcing it; resolves with the tool's JSON result. */
  callTool(target: bigint | undefined, toolId: string, input: unknown, opts?: CallToolOptions): Promise<unknown> {
    return this.layers.rpc.callTool(target, toolId, input, opts);
  }

  /** A streaming tool's ToolEvents, the terminal one last. */
  callToolStream(target: bigint | undefined, toolId: string, input: unknown, opts?: CallToolOptions): AsyncIterable<ToolEvent> {
    return this.layers.rpc.callToolStream(target, toolId, input, opts);
  }

  /** `tool.metadata.fetch` on `node`: the full descriptor (schemas too large for the announcement included), or null. */
  fetchToolMetadata(node: bigint, toolId: string, opts?: CallOptions): Promise<ToolDescriptor | null> {
    return this.layers.rpc.fetchToolMetadata(node, toolId, opts);
  }

  /** Applies `from`'s fold export (`mesh.fold.export`, fold.md §10.7) to this node's fold. */
  importFold(from: bigint, req?: FoldExportRequest, opts?: CallOptions): Promise<FoldImportReport> {
    return this.layers.rpc.importFold(from, req, opts);
  }

  /** Tools advertised in this node's fold, one per (toolId, version), with the nodes serving each (rpc-tools.md §8). */
  listTools(filter?: ToolFilter): ToolInfo[] {
    return this.layers.rpc.listTools(filter);
  }

  /** Added / removed / node-count changes of `listTools(filter)`; ends on cancel(), return(), the signal or close. */
  watchTools(opts?: WatchToolsOptions): ToolWatch {
    return this.layers.rpc.watchTools(opts);
  }

  /** This node's MeshOS loop: snapshot, structural changes, admin events, daemons (sdk.md). */
  get meshos(): MeshOs {
    return this.layers.meshos;
  }

  /** Deck watch surfaces over this node's MeshOS snapshot (sdk.md). */
  get deck(): DeckClient {
    return this.layers.meshos.deck;
  }

  /** Registers a channel config (channels.md §2): visibility, capability filters, token roots. */
  registerChannel(name: string | (ChannelConfig & { name: string }), config?: ChannelConfig): void {
    this.layers.channels.registerChannel(name, config);
  }

  /** Subscribes to `name` on `publisher`, optionally with a token or a chain and in a queue group. */
  subscribeChannel(publisher: bigint, name: string, opts?: SubscribeOptions): Promise<void> {
    return this.layers.channels.subscribe(publisher, name, opts);
  }

  unsubscribeChannel(publisher: bigint, name: string): Promise<void> {
    return this.layers.channels.unsubscribe(publisher, name);
  }

  /** publish_many of one event or an array of events to the channel's subscribers. */
  publish(name: string, events: Uint8Array | Uint8Array[], opts?: PublishOptions): Promise<PublishReport> {
    return this.layers.channels.publish(name, events, opts);
  }

  publishMany(name: string, events: Uint8Array[], opts?: PublishOptions): Promise<PublishReport> {
    return this.layers.channels.publishMany(name, events, opts);
  }

  /** The delegated credential this node presents when it publishes on `name` (null removes it). */
  setPublishChain(name: string, chain: TokenChain | null): void {
    this.layers.channels.setPublishChain(name, chain);
  }

  /** Events of the channels this node subscribed to (one channel, or all); ends on abort or close. */
  channelEvents(name?: string, opts?: { signal?: AbortSignal }): AsyncIterable<ChannelEvent> {
    return this.layers.channels.channelEvents(name, opts);
  }

  /** The channel layer's counters: subscribe outcomes by cause, publish drops, sweeps, receive drops. */
  channelStats(): ChannelStats {
    return this.layers.channels.stats();
  }

  /** The node's token cache (own publish tokens, revocation registry, skew), unless disabled. */
  get tokenCache(): TokenCache | undefined {
    return this.layers.channels.tokenCache;
  }

  // ---- the host the layers (channels, rpc, blobs, meshos) build on (host.ts) -------------------

  private makeHost(): MeshHost {
    const node = this;
    const connected = (peer: bigint): Peer => {
      node.assertOpen();
      const p = node.peersById.get(peer);
      if (!p) throw new NotConnectedError(`no session to node ${peer}`);
      return p;
    };
    return {
      get nodeId() {
        return node.nodeId;
      },
      get identity() {
        return node.identity;
      },
      get closed() {
        return node.closing !== undefined;
      },
      now: () => performance.now(),
      peers: () => node.peers(),
      onPeerEvent(cb) {
        node.peerListeners.add(cb);
        return () => node.peerListeners.delete(cb);
      },
      onClose(cb) {
        node.closeListeners.add(cb);
        return () => node.closeListeners.delete(cb);
      },
      sendSubprotocol(peer, subprotocol, payload) {
        node.sendSubprotocolTo(connected(peer), subprotocol, payload);
      },
      onSubprotocol(subprotocol, handler) {
        if (node.subprotocolHandlers.has(subprotocol)) throw new InvalidArgumentError(`subprotocol 0x${subprotocol.toString(16)} is already claimed`);
        node.subprotocolHandlers.set(subprotocol, handler);
        return () => {
          if (node.subprotocolHandlers.get(subprotocol) === handler) node.subprotocolHandlers.delete(subprotocol);
        };
      },
      sendPacket(peer, t: PacketTemplate, frames) {
        const p = connected(peer);
        node.sealTo(p, { flags: t.flags, subprotocol: t.subprotocol, channelHash: t.channelHash ?? 0, streamId: t.streamId, sequence: t.sequence, originHash: t.originHash ?? 0n }, frames);
      },
      openStream(peer, streamId, config, header?: StreamHeader) {
        return node.engine.openStream(connected(peer), BigInt.asUintN(64, streamId), config, header);
      },
      claimStreams(match, sink, opts) {
        const claim = { match, sink, views: opts?.views === true };
        node.streamClaims.push(claim);
        return () => {
          const i = node.streamClaims.indexOf(claim);
          if (i >= 0) node.streamClaims.splice(i, 1);
        };
      },
      get fold() {
        return node.fold;
      },
      peerEntity: (nodeId) => node.peerEntity(nodeId),
      announceCapabilities: (caps) => node.announceCapabilities(caps),
      contributeCapabilities: () => node.capabilities.contribution(),
      get warnings() {
        return node.warnings;
      },
    };
  }

  private onPipeError(e: unknown): void {
    // A worker failure is fatal for the data path: surface it on every iterable and close.
    const err = e instanceof Error ? e : new Error(String(e));
    for (const s of this.eventSubs) s.queue.fail(err);
    void this.close();
  }
}

function matches(s: EventSubscription, e: ReceivedEvent): boolean {
  return (s.stream === undefined || s.stream === e.streamId) && (s.from === undefined || s.from === e.from);
}

/** wire.md §1 classes 1–3: NAT keep-alive (14 B, 0x4850), pingwave (72 B), routed packet (0x5452). */
function otherDatagramClass(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const magic = b[0]! | (b[1]! << 8);
  if (b.length === 14 && magic === 0x4850) return true;
  if (b.length === 72 && magic !== 0x4e45 && b[63]! <= 3) return true;
  return magic === 0x5452 && b.length >= 18 + 68;
}
