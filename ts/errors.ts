// Every failure the SDK reports is a NetMeshError subclass with a stable string `code`.

/**
 * The stable error codes, the one list of them: a new code is added here, next to the class that
 * carries it, so `err.code` stays a closed union users can switch on.
 */
export type NetMeshErrorCode =
  // InvalidArgumentError
  | 'INVALID_ARGUMENT'
  // MalformedPacketError: a datagram, header or encoded structure that fails validation
  | 'MALFORMED_PACKET'
  | 'MALFORMED_ANNOUNCEMENT'
  | 'MALFORMED_FOLD_EXPORT'
  | 'MALFORMED_SNAPSHOT'
  // AuthenticationError, ReplayError
  | 'AUTH_FAILED'
  | 'REPLAY'
  // HandshakeError (and KeyDerivationMismatchError)
  | 'HANDSHAKE_TIMEOUT'
  | 'HANDSHAKE_AUTH'
  | 'HANDSHAKE_MALFORMED'
  | 'HANDSHAKE_CLOSED'
  | 'HANDSHAKE_FAILED'
  | 'HANDSHAKE_NO_ROUTE'
  | 'KEY_DERIVATION_MISMATCH'
  // HandshakeError from connect(): ICMP port/host unreachable, the AbortSignal fired, a host name
  // the runtime could not resolve
  | 'PEER_UNREACHABLE'
  | 'CONNECT_ABORTED'
  | 'ADDRESS_UNRESOLVED'
  // BackpressureError, NotConnectedError, StreamResetError
  | 'BACKPRESSURE'
  | 'NOT_CONNECTED'
  | 'STREAM_CLOSED'
  | 'STREAM_EPOCH'
  | 'CLOSE_TIMEOUT'
  | 'STREAM_RESET'
  // TransportError, ClosedError
  | 'TRANSPORT'
  | 'CLOSED'
  // CoreError, UnsupportedRuntimeError
  | 'CORE_OUT_OF_MEMORY'
  | 'CORE_ABI_MISMATCH'
  | 'UNSUPPORTED_RUNTIME'
  // EngineFailedError: the engine (worker) died
  | 'ENGINE_FAILED'
  // HashWorkerFailedError: a hashing worker died with hashes pending
  | 'HASH_WORKER_FAILED'
  // the WebTransport relay's framing (MalformedPacketError)
  | 'RELAY_FRAME_MALFORMED'
  // DeckError: DECK_<KIND>, open-ended like Net v0.27.0's Deck error kinds
  | `DECK_${string}`
  // channels: TokenError, MembershipRejectedError, MembershipTimeoutError, PublishDeniedError,
  // PublishFailedError, ChannelReliabilityError; membership frames that do not decode
  | 'TOKEN_ERROR'
  | 'MALFORMED_MEMBERSHIP'
  | 'MEMBERSHIP_REJECTED'
  | 'MEMBERSHIP_TIMEOUT'
  | 'PUBLISH_DENIED'
  | 'PUBLISH_FAILED'
  | 'CHANNEL_RELIABILITY_CONFLICT'
  // nRPC and tools: RpcCodecError, BodyTooLargeError, ToolCallParseError, ToolEventParseError,
  // AlreadyServingError
  | 'RPC_TRUNCATED'
  | 'RPC_TOO_LARGE'
  | 'RPC_INVALID_UTF8'
  | 'RPC_BAD_LENGTH'
  | 'BODY_TOO_LARGE'
  | 'TOOL_CALL_PARSE'
  | 'TOOL_EVENT_PARSE'
  | 'ALREADY_SERVING'
  // RpcError and its subclasses: how an nRPC call failed (rpc-tools.md §4)
  | 'RPC_SERVER_ERROR'
  | 'RPC_TIMEOUT'
  | 'RPC_CANCELLED'
  | 'RPC_NO_ROUTE'
  | 'RPC_CAPABILITY_DENIED'
  | 'RPC_TRANSPORT'
  | 'RPC_BAD_RESPONSE'
  // CliError and TypegenError (exit codes of meshos-cli.md §3.7)
  | 'CLI_USAGE'
  | 'CLI_ATTACH'
  | 'CLI_IDENTITY'
  | 'CLI_TRANSFER'
  | 'CLI_IO'
  | 'CLI_TIMEOUT'
  | 'CLI_RELAY'
  | `CONFIG_${string}`
  | `TYPEGEN_${string}`
  // dataforts: TransferError and its subclasses, BLOB_<KIND>
  | `BLOB_${string}`;

/** The base class of every error net-mesh reports; `code` says what went wrong, stably. */
export class NetMeshError extends Error {
  /** The stable code; messages may change between versions, codes do not. */
  readonly code: NetMeshErrorCode;
  constructor(code: NetMeshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A datagram or header that fails validation (wire.md §2, §5). */
export class MalformedPacketError extends NetMeshError {
  constructor(message: string, code: NetMeshErrorCode = 'MALFORMED_PACKET') {
    super(code, message);
  }
}

/** AEAD tag verification failed. */
export class AuthenticationError extends NetMeshError {
  constructor(message = 'authentication failed: the tag does not verify') {
    super('AUTH_FAILED', message);
  }
}

/** A counter the replay window refuses (wire.md §13). */
export class ReplayError extends NetMeshError {
  constructor(message = 'replayed or too old nonce counter') {
    super('REPLAY', message);
  }
}

/** A caller passed an argument of the wrong type, size or range; the message names it. */
export class InvalidArgumentError extends NetMeshError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The Noise handshake failed; `code` names the cause (HANDSHAKE_TIMEOUT, HANDSHAKE_AUTH, ...). */
export class HandshakeError extends NetMeshError {
  constructor(code: NetMeshErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** No credit, cwnd or queue room right now; retry later (streams.md §1). */
export class BackpressureError extends NetMeshError {
  constructor(message = 'backpressure: no send credit or queue room') {
    super('BACKPRESSURE', message);
  }
}

/** No session, no live stream record, stale epoch, closed or reset stream (streams.md §1). */
export class NotConnectedError extends NetMeshError {
  constructor(message: string, code: NetMeshErrorCode = 'NOT_CONNECTED') {
    super(code, message);
  }
}

/** The peer (or this node) reset the stream after retransmission gave up (streams.md §14 (b)). */
export class StreamResetError extends NetMeshError {
  constructor(message: string) {
    super('STREAM_RESET', message);
  }
}

/** A socket failed. */
export class TransportError extends NetMeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSPORT', message, options);
  }
}

/** The object was closed or disposed and can no longer be used. */
export class ClosedError extends NetMeshError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/**
 * The WebAssembly core could not serve the call: its memory cannot grow (CORE_OUT_OF_MEMORY), or
 * the loaded module speaks another ABI version than this build (CORE_ABI_MISMATCH).
 */
export class CoreError extends NetMeshError {
  constructor(code: 'CORE_OUT_OF_MEMORY' | 'CORE_ABI_MISMATCH', message: string) {
    super(code, message);
  }
}

/** The running JavaScript runtime lacks something net-mesh needs here (a built-in module, an API). */
export class UnsupportedRuntimeError extends NetMeshError {
  constructor(message: string) {
    super('UNSUPPORTED_RUNTIME', message);
  }
}

const DECK_ENVELOPE = /^<<deck-sdk-kind:([a-z0-9_]+)>>([\s\S]*)$/;

/**
 * A Deck watch surface failed (meshos-cli.md §2). `kind` is Net v0.27.0's Deck error kind
 * (`watch_timeout`, `loop_closed`, ...; unknown kinds are kept as they are); `code` is
 * `DECK_<KIND>`. `envelope` renders it as `<<deck-sdk-kind:KIND>>MESSAGE`.
 */
export class DeckError extends NetMeshError {
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(`DECK_${kind.toUpperCase()}`, message);
    this.kind = kind;
  }

  get envelope(): string {
    return `<<deck-sdk-kind:${this.kind}>>${this.message}`;
  }

  /** Parses a `<<deck-sdk-kind:KIND>>MESSAGE` envelope; undefined when the text is not one. */
  static fromEnvelope(text: string): DeckError | undefined {
    const m = DECK_ENVELOPE.exec(text);
    return m ? new DeckError(m[1]!, m[2]!) : undefined;
  }
}

/** Token failure kinds (channels.md §3–§4); local diagnostics, never on the wire. */
export type TokenErrorKind =
  | 'InvalidFormat'
  | 'InvalidSignature'
  | 'Expired'
  | 'NotYetValid'
  | 'Revoked'
  | 'NotAuthorized'
  | 'DelegationExhausted'
  | 'DelegationNotAllowed'
  | 'ZeroTtl'
  | 'TtlTooLong'
  | 'ReadOnly';

/** A permission token or chain failed to decode, issue, delegate or verify; `kind` says how. */
export class TokenError extends NetMeshError {
  readonly kind: TokenErrorKind;
  constructor(kind: TokenErrorKind, message: string) {
    super('TOKEN_ERROR', `${kind}: ${message}`);
    this.kind = kind;
  }
}

/** Membership Ack rejection reasons (channels.md §6); the numeric codes are the wire values. */
export type MembershipRejectReason = 'Unauthorized' | 'UnknownChannel' | 'RateLimited' | 'TooManyChannels';

/** The publisher answered a subscribe with a rejection; `reason` names it, `reasonCode` is the wire byte. */
export class MembershipRejectedError extends NetMeshError {
  readonly reason: MembershipRejectReason;
  readonly reasonCode: number;
  constructor(reason: MembershipRejectReason, reasonCode: number, message: string) {
    super('MEMBERSHIP_REJECTED', message);
    this.reason = reason;
    this.reasonCode = reasonCode;
  }
}

/** No membership Ack arrived from the publisher within the ack timeout (re-sends included). */
export class MembershipTimeoutError extends NetMeshError {
  constructor(message: string) {
    super('MEMBERSHIP_TIMEOUT', message);
  }
}

/** This node's own capabilities or credential do not allow it to publish on the channel; nothing was sent. */
export class PublishDeniedError extends NetMeshError {
  constructor(message: string) {
    super('PUBLISH_DENIED', message);
  }
}

/**
 * A best-effort publish reached nobody and at least one recipient failed (channels.md §8.3);
 * `report` holds every recipient's error, `cause` the first.
 */
export class PublishFailedError extends NetMeshError {
  readonly report: { attempted: number; delivered: number; errors: [bigint, Error][] };
  constructor(message: string, report: { attempted: number; delivered: number; errors: [bigint, Error][] }) {
    super('PUBLISH_FAILED', message, { cause: report.errors[0]?.[1] });
    this.report = report;
  }
}

/**
 * A reliable publish met this channel's stream to that peer already running unreliable: one stream
 * record per (peer, channel) fixes its reliability when it is created (streams.md §2).
 */
export class ChannelReliabilityError extends NetMeshError {
  constructor(message: string) {
    super('CHANNEL_RELIABILITY_CONFLICT', message);
  }
}

/** Why an nRPC codec refused bytes or values (rpc-tools.md §3). */
export type RpcCodecErrorKind = 'truncated' | 'too_large' | 'invalid_utf8' | 'bad_length';

const RPC_CODEC_CODES: Record<RpcCodecErrorKind, NetMeshErrorCode> = {
  truncated: 'RPC_TRUNCATED',
  too_large: 'RPC_TOO_LARGE',
  invalid_utf8: 'RPC_INVALID_UTF8',
  bad_length: 'RPC_BAD_LENGTH',
};

/**
 * An nRPC frame or payload that does not decode (or a value the encoder cannot represent).
 * `field` names the wire field; the message is Net v0.27's wording (`truncated payload at body
 * bytes`, `length 40 exceeds limit 32 for headers`, `non-utf8 string in service`), which servers
 * echo in `malformed request: <message>` bodies. Codes: RPC_TRUNCATED, RPC_TOO_LARGE,
 * RPC_INVALID_UTF8, RPC_BAD_LENGTH (fixed-size payloads such as grants).
 */
export class RpcCodecError extends NetMeshError {
  readonly kind: RpcCodecErrorKind;
  readonly field: string;
  readonly direction: 'encode' | 'decode';
  readonly actual: number | undefined;
  readonly limit: number | undefined;
  constructor(kind: RpcCodecErrorKind, field: string, opts: { direction?: 'encode' | 'decode'; actual?: number; limit?: number } = {}) {
    const message =
      kind === 'truncated'
        ? `truncated payload at ${field}`
        : kind === 'too_large'
          ? `length ${opts.actual} exceeds limit ${opts.limit} for ${field}`
          : kind === 'invalid_utf8'
            ? `non-utf8 string in ${field}`
            : `${field} must be exactly ${opts.limit} bytes, got ${opts.actual}`;
    super(RPC_CODEC_CODES[kind], message);
    this.kind = kind;
    this.field = field;
    this.direction = opts.direction ?? 'decode';
    this.actual = opts.actual;
    this.limit = opts.limit;
  }
}

/**
 * An nRPC frame that does not fit in one event (wire.md §5: 8104 bytes including the 24-byte
 * EventMeta), refused before anything is sent. Larger payloads go through streaming.
 */
export class BodyTooLargeError extends NetMeshError {
  constructor(
    readonly size: number,
    readonly limit: number,
    what = 'nRPC frame',
  ) {
    super('BODY_TOO_LARGE', `${what} is ${size} bytes; one event holds at most ${limit} bytes (MAX_EVENT_SIZE, EventMeta included): stream larger payloads`);
  }
}

/** A provider's tool-call reply that does not have the provider's shape (rpc-tools.md §7.1). */
export class ToolCallParseError extends NetMeshError {
  constructor(message: string) {
    super('TOOL_CALL_PARSE', message);
  }
}

/** A streaming-tool event that is not one of the five `ToolEvent` shapes (rpc-tools.md §7). */
export class ToolEventParseError extends NetMeshError {
  constructor(message: string) {
    super('TOOL_EVENT_PARSE', message);
  }
}

/** This node already serves a tool with that id (rpc-tools.md §7 `AlreadyServing`). */
export class AlreadyServingError extends NetMeshError {
  constructor(readonly toolId: string) {
    super('ALREADY_SERVING', `tool ${JSON.stringify(toolId)} is already served by this node`);
  }
}

/** The `code` of an RpcError: which of the caller errors of rpc-tools.md §4 it is. */
export type RpcErrorCode = 'RPC_SERVER_ERROR' | 'RPC_TIMEOUT' | 'RPC_CANCELLED' | 'RPC_NO_ROUTE' | 'RPC_CAPABILITY_DENIED' | 'RPC_TRANSPORT' | 'RPC_BAD_RESPONSE';

/**
 * An nRPC call ended without success. `status` is the wire status (an `RpcStatus` value, or an
 * application status 0x8000–0xFFFF). A handler throws `new RpcError(status, message)` to answer
 * with that status and message; a caller gets an RpcError whose `code` is RPC_SERVER_ERROR when
 * the server answered a non-Ok status (the message is the response body), or one of the
 * subclasses below for failures on the caller's side (each with the status that matches it).
 */
export class RpcError extends NetMeshError {
  /** The wire status (u16). */
  readonly status: number;
  constructor(status: number, message?: string, options?: { cause?: unknown; code?: RpcErrorCode }) {
    if (!Number.isInteger(status) || status < 0 || status > 0xffff) throw new InvalidArgumentError(`RpcError status must be an integer in 0..65535, got ${String(status)}`);
    super(options?.code ?? 'RPC_SERVER_ERROR', message ?? `nRPC status ${status}`, options);
    this.status = status;
  }
}

/** The call's deadline passed before a reply (status Timeout, 3); a CANCEL was sent. */
export class RpcTimeoutError extends RpcError {
  constructor(readonly elapsedMs: number) {
    super(3, `nRPC call timed out after ${Math.round(elapsedMs)} ms`, { code: 'RPC_TIMEOUT' });
  }
}

/** The caller cancelled the call (its AbortSignal, `cancel()`, or the node closed); status Cancelled (5). */
export class RpcCancelledError extends RpcError {
  constructor(message = 'nRPC call cancelled', options?: { cause?: unknown }) {
    super(5, message, { ...options, code: 'RPC_CANCELLED' });
  }
}

/**
 * The target cannot be reached for this service: no session, the reply-channel subscribe was
 * rejected or timed out, or no node serves the service. Status NotFound (1); `reason` says which.
 */
export class RpcNoRouteError extends RpcError {
  constructor(
    readonly target: bigint | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(1, target === undefined ? `no route: ${reason}` : `no route to node ${target}: ${reason}`, { ...options, code: 'RPC_NO_ROUTE' });
  }
}

/** The target's capability allow-lists do not admit this node for `capability` (status CapabilityDenied, 8). */
export class RpcCapabilityDeniedError extends RpcError {
  constructor(
    readonly target: bigint | undefined,
    readonly capability: string,
  ) {
    super(8, target === undefined ? `no node admits this caller for ${capability}` : `node ${target} does not admit this caller for ${capability}`, { code: 'RPC_CAPABILITY_DENIED' });
  }
}

/** The call's frames could not be sent or the stream carrying them failed (status Internal, 6). */
export class RpcTransportError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(6, message, { ...options, code: 'RPC_TRANSPORT' });
  }
}

/** A reply that does not decode as the caller expects (e.g. JSON of a tool call); status UnknownVersion (7). */
export class RpcBadResponseError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(7, message, { ...options, code: 'RPC_BAD_RESPONSE' });
  }
}

/** A tool call whose tool answered an `error` ToolEvent (status 0x8001); `toolCode` and `details` are the event's. */
export class ToolCallError extends RpcError {
  constructor(
    readonly toolId: string,
    readonly toolCode: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(0x8001, `tool ${toolId} failed (${toolCode}): ${message}`);
  }
}

/**
 * A `net-mesh` command failed; `exitCode` is the process exit code of meshos-cli.md §3.7
 * (2 usage, 1 local I/O, 3 config/substrate, 6 connection, 7 timeout, 14 typegen BREAKING).
 */
export class CliError extends NetMeshError {
  constructor(
    code: NetMeshErrorCode,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A typegen failure (rpc-tools.md §9.9): snapshot I/O (exit 1), bad snapshot or collision (exit 2). */
export class TypegenError extends CliError {}

// ---- dataforts (dataforts.md §6): every blob, transfer and directory failure is a TransferError ----

/** Base of the blob-transfer errors (dataforts.md §6); messages start with `transfer: `. */
export class TransferError extends NetMeshError {
  constructor(code: NetMeshErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message.startsWith('transfer: ') ? message : `transfer: ${message}`, options);
  }
}

/** The holder does not have the chunk, or it did not arrive in time (callers may fail over). */
export class NotFoundError extends TransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BLOB_NOT_FOUND', message, options);
  }
}

/** Discovery tried every candidate holder and none delivered a verified chunk. */
export class AllPeersFailedError extends TransferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BLOB_ALL_PEERS_FAILED', message, options);
  }
}

/** Bytes whose BLAKE3 is not the expected hash; nothing built from them was kept. */
export class HashMismatchError extends TransferError {
  constructor(
    readonly expected: Uint8Array,
    readonly actual: Uint8Array,
    message?: string,
  ) {
    super('BLOB_HASH_MISMATCH', message ?? `hash mismatch: expected ${hexOf(expected)}, got ${hexOf(actual)}`);
  }
}

/**
 * Every other blob failure (dataforts.md §6 "Substrate"). `kind` names it and the code is
 * `BLOB_<KIND>`: decode (malformed bytes), unsupported_version, backend (the transfer broke: reset,
 * dropped, bad header), cancelled, no_route (the source is not a direct peer), holder_failed (its
 * session failed), manifest (directory manifest unusable), unsafe_path, io (local file system).
 */
export class SubstrateError extends TransferError {
  constructor(
    readonly kind: SubstrateErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`BLOB_${kind.toUpperCase()}`, message, options);
  }
}

/** What a SubstrateError is about; its code is `BLOB_<KIND>` (dataforts.md §6). */
export type SubstrateErrorKind =
  | 'decode'
  | 'unsupported_version'
  | 'backend'
  | 'cancelled'
  | 'no_route'
  | 'holder_failed'
  | 'manifest'
  | 'unsafe_path'
  | 'io';

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** The engine (a node's packet path, usually in its core worker) stopped: the node is unusable. */
export class EngineFailedError extends NetMeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ENGINE_FAILED', message, options);
  }
}

/** A hashing worker (ts/core/hash-worker.ts) died or failed with this hash pending; the next hash starts a new one. */
export class HashWorkerFailedError extends NetMeshError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HASH_WORKER_FAILED', message, options);
  }
}
