// The package's runtime surface, one list per entry point. test/package/public-surface.test.ts
// fails when the built package exports a name that is not listed here, or misses a listed one.
// What belongs here is decided by sdk.md and the "TypeScript SDK: further names" sections of the
// other specs: append a name in the same change that exports it (channels, rpc, dataforts, meshos).
// Types are not listed (they have no runtime presence); docs/api.md covers them.

/** `net-mesh/core`: sdk.md "Core primitives" and the errors they throw. */
export const CORE_NAMES = [
  'initCore',
  'blake3',
  'Blake3',
  'ChaCha20Poly1305',
  'encodeHeader',
  'decodeHeader',
  // the routing header beside the Net header (wire.md §7; Net v0.27's routing_header.json vector)
  'encodeRoutingHeader',
  'decodeRoutingHeader',
  'ROUTING_HEADER_SIZE',
  'NetMeshError',
  'InvalidArgumentError',
  'MalformedPacketError',
  'AuthenticationError',
  'ClosedError',
  'CoreError',
];

/** `net-mesh`: everything of `net-mesh/core`, plus these. */
export const INDEX_NAMES = [
  ...CORE_NAMES,
  // errors
  'ReplayError',
  'HandshakeError',
  'KeyDerivationMismatchError',
  'BackpressureError',
  'NotConnectedError',
  'StreamResetError',
  'TransportError',
  'UnsupportedRuntimeError',
  'EngineFailedError',
  'DeckError',
  'TokenError',
  'MembershipRejectedError',
  'MembershipTimeoutError',
  'PublishDeniedError',
  'PublishFailedError',
  'ChannelReliabilityError',
  'RpcCodecError',
  'BodyTooLargeError',
  'ToolCallParseError',
  'ToolEventParseError',
  // nRPC call errors (rpc-tools.md §4, §10)
  'RpcError',
  'RpcTimeoutError',
  'RpcCancelledError',
  'RpcNoRouteError',
  'RpcCapabilityDeniedError',
  'RpcTransportError',
  'RpcBadResponseError',
  'ToolCallError',
  'AlreadyServingError',
  // identity (sdk.md "Identity"; fold.md §1 derivations)
  'Identity',
  'nodeIdFromPublicKey',
  'originHashFromPublicKey',
  // MeshNode and streams
  'MeshNode',
  'Stream',
  // capabilities (sdk.md "Capabilities", fold.md §8)
  'CapabilityFold',
  'CapabilityFilter',
  'Tag',
  // transports (sdk.md "Transports")
  'NodeDgramTransport',
  'DenoTransport',
  'BunTransport',
  'MemoryHub',
  'MemoryTransport',
  'WebTransportTransport',
  // channels (channels.md §10)
  'ChannelName',
  'channelHash',
  'wireChannelHash',
  'PermissionToken',
  'TokenScope',
  'TokenChain',
  'TokenCache',
  'RevocationRegistry',
  // nRPC wire codecs and statuses (sdk.md "Wire codecs and tool formats", rpc-tools.md §10)
  'nrpc',
  'RpcStatus',
  // AI tools (sdk.md "Wire codecs and tool formats", rpc-tools.md §7)
  'toolFormats',
  'toolDescriptorFromJSON',
  'toolDescriptorToJSON',
  // dataforts (sdk.md "Dataforts", dataforts.md §10)
  'BlobRef',
  'DirManifest',
  'transferWire',
  'chunkPayload',
  'storeBlobReader',
  'storeDir',
  'MemoryChunkStore',
  'DiskChunkStore',
  'TransferError',
  'NotFoundError',
  'AllPeersFailedError',
  'HashMismatchError',
  'SubstrateError',
];

/** `net-mesh/cli`: the CLI's programmatic entry. */
export const CLI_NAMES = ['main', 'VERSION'];

/** Package entry point → its built module (relative to the repository root) and its names. */
export const ENTRY_POINTS: Record<string, { module: string; names: readonly string[] }> = {
  'net-mesh': { module: 'dist/node/index.mjs', names: INDEX_NAMES },
  'net-mesh/core': { module: 'dist/node/core.mjs', names: CORE_NAMES },
  'net-mesh/cli': { module: 'dist/node/cli-lib.mjs', names: CLI_NAMES },
};
