// Whole frames: EventMeta ‖ payload, one frame per event. A frame that does not fit one event
// (wire.md §5, 8104 bytes including the EventMeta) is refused before sending with
// BODY_TOO_LARGE; it is never truncated or split (rpc-tools.md §3).
import { BodyTooLargeError, InvalidArgumentError } from '../errors.js';
import { EVENT_META_SIZE, MAX_FRAME_SIZE } from './constants.js';
import { decodeEventMeta, encodeEventMeta, type EventMeta } from './event-meta.js';

/** A decoded nRPC frame (`nrpc.decodeFrame`): its EventMeta and the payload after it. */
export interface Frame {
  meta: EventMeta;
  /** The bytes after the EventMeta (a view into the event). */
  payload: Uint8Array;
}

/** Throws BodyTooLargeError when a frame of `size` bytes (EventMeta included) exceeds one event. */
export function assertFitsOneEvent(size: number, what?: string): void {
  if (size > MAX_FRAME_SIZE) throw new BodyTooLargeError(size, MAX_FRAME_SIZE, what);
}

/** The largest body a unary frame can carry after `overhead` payload bytes besides the body. */
export function maxBodyFor(overhead: number): number {
  return Math.max(0, MAX_FRAME_SIZE - EVENT_META_SIZE - overhead);
}

export function encodeFrame(meta: EventMeta, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array');
  assertFitsOneEvent(EVENT_META_SIZE + payload.length);
  const out = new Uint8Array(EVENT_META_SIZE + payload.length);
  out.set(encodeEventMeta(meta), 0);
  out.set(payload, EVENT_META_SIZE);
  return out;
}

/** Splits an event into its EventMeta and payload; events shorter than 24 bytes throw RpcCodecError. */
export function decodeFrame(event: Uint8Array): Frame {
  const meta = decodeEventMeta(event);
  return { meta, payload: event.subarray(EVENT_META_SIZE) };
}
