// net-mesh/core: the WASM core primitives, usable on their own (sdk.md "Core primitives"), and the
// errors they throw. Nothing else: the package's other names live in net-mesh (ts/index.ts).
export { initCore } from './wasm.js';
export { blake3, Blake3, type Blake3Options } from './blake3.js';
export { ChaCha20Poly1305 } from './aead.js';
export { encodeHeader, decodeHeader, type PacketHeader } from './header.js';
export { encodeRoutingHeader, decodeRoutingHeader, ROUTING_HEADER_SIZE, type RoutingHeader } from './routing-header.js';
export { NetMeshError, InvalidArgumentError, MalformedPacketError, AuthenticationError, ClosedError, CoreError, type NetMeshErrorCode } from '../errors.js';
