// Greedy event packing of wire.md §5: a new packet starts whenever the next frame
// (4-byte length + event) would push the plaintext past 8108 bytes or past 2027 frames.
// Planning only: boundaries and sizes, no bytes copied.
import { InvalidArgumentError } from '../errors.js';

export const MAX_PAYLOAD_SIZE = 8108;
export const MAX_EVENT_SIZE = 8104;
export const MAX_EVENTS_PER_PACKET = 2027;

export interface PlannedPacket {
  start: number; // index of the first event
  end: number; // one past the last event
  framedLen: number; // Σ(4 + len)
}

/** Splits `events` into packets; throws before planning anything if one event is too large. */
export function planPackets(events: readonly Uint8Array[]): PlannedPacket[] {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!(e instanceof Uint8Array)) throw new InvalidArgumentError(`events[${i}] must be a Uint8Array`);
    if (e.length > MAX_EVENT_SIZE) {
      throw new InvalidArgumentError(`events[${i}] is ${e.length} bytes; the largest event is ${MAX_EVENT_SIZE} bytes (chunk it)`);
    }
  }
  const out: PlannedPacket[] = [];
  let start = 0;
  let framed = 0;
  for (let i = 0; i < events.length; i++) {
    const f = 4 + events[i]!.length;
    if (i > start && (framed + f > MAX_PAYLOAD_SIZE || i - start >= MAX_EVENTS_PER_PACKET)) {
      out.push({ start, end: i, framedLen: framed });
      start = i;
      framed = 0;
    }
    framed += f;
  }
  if (events.length > 0) out.push({ start, end: events.length, framedLen: framed });
  return out;
}
