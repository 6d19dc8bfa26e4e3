// Every failure the SDK reports is a NetMeshError subclass with a stable string `code`.

export class NetMeshError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A datagram or header that fails validation (wire.md §2, §5). */
export class MalformedPacketError extends NetMeshError {
  constructor(message: string, code = 'MALFORMED_PACKET') {
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
  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
  constructor(message: string, code = 'NOT_CONNECTED') {
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

// ---- dataforts (dataforts.md §6): every blob, transfer and directory failure is a TransferError ----

/** Base of the blob-transfer errors (dataforts.md §6); messages start with `transfer: `. */
export class TransferError extends NetMeshError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
