// net-mesh: the public surface of sdk.md. Everything public is re-exported here; nothing else is.
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
  type RpcCodecErrorKind,
} from './errors.js';
export { Identity, nodeIdFromPublicKey, originHashFromPublicKey, routingIdOf } from './identity/index.js';
export { parsePsk, generateNoiseKeypair, type KeyDerivationMode, type SessionKeys } from './session/handshake.js';
export { MeshNode, type MeshNodeOptions, type NodeStats } from './node/mesh-node.js';
export type { PeerInfo, PeerEvent, PeerEventKind } from './node/peer.js';
export type { Health } from './node/failure-detector.js';
export { Stream, type StreamStats } from './streams/stream.js';
export type { StreamConfig } from './streams/config.js';
export type { ReceivedEvent } from './streams/stream-engine.js';
export { FairScheduler } from './streams/fair-scheduler.js';
export * from './transports/index.js';
export * from './fold/index.js';
/** MeshOS and Deck (meshos-cli.md §1–§2, sdk.md "MeshOS / Deck"): `node.meshos`, `node.deck`. */
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
export * from './channels/index.js';
/** nRPC wire codecs (rpc-tools.md §2–§3) and the response status table. */
export { nrpc, RpcStatus, type RpcStatusName, type EventMeta, type RpcHeader, type RequestPayload, type ResponsePayload, type RequestChunkPayload, type RequestGrant } from './rpc/index.js';
/** AI tool descriptors, provider formats (`toolFormats`) and discovery types (rpc-tools.md §7–§8). */
export * from './tools/index.js';
