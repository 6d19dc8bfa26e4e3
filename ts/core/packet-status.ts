// Status codes of the packet layer, shared with the core (core-rs/src/packet/error.rs and
// batch.rs), and their mapping to typed errors.
import { AuthenticationError, InvalidArgumentError, MalformedPacketError, ReplayError } from '../errors.js';
import type { NetMeshError } from '../errors.js';

export const PacketStatus = {
  /** Authenticated data packet (frames parsed). */
  DATA: 0,
  /** HANDSHAKE flag: unencrypted, unauthenticated; the payload is the raw Noise message. */
  HANDSHAKE: 1,
  /** Authenticated heartbeat (empty plaintext). */
  HEARTBEAT: 2,
  TOO_SHORT: -1,
  BAD_MAGIC: -2,
  BAD_VERSION: -3,
  PAYLOAD_TOO_LARGE: -4,
  TOO_MANY_EVENTS: -5,
  LENGTH_MISMATCH: -6,
  HEARTBEAT_LENGTH: -7,
  AUTH_FAILED: -16,
  REPLAY: -17,
  EVENT_TOO_LARGE: -32,
  INVALID_LAYOUT: -33,
  OUTPUT_TOO_SMALL: -34,
  COUNTER_EXHAUSTED: -35,
  INVALID_FLAGS: -36,
} as const;

/** Why a datagram is malformed; carried as `reason` on MalformedPacketError. */
export type MalformedReason =
  | 'TOO_SHORT'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_EVENTS'
  | 'LENGTH_MISMATCH'
  | 'HEARTBEAT_LENGTH';

const MALFORMED: Record<number, MalformedReason> = {
  [PacketStatus.TOO_SHORT]: 'TOO_SHORT',
  [PacketStatus.BAD_MAGIC]: 'BAD_MAGIC',
  [PacketStatus.BAD_VERSION]: 'BAD_VERSION',
  [PacketStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [PacketStatus.TOO_MANY_EVENTS]: 'TOO_MANY_EVENTS',
  [PacketStatus.LENGTH_MISMATCH]: 'LENGTH_MISMATCH',
  [PacketStatus.HEARTBEAT_LENGTH]: 'HEARTBEAT_LENGTH',
};

const DEFAULT_DETAIL: Record<MalformedReason, string> = {
  TOO_SHORT: 'datagram shorter than the 68-byte header',
  BAD_MAGIC: 'bad magic, expected 0x4e45',
  BAD_VERSION: 'unsupported version, expected 1',
  PAYLOAD_TOO_LARGE: 'payload_len exceeds 8108',
  TOO_MANY_EVENTS: 'event_count exceeds 2027',
  LENGTH_MISMATCH: 'bytes after the header are not payload_len + 16',
  HEARTBEAT_LENGTH: 'heartbeat bytes after the header are not exactly 16',
};

/** A MalformedPacketError (code 'MALFORMED_PACKET') that also names its reason. */
export type MalformedPacketErrorWithReason = MalformedPacketError & { readonly reason: MalformedReason };

/** The malformed reason of a status code, or undefined if the status is not a malformed one. */
export function malformedReason(status: number): MalformedReason | undefined {
  return MALFORMED[status];
}

/** Builds the MalformedPacketError of a malformed status; the message names the reason. */
export function malformedPacket(status: number, detail?: string): MalformedPacketErrorWithReason {
  const reason = MALFORMED[status] ?? 'TOO_SHORT';
  const err = new MalformedPacketError(`malformed packet (${reason}): ${detail ?? DEFAULT_DETAIL[reason]}`);
  Object.defineProperty(err, 'reason', { value: reason, enumerable: true });
  return err as MalformedPacketErrorWithReason;
}

/** The typed error of a negative status (undefined for success statuses). */
export function statusError(status: number): NetMeshError | undefined {
  if (status >= 0) return undefined;
  if (MALFORMED[status]) return malformedPacket(status);
  switch (status) {
    case PacketStatus.AUTH_FAILED:
      return new AuthenticationError('authentication failed: the packet does not verify under this session');
    case PacketStatus.REPLAY:
      return new ReplayError('replayed or too old nonce counter (wire.md §13)');
    case PacketStatus.EVENT_TOO_LARGE:
      return new InvalidArgumentError('an event is larger than 8104 bytes and can never be sent');
    case PacketStatus.INVALID_FLAGS:
      return new InvalidArgumentError('flags cannot be sealed: HANDSHAKE is never encrypted, HEARTBEAT carries no events');
    case PacketStatus.COUNTER_EXHAUSTED:
      return new InvalidArgumentError('the session TX counter is exhausted or would move backwards');
    case PacketStatus.OUTPUT_TOO_SMALL:
      return new InvalidArgumentError('packet batch output region too small');
    default:
      return new InvalidArgumentError(`packet batch layout rejected by the core (status ${status})`);
  }
}
