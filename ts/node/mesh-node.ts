// MeshNode: the app-thread facade of a node (sdk.md "MeshNode"). The packet path — socket,
// sessions, streams, timers — runs in the node's engine, placed once: in a core worker (the
// default on Node, Deno and Bun) or on this thread ('inline'). This side keeps the SDK surface:
// synchronous mirrors of peers and streams, events() and peerEvents(), capability announcements
// (signed here with the identity) and the fold, and the MeshHost seam the layers build on.
import { Identity } from '../identity/identity.js';
import { ClosedError, EngineFailedError, HandshakeError, InvalidArgumentError, NotConnectedError, type NetMeshError } from '../errors.js';
import { noiseKeypairFromSecret } from '../session/noise.js';
import type { KeyDerivationMode } from '../session/handshake.js';
import type { Transport } from '../transports/transport.js';
import { defaultTransport } from '../transports/default.js';
import { resolveHostPort } from '../transports/resolve.js';
import { optionalSignal, optionsObject, optionalU64Id, u64Id } from '../util/validate.js';
import { resolveNodeOptions, type AcceptPolicy } from './node-options.js';
import { abortedError, parseConnectArgs, type ConnectOptions } from './connect-args.js';
import { formatContact } from './contact.js';
import { AsyncQueue } from '../util/async-queue.js';
import { warn, type WarningSink } from '../util/diagnostics.js';
import { runtimeName } from '../runtime/detect.js';
import { WORKER_SOURCE } from '../core/generated/worker-source.js';
import { ENGINE, type EngineConfig, type EngineHost, type EnginePlacement } from '../engine/engine-host.js';
import { InlineEngineHost } from '../engine/inline-host.js';
import { WorkerEngineHost } from '../engine/worker-host.js';
import { SUBSTRATE_SUBPROTOCOLS, isReservedSubprotocol } from '../engine/subprotocols.js';
import type { Stream } from '../streams/stream.js';
import type { StreamConfig } from '../streams/config.js';
import { CapabilityService, type AnnounceOptions, type AnnouncementStats } from './capability-service.js';
import type { CapabilitySet } from '../fold/capabilities.js';
import type { CapabilityQuery } from '../fold/query.js';
import type { CapabilityFold } from '../fold/capability-fold.js';
import { ANNOUNCEMENT_SUBPROTOCOL } from '../fold/announcement.js';
import { HOST, type MeshHost, type PacketTemplate, type StreamHeader, type SubprotocolHandler } from './host.js';
import { EngineClient } from './engine-client.js';
import type { ReceivedEvent } from './inbound.js';
import type { PeerEvent, PeerInfo } from './peer.js';
import { attachLayers, type Layers } from './layers.js';
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
   * The node's X25519 Noise static secret key (32 bytes). When absent it is derived from the
   * identity's seed (`identity.noiseKeypair()`), so a node restarted with the same identity keeps
   * the `noisePublicKey` its peers hold.
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
  /**
   * Where the packet path runs: "worker" (a core worker that owns the socket; the default on
   * Node, Deno and Bun) or "inline" (this thread; the default where there are no workers).
   */
  engine?: EnginePlacement;
  /**
   * Event bytes this node may hold unread (no events() reader took them yet) and still grant back
   * to senders (default 8 MiB); beyond it, credit returns as the app consumes.
   */
  receiveBudgetBytes?: number;
  /** Largest window a stream without an explicit windowBytes grows to (default 16 MiB). */
  maxWindowBytes?: number;
  /**
   * Which initiators this node answers: "listed" (default) those named with accept(nodeId); "any"
   * every initiator holding the mesh PSK, under the node id it claims (as `node.accept('any')`).
   * An initiator of this library names its node id in msg1; a Net v0.27 initiator does not, so it
   * still needs accept(nodeId).
   */
  accept?: AcceptPolicy;
}

export interface NodeStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  eventsIn: number;
  heartbeatsIn: number;
  heartbeatsOut: number;
  /** Routed datagrams this node relayed toward their destination (wire.md §7). */
  forwarded: number;
  /**
   * Datagrams dropped, by reason. `unsupported`: routed heartbeats and unhandled substrate
   * subprotocols; `ttlExpired`, `noRoute`, `loop`: routed datagrams this node could not relay
   * (§7); `rateLimited`: msg1s left unread by the handshake budgets and relayed datagrams refused
   * by a full forwarding queue; `other` includes
   * pingwaves refused on receipt (own, too many hops, not from a direct peer).
   */
  dropped: {
    malformed: number;
    authFailure: number;
    replay: number;
    unknownSession: number;
    handshake: number;
    unsupported: number;
    ttlExpired: number;
    noRoute: number;
    loop: number;
    rateLimited: number;
    other: number;
  };
  peers: number;
  announcements: AnnouncementStats;
  /**
   * Handshakes this node refused as responder (each also counts in dropped.handshake):
   * `unaccepted` authenticated under the mesh PSK from a node id never accept()ed; `unauthenticated`
   * did not authenticate (a different PSK, a Noise key not this node's, or an unaccepted Net
   * v0.27 initiator, which does not name its id). A diagnostics warning says the same, rate-limited.
   */
  handshakesRefused: { unaccepted: number; unauthenticated: number };
}

/** How long close() waits for the engine to confirm its shutdown. */
const SHUTDOWN_WAIT_MS = 1000;

/** Workers where the runtime has them and the worker code was built in; the calling thread otherwise. */
function defaultPlacement(): EnginePlacement {
  if (!WORKER_SOURCE) return 'inline';
  const rt = runtimeName();
  return rt === 'node' || rt === 'deno' || rt === 'bun' ? 'worker' : 'inline';
}

export class MeshNode {
  readonly identity: Identity;
  readonly nodeId: bigint;
  readonly noisePublicKey: Uint8Array;
  readonly keyDerivation: KeyDerivationMode;
  /** Where this node's engine runs. */
  readonly engine: EnginePlacement;
  private readonly client: EngineClient;
  private readonly capabilities: CapabilityService;
  private readonly peerSubs = new Set<AsyncQueue<PeerEvent>>();
  private closing: Promise<void> | undefined;
  private readonly warnings: WarningSink | undefined;
  /** Host names in connect() are resolved through the runtime (the default UDP transport); a custom transport takes them as they are. */
  private readonly resolvesNames: boolean;
  /** Layers built on the node (channels, rpc, blobs): claimed subprotocols, hooks. */
  private readonly subprotocolHandlers = new Map<number, SubprotocolHandler>();
  private readonly peerListeners = new Set<(e: PeerEvent) => void>();
  private readonly closeListeners = new Set<() => void>();
  readonly [HOST]: MeshHost;
  /** The layers built on this node (layers.ts); created last in the constructor. */
  private readonly layers: Layers;

  private constructor(
    opts: MeshNodeOptions,
    identity: Identity,
    private readonly host: EngineHost,
  ) {
    this.identity = identity;
    this.nodeId = identity.nodeId;
    this.noisePublicKey = host.noisePublicKey;
    this.keyDerivation = opts.keyDerivation ?? 'noise';
    this.engine = host.placement;
    this.warnings = opts.onWarning;
    this.resolvesNames = opts.transport === undefined;
    this.client = new EngineClient(
      host,
      {
        peer: (e, peer, newSession) => {
          if (this.closing) return;
          for (const q of this.peerSubs) q.push(e);
          for (const cb of this.peerListeners) cb(e);
          if (newSession) this.capabilities.onSessionOpen(peer);
          if (e.kind === 'failed') this.capabilities.onPeerFailed(e.nodeId);
        },
        subprotocol: (from, sp, frames, packet) => this.onSubprotocol(from, sp, frames, packet),
      },
      opts.onWarning,
    );
    this.capabilities = new CapabilityService(
      {
        identity: this.identity,
        peers: () => this.client.peers.values(),
        sendTo: (peer, sp, payload) => this.client.sendSubprotocol(peer.nodeId, sp, payload),
      },
      { minAnnounceIntervalMs: opts.minAnnounceIntervalMs, autoRefresh: opts.autoRefreshAnnouncements },
    );
    this[HOST] = this.makeHost();
    host.onFailure((e) => this.engineFailed(e));
    this.client.start();
    if (opts.accept === 'any') this.client.accept('any');
    this.layers = attachLayers(this[HOST], opts as unknown as Record<string, unknown>);
  }

  static async create(opts: MeshNodeOptions): Promise<MeshNode> {
    // Validate every option before any socket or worker exists, so a bad one leaks nothing.
    const o = resolveNodeOptions(opts);
    const placement = o.engine ?? defaultPlacement();
    const identity = opts.identity ?? Identity.generate();
    const cfg: EngineConfig = {
      nodeId: identity.nodeId,
      psk: o.psk,
      // Stable for the identity (wire.md: peers pin it), unless the app supplies its own key.
      staticKeypair: opts.noiseSecretKey ? noiseKeypairFromSecret(opts.noiseSecretKey) : identity.noiseKeypair(),
      keyDerivation: o.keyDerivation,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      sessionTimeoutMs: o.sessionTimeoutMs,
      receiveBudgetBytes: o.receiveBudgetBytes,
      maxWindowBytes: o.maxWindowBytes,
      bind: opts.bind ?? '127.0.0.1:0',
      ...(o.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: o.handshakeTimeoutMs } : {}),
      ...(o.handshakeAttempts !== undefined ? { handshakeAttempts: o.handshakeAttempts } : {}),
    };
    let host: EngineHost;
    if (placement === 'worker' && !opts.transport) {
      host = await WorkerEngineHost.start(cfg);
    } else {
      const transport = opts.transport ?? defaultTransport();
      await transport.bind(cfg.bind);
      try {
        host = placement === 'worker' ? await WorkerEngineHost.start(cfg, transport) : new InlineEngineHost(cfg, transport);
      } catch (e) {
        await transport.close();
        throw e;
      }
    }
    return new MeshNode(opts, identity, host);
  }

  get address(): string {
    return this.host.address;
  }

  /**
   * This node's contact, `nm1:<noise key hex>@<host:port>#<node id>` (contact.ts): one string a
   * peer passes to connect(). It carries the bound address: bind a routable one ("0.0.0.0:…" is not).
   */
  get contact(): string {
    return formatContact({ publicKey: this.noisePublicKey, address: this.address, nodeId: this.nodeId });
  }

  /**
   * Opens a session to the node at `address` whose Noise static key and node id are known, or to
   * the node a contact string names (`connect(contact, opts)`). Host names are resolved through the
   * runtime with the default transport. Rejects with HandshakeError: PEER_UNREACHABLE (the network
   * says nothing listens there, on Node and Bun within a round trip), HANDSHAKE_TIMEOUT (no answer
   * within the attempts, or within `timeoutMs`), CONNECT_ABORTED (`signal`), ADDRESS_UNRESOLVED,
   * KEY_DERIVATION_MISMATCH, ...; with InvalidArgumentError for a bad argument or a connect to itself.
   */
  async connect(contact: string, opts?: ConnectOptions): Promise<PeerInfo>;
  async connect(address: string | null, peer: { publicKey: Uint8Array; nodeId: bigint }, opts?: ConnectOptions): Promise<PeerInfo>;
  async connect(target: string | null, second?: unknown, third?: unknown): Promise<PeerInfo> {
    this.assertOpen();
    const req = parseConnectArgs(target, second, third, this);
    const { signal, timeoutMs } = req;
    const what = req.address !== null ? `connect to ${req.address}` : `routed connect to node ${req.peer.nodeId}${req.via !== undefined ? ` via node ${req.via}` : ''}`;
    if (signal?.aborted) throw abortedError(signal, what);
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    let address = req.address;
    if (req.parsed?.family === 'name' && this.resolvesNames) {
      const family = this.address.startsWith('[') ? 0 : 4;
      address = await bounded(resolveHostPort(req.parsed.host, req.parsed.port, family), signal, timeoutMs, what);
      this.assertOpen();
    }
    const left = deadline === undefined ? undefined : Math.max(1, deadline - performance.now());
    return this.client.connect(address, req.peer, { signal, timeoutMs: left, totalTimeoutMs: timeoutMs, abortError: () => abortedError(signal!, what) }, req.via);
  }

  /**
   * Expects a handshake from this node id (wire.md §11.2), or with `'any'` answers every initiator
   * holding the mesh PSK from now on (the `accept: 'any'` option of MeshNode.create).
   */
  accept(nodeId: bigint | 'any'): void {
    this.assertOpen();
    this.client.accept(nodeId === 'any' ? 'any' : u64Id('nodeId', nodeId));
  }

  peers(): PeerInfo[] {
    return [...this.client.peers.values()].map((p) => p.info());
  }

  peerEvents(opts: { signal?: AbortSignal } = {}): AsyncIterable<PeerEvent> {
    const q: AsyncQueue<PeerEvent> = new AsyncQueue<PeerEvent>({ signal: opts.signal, onEnd: () => this.peerSubs.delete(q) });
    const ended = this.client.closedError;
    if (ended) {
      if (this.client.failure) q.fail(this.client.failure);
      else q.end();
    } else this.peerSubs.add(q);
    return q;
  }

  openStream(peer: bigint, streamId: bigint, config?: StreamConfig): Stream {
    this.assertOpen();
    return this.client.openStream(u64Id('peer', peer), u64Id('streamId', streamId), config, undefined);
  }

  /** Events of every stream, or of one `stream` (a bigint id) and/or one sender `from`; numbers are refused. */
  events(opts: { stream?: bigint; from?: bigint; signal?: AbortSignal } = {}): AsyncIterable<ReceivedEvent> {
    const o = optionsObject('events options', opts);
    const stream = optionalU64Id('stream', o.stream);
    const from = optionalU64Id('from', o.from);
    const signal = optionalSignal('signal', o.signal);
    return this.client.inbound.subscribe({ stream, from, signal });
  }

  stats(): NodeStats {
    const c = this.client.counters;
    return {
      packetsIn: c.packetsIn,
      packetsOut: c.packetsOut,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      eventsIn: c.eventsIn,
      heartbeatsIn: c.heartbeatsIn,
      heartbeatsOut: c.heartbeatsOut,
      forwarded: c.forwarded,
      dropped: {
        malformed: c.malformed,
        authFailure: c.authFailure,
        replay: c.replay,
        unknownSession: c.unknownSession,
        handshake: c.handshake,
        unsupported: c.unsupported + this.client.unclaimedSubprotocol,
        ttlExpired: c.ttlExpired,
        noRoute: c.noRoute,
        loop: c.loop,
        rateLimited: c.rateLimited,
        other: c.other + this.client.inbound.dropped,
      },
      peers: this.client.peers.size,
      announcements: this.capabilities.stats(),
      handshakesRefused: { unaccepted: c.handshakeUnaccepted, unauthenticated: c.handshakeUnauthenticated },
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
    if (isReservedSubprotocol(subprotocolId)) {
      throw new InvalidArgumentError(`subprotocolId 0x${subprotocolId.toString(16).padStart(4, '0')} is reserved for the substrate (stream control, announcements, layers)`);
    }
    if (!(payload instanceof Uint8Array) || payload.length > 8104) throw new InvalidArgumentError('payload must be a Uint8Array of at most 8104 bytes');
    this.client.sendSubprotocol(peer, subprotocolId, payload);
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    for (const cb of [...this.closeListeners]) {
      try {
        cb();
      } catch (e) {
        warn(this.warnings, 'LAYER_CLOSE_FAILED', `a layer's close hook threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.closeListeners.clear();
    this.peerListeners.clear();
    this.capabilities.close();
    // The engine answers connects in progress, closes its streams (settling their closeGraceful
    // calls) and sends what it still holds; a failed or silent engine is not waited for.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.client.shutdown(), new Promise<void>((r) => (timer = setTimeout(r, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
    this.client.end(new ClosedError('MeshNode'), false);
    for (const q of this.peerSubs) q.end();
    this.peerSubs.clear();
    await this.host.dispose();
  }

  /** The engine stopped under us: every pending promise and iterable fails with ENGINE_FAILED. */
  private engineFailed(cause: Error): void {
    const err: NetMeshError = cause instanceof EngineFailedError ? cause : new EngineFailedError(`engine failed: ${cause.message}`, { cause });
    this.client.end(err, true);
    for (const q of this.peerSubs) q.fail(err);
    this.peerSubs.clear();
    void this.close();
  }

  private assertOpen(): void {
    if (this.client.failure) throw this.client.failure;
    if (this.closing) throw new ClosedError('MeshNode');
  }

  private onSubprotocol(from: bigint, sp: number, frames: Uint8Array[], packet: { streamId: bigint; seq: bigint }): void {
    if (this.closing) return;
    const handler = this.subprotocolHandlers.get(sp);
    if (handler) handler(from, frames, packet);
    else if (sp === ANNOUNCEMENT_SUBPROTOCOL) {
      const peer = this.client.peers.get(from);
      if (peer) this.capabilities.onMessage(peer, frames);
    } else this.client.unclaimedSubprotocol++;
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
    const connected = (peer: bigint): void => {
      node.assertOpen();
      if (!node.client.peers.has(peer)) throw new NotConnectedError(`no session to node ${peer}`);
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
        connected(peer);
        node.client.sendSubprotocol(peer, subprotocol, payload);
      },
      onSubprotocol(subprotocol, handler) {
        if (node.subprotocolHandlers.has(subprotocol)) throw new InvalidArgumentError(`subprotocol 0x${subprotocol.toString(16)} is already claimed`);
        node.subprotocolHandlers.set(subprotocol, handler);
        // Ids the substrate owns always reach this side; any other id must be claimed in the engine.
        const owned = SUBSTRATE_SUBPROTOCOLS.has(subprotocol);
        if (!owned && !node.closing) node.client.claim(subprotocol, true);
        return () => {
          if (node.subprotocolHandlers.get(subprotocol) !== handler) return;
          node.subprotocolHandlers.delete(subprotocol);
          if (!owned && !node.closing) node.client.claim(subprotocol, false);
        };
      },
      sendPacket(peer, t: PacketTemplate, frames) {
        connected(peer);
        node.client.sendPacket(peer, t, frames);
      },
      openStream(peer, streamId, config, header?: StreamHeader) {
        node.assertOpen();
        return node.client.openStream(peer, BigInt.asUintN(64, streamId), config, header);
      },
      // Claimed events always own their bytes here (they were copied out of the link), so the
      // `views` option of host.ts needs nothing more.
      claimStreams(match, sink) {
        return node.client.inbound.claimStreams(match, sink);
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

  /** @internal The engine host (tests kill a worker engine through it). */
  get [ENGINE](): EngineHost {
    return this.host;
  }
}

export type { ReceivedEvent };

/** Waits for `p`, unless the signal fires (CONNECT_ABORTED) or `timeoutMs` passes (HANDSHAKE_TIMEOUT) first. */
function bounded<T>(p: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number | undefined, what: string): Promise<T> {
  if (!signal && timeoutMs === undefined) return p;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => done(() => reject(abortedError(signal!, what)));
    const done = (f: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => done(() => reject(new HandshakeError('HANDSHAKE_TIMEOUT', `${what} did not complete within timeoutMs (${timeoutMs} ms): resolving its host name took too long`))), timeoutMs);
    p.then((v) => done(() => resolve(v)), (e: unknown) => done(() => reject(e)));
  });
}
