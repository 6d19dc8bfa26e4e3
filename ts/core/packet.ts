// One-call packet seal/open (wire.md §5, §12, §13) over a PacketSession or a bare key, plus the
// unencrypted HANDSHAKE packet. The batch API lives on PacketSession (session.ts).
import { InvalidArgumentError, ReplayError } from '../errors.js';
import {
  checkHeader,
  checkU64,
  encodeHeader,
  HEADER_SIZE,
  makeHeader,
  MAX_PAYLOAD_SIZE,
  PacketFlags,
  readHeader,
} from './header.js';
import { malformedPacket } from './packet-status.js';
import type { ReplayWindow } from './replay.js';
import { PacketSession, type OpenedPacket, type SealHeader } from './session.js';

export * from './header.js';
export * from './frames.js';
export * from './replay.js';
export * from './session.js';
export { PacketStatus, malformedReason, type MalformedReason, type MalformedPacketErrorWithReason } from './packet-status.js';

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new InvalidArgumentError('key must be a 32-byte Uint8Array');
}

/**
 * Seals `events` into exactly one packet and returns the datagram (header ‖ ciphertext ‖ tag).
 * With a session: takes the session's next TX counter. With a bare key: `header.sessionId` sets the
 * session id (and nonce prefix) and `counter` is the TX counter to use (the caller guarantees it is
 * never reused). Throws InvalidArgumentError when the events do not fit one packet or an event
 * exceeds 8104 bytes.
 */
export function sealPacket(session: PacketSession, header: SealHeader, events: readonly Uint8Array[]): Uint8Array;
export function sealPacket(
  key: Uint8Array,
  header: SealHeader & { sessionId: bigint },
  events: readonly Uint8Array[],
  counter: bigint,
): Uint8Array;
export function sealPacket(
  keyOrSession: Uint8Array | PacketSession,
  header: SealHeader & { sessionId?: bigint },
  events: readonly Uint8Array[],
  counter?: bigint,
): Uint8Array {
  if (keyOrSession instanceof PacketSession) return keyOrSession.seal(header, events);
  checkKey(keyOrSession);
  if (header?.sessionId === undefined) throw new InvalidArgumentError('sealPacket with a key needs header.sessionId');
  checkU64('sessionId', header.sessionId);
  if (counter === undefined) throw new InvalidArgumentError('sealPacket with a key needs the TX counter');
  checkU64('counter', counter);
  const s = new PacketSession({ txKey: keyOrSession, rxKey: keyOrSession, sessionId: header.sessionId });
  try {
    s.advanceTxCounter(counter);
    return s.seal(header, events);
  } finally {
    s.dispose();
  }
}

/**
 * Opens one datagram: header validation, the length rule, AEAD open with the receiver's own nonce
 * prefix (header bytes 12..16 are ignored), replay admission, frame parsing. Throws
 * MalformedPacketError (with `reason`), AuthenticationError or ReplayError. With a session its RX
 * key and replay window are used. With a bare key: `opts.sessionId` (default: the header's) gives
 * the prefix, and `opts.replay`, if given, is consulted after authentication. HANDSHAKE datagrams
 * are returned as `kind: 'handshake'` with the raw message as payload (no crypto).
 */
export function openPacket(session: PacketSession, datagram: Uint8Array): OpenedPacket;
export function openPacket(key: Uint8Array, datagram: Uint8Array, opts?: { sessionId?: bigint; replay?: ReplayWindow }): OpenedPacket;
export function openPacket(
  keyOrSession: Uint8Array | PacketSession,
  datagram: Uint8Array,
  opts: { sessionId?: bigint; replay?: ReplayWindow } = {},
): OpenedPacket {
  if (!(datagram instanceof Uint8Array)) throw new InvalidArgumentError('datagram must be a Uint8Array');
  if (keyOrSession instanceof PacketSession) return keyOrSession.open(datagram);
  checkKey(keyOrSession);
  const status = checkHeader(datagram);
  if (status !== 0) throw malformedPacket(status);
  const sessionId = opts.sessionId ?? readHeader(datagram).sessionId;
  checkU64('sessionId', sessionId);
  const s = new PacketSession({ txKey: keyOrSession, rxKey: keyOrSession, sessionId });
  let opened: OpenedPacket;
  try {
    opened = s.open(datagram);
  } finally {
    s.dispose();
  }
  if (opts.replay && opened.kind !== 'handshake' && !opts.replay.admit(opened.counter)) {
    throw new ReplayError(`counter ${opened.counter} refused by the replay window`);
  }
  return opened;
}

/**
 * A HANDSHAKE packet (wire.md §6): flags 0x10, session/stream/sequence 0, nonce 0,
 * payload_len = message length, event_count 0, followed by the raw Noise message (unencrypted).
 */
export function encodeHandshakePacket(message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new InvalidArgumentError('message must be a Uint8Array');
  if (message.length > MAX_PAYLOAD_SIZE) {
    throw new InvalidArgumentError(`handshake message is ${message.length} bytes; at most ${MAX_PAYLOAD_SIZE}`);
  }
  const out = new Uint8Array(HEADER_SIZE + message.length);
  encodeHeader(makeHeader({ flags: PacketFlags.HANDSHAKE, payloadLen: message.length }), out);
  out.set(message, HEADER_SIZE);
  return out;
}
