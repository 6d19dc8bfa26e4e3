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
  CoreError,
  UnsupportedRuntimeError,
  type NetMeshErrorCode,
} from './errors.js';
export { KeyDerivationMismatchError, type KeyDerivationMode } from './session/handshake.js';
export { Identity, nodeIdFromPublicKey, originHashFromPublicKey } from './identity/index.js';

// MeshNode and streams
export { MeshNode, type MeshNodeOptions, type NodeStats } from './node/mesh-node.js';
export type { PeerInfo, PeerEvent, PeerEventKind } from './node/peer.js';
export type { Health } from './node/failure-detector.js';
export { Stream, type StreamStats } from './streams/stream.js';
export type { StreamConfig } from './streams/config.js';
export type { ReceivedEvent } from './streams/stream-engine.js';

// Capabilities (fold.md §2, §7, §8)
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
export type { Datagram, Transport, TransportStats } from './transports/transport.js';
export { NodeDgramTransport, type NodeDgramOptions } from './transports/node-dgram.js';
export { DenoTransport, type DenoTransportOptions } from './transports/deno.js';
export { BunTransport, type BunTransportOptions } from './transports/bun.js';
export {
  MemoryHub,
  MemoryTransport,
  type MemoryHubOptions,
  type MemoryHubStats,
  type LinkConditions,
  type Tap,
  type TapVerdict,
} from './transports/memory-hub.js';
