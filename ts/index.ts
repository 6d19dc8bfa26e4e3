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
  TransferError,
  NotFoundError,
  AllPeersFailedError,
  HashMismatchError,
  SubstrateError,
  type SubstrateErrorKind,
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
export * from './dataforts/index.js';
