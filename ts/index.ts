// net-mesh: the public surface of sdk.md, plus the names the other specs' "TypeScript SDK: further
// names" sections add. Nothing internal is exported from here (tests and benches import internals
// from their source files). Every runtime name exported here is listed in
// test/package/public-names.ts, and docs/api.md documents each one (scripts/api-docs.mjs).
export * from './core/index.js';
export {
  NetMeshError,
  MalformedPacketError,
  AuthenticationError,
  ReplayError,
  InvalidArgumentError,
  HandshakeError,
  BackpressureError,
  NotConnectedError,
  StreamResetError,
  TransportError,
  ClosedError,
  DeckError,
  TokenError,
  MembershipRejectedError,
  MembershipTimeoutError,
  PublishDeniedError,
  PublishFailedError,
  ChannelReliabilityError,
  type TokenErrorKind,
  type MembershipRejectReason,
  RpcCodecError,
  BodyTooLargeError,
  ToolCallParseError,
  ToolEventParseError,
  AlreadyServingError,
  RpcError,
  RpcTimeoutError,
  RpcCancelledError,
  RpcNoRouteError,
  RpcCapabilityDeniedError,
  RpcTransportError,
  RpcBadResponseError,
  ToolCallError,
  type RpcErrorCode,
  type RpcCodecErrorKind,
  CoreError,
  UnsupportedRuntimeError,
  type NetMeshErrorCode,
  TransferError,
  NotFoundError,
  AllPeersFailedError,
  HashMismatchError,
  SubstrateError,
  type SubstrateErrorKind,
  EngineFailedError,
} from './errors.js';
export { KeyDerivationMismatchError, type KeyDerivationMode } from './session/handshake.js';
export { Identity, nodeIdFromPublicKey, originHashFromPublicKey } from './identity/index.js';

// MeshNode and streams. Their declarations live in the engine files (ts/node/, ts/streams/); the
// comments here document them until those files carry their own (a declaration's comment wins).
export {
  /**
   * A mesh node: binds a transport, holds Noise sessions with its peers, watches their health with
   * heartbeats, carries events on streams and announces and finds capabilities. Create one with
   * `await MeshNode.create({ psk })`; `close()` frees its socket and worker.
   */
  MeshNode,
  /** Options of `MeshNode.create`: the mesh PSK (required), bind address, identity, transport, timings, key derivation. */
  type MeshNodeOptions,
  /** Counters of `node.stats()`: packets, bytes, events, heartbeats, peers, announcements, and drops by reason. */
  type NodeStats,
} from './node/mesh-node.js';
export type {
  /** A connected peer as `node.peers()` reports it: node id, address, health and round-trip time. */
  PeerInfo,
  /** A change of a peer's state, from `node.peerEvents()`. */
  PeerEvent,
  /** What happened to a peer: its session came up, it was suspected, declared failed, or recovered. */
  PeerEventKind,
} from './node/peer.js';
export type {
  /** Options of `node.connect`: an AbortSignal and a bound on the whole connect (`timeoutMs`). */
  ConnectOptions,
} from './node/connect-args.js';
export type {
  /** Which initiators a node answers (`MeshNode.create({ accept })`): "listed" (accept()ed ids) or "any" holder of the PSK. */
  AcceptPolicy,
} from './node/node-options.js';
export type {
  /** A peer's health as the failure detector sees it: "healthy", "suspected" or "failed". */
  Health,
} from './node/failure-detector.js';
export {
  /**
   * A stream to one peer, from `node.openStream(peer, streamId, config)`: `send` waits for credit,
   * `trySend` reports backpressure, `closeGraceful` waits for every reliable send to be acked.
   */
  Stream,
  /** Figures of `stream.stats()`: sent, acked, retransmits, NACKs, RTO, cwnd, credit, and `closed`. */
  type StreamStats,
} from './streams/stream.js';
export type {
  /** How a stream sends (sdk.md "Streams"): reliability, the fair scheduler, weight, priority, window, retries. */
  StreamConfig,
} from './streams/config.js';
export type {
  /** One event delivered by `node.events()`: its sender, stream, sequence number and payload. */
  ReceivedEvent,
} from './node/inbound.js';

// Capabilities (fold.md §2, §7, §8)
export type { AnnounceOptions } from './node/capability-service.js';
export { CapabilityFold, type FoldInsertOptions } from './fold/capability-fold.js';
export { CapabilityFilter, type CapabilityQuery } from './fold/query.js';
export { Tag } from './fold/tag.js';
export type {
  CapabilitySet,
  GpuCapability,
  GpuVendor,
  Modality,
  ModelCapability,
  ResourceLimits,
  SoftwareCapability,
  ToolCapability,
} from './fold/capabilities.js';

// Transports (sdk.md "Transports")
export * from './transports/index.js';

// MeshOS and Deck (meshos-cli.md §1–§2 and §5 decision 6, sdk.md "MeshOS / Deck"): `node.meshos`,
// `node.deck` and the snapshot types they hand out.
export type { MeshOs, MeshOsOptions } from './meshos/meshos.js';
export type { DeckClient, DeckStream } from './meshos/deck.js';
export type {
  MeshOsSnapshot,
  SnapshotCounters,
  DaemonSnapshot,
  DaemonLifecycle,
  DaemonHealth,
  RestartState,
  ReplicaSnapshot,
  PeerSnapshot,
  PeerHealth,
  MaintenanceMirror,
  AvoidEntrySnapshot,
  MaintenanceStateSnapshot,
  EmittedActionSnapshot,
  FailureRecord,
  AdminAuditRecord,
  LogLevel,
  LogRecord,
  MigrationSnapshot,
  BlobSnapshot,
  SchedulingSnapshot,
  AdminEvent,
  AdminEventKind,
  DaemonContext,
  DaemonSpec,
  DaemonHandle,
  StatusSummary,
  MeshOsClock,
} from './meshos/types.js';

// Channels (channels.md §10, sdk.md "Channels")
export * from './channels/index.js';

// nRPC wire codecs (rpc-tools.md §2–§3) and the response status table (sdk.md "Wire codecs and tool formats")
export {
  nrpc,
  RpcStatus,
  type RpcStatusName,
  type EventMeta,
  type RpcHeader,
  type RequestPayload,
  type ResponsePayload,
  type RequestChunkPayload,
  type RequestGrant,
  type RequestInput,
  type ResponseInput,
  type RequestChunkInput,
  type HeaderInput,
  type Frame,
} from './rpc/index.js';

/** Serving and calling nRPC (sdk.md "nRPC and tools", rpc-tools.md §4–§5, §10): handler, call and stream shapes. */
export type {
  RpcContext,
  RpcHandler,
  ClientStreamHandler,
  DuplexHandler,
  ServeOptions,
  CallOptions,
  StreamCallOptions,
  UploadCallOptions,
  StreamCall,
  UploadCall,
  ClientStreamCall,
  DuplexCall,
  SelectionPolicy,
  CallServiceOptions,
} from './rpc/types.js';
export type { RpcOptions } from './rpc/options.js';
export type { RpcStats } from './rpc/runtime.js';
export type { ServedService } from './rpc/layer.js';
export type { FoldImportReport } from './rpc/fold-export-service.js';
export type { FoldExportRequest } from './fold/capability-fold.js';
export type { ToolHandler, StreamingToolHandler, ServedTool, CallToolOptions } from './tools/runtime.js';
// AI tools: descriptors, provider formats (`toolFormats`) and discovery types (rpc-tools.md §7–§8)
export * from './tools/index.js';

// Dataforts (dataforts.md §10, sdk.md "Dataforts")
export * from './dataforts/index.js';
