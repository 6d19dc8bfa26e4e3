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
