// Packet planning for a send call: the packet layer's greedy packer (ts/core/frames.ts, wire.md §5)
// over the events' lengths, with the argument checks a public send needs. No events → no packets.
import { InvalidArgumentError } from '../errors.js';
import { planPackets as planByLength } from '../core/frames.js';

export interface PlannedPacket {
  start: number; // index of the first event
  end: number; // one past the last event
  framedLen: number; // Σ(4 + len)
}

/** Splits `events` into packets; throws before planning anything if one event is not bytes or too large. */
export function planPackets(events: readonly Uint8Array[]): PlannedPacket[] {
  if (events.length === 0) return [];
  const lengths = new Array<number>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (!(e instanceof Uint8Array)) throw new InvalidArgumentError(`events[${i}] must be a Uint8Array`);
    lengths[i] = e.length;
  }
  return planByLength(lengths).map((p) => ({ start: p.firstEvent, end: p.firstEvent + p.eventCount, framedLen: p.plaintextLen }));
}
