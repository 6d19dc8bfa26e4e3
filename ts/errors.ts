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
  | 'KEY_DERIVATION_MISMATCH'
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
  // the WebTransport relay's framing (MalformedPacketError)
  | 'RELAY_FRAME_MALFORMED'
  // DeckError: DECK_<KIND>, open-ended like Net v0.27.0's Deck error kinds
  | `DECK_${string}`;

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
