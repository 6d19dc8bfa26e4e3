// net-mesh/core: the WASM core primitives, usable on their own (sdk.md "Core primitives").
export { initCore, coreModule } from './wasm.js';
export { blake3, blake3Portable, keyedHash, deriveKey, Blake3, BLAKE3_OUT_LEN, BLAKE3_KEY_LEN, type Blake3Options } from './blake3.js';
export { xxh3_64 } from './xxh3.js';
export { ChaCha20Poly1305, AEAD_KEY_SIZE, AEAD_NONCE_SIZE, AEAD_TAG_SIZE } from './aead.js';
export { blake2s, hmacBlake2s, hkdfBlake2s, BLAKE2S_OUT_LEN, BLAKE2S_KEY_LEN, type Blake2sOptions } from './blake2s.js';
export { sha512, SHA512_OUT_LEN } from './sha512.js';
export { x25519, x25519PublicKey, X25519_KEY_SIZE } from './x25519.js';
export { ed25519PublicKey, ed25519Sign, ed25519Verify, ED25519_SEED_SIZE, ED25519_PUBLIC_KEY_SIZE, ED25519_SIGNATURE_SIZE } from './ed25519.js';
export * from './packet.js';
export { StreamState, maxPendingForWindow, MAX_ACK_PROBES, type StreamStateConfig, type Admission, type StoredPacket, type TickActions, type GrantValues, type GrantOutcome, type StreamCoreStats, type Refusal } from './reliable.js';
export { startCoreWorker, type CoreWorker, type RemoteCore } from './worker-host.js';
export { CoreService } from './core-service.js';
export * as batchFormat from './batch-format.js';
export {
  NetMeshError,
  MalformedPacketError,
  AuthenticationError,
  ReplayError,
  InvalidArgumentError,
  ClosedError,
} from '../errors.js';
