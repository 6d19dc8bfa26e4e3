// Event framing (wire.md §5) in plain TypeScript, for code that handles plaintext outside the core
// (workers, tests, handshake-era payloads). Same rules as core-rs/src/packet/frames.rs.
import { InvalidArgumentError } from '../errors.js';
import { FRAME_PREFIX_SIZE, MAX_EVENT_SIZE, MAX_EVENTS_PER_PACKET, MAX_PAYLOAD_SIZE } from './header.js';

/** Concatenates `[u32 LE length][bytes]` frames. */
export function frameEvents(events: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of events) total += FRAME_PREFIX_SIZE + e.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (const e of events) {
    dv.setUint32(p, e.length, true);
    out.set(e, p + FRAME_PREFIX_SIZE);
    p += FRAME_PREFIX_SIZE + e.length;
  }
  return out;
}

/**
 * The events of a framed plaintext as views: at most `eventCount` frames, stopping quietly at the
 * first truncated frame (earlier frames are kept), trailing bytes ignored.
 */
export function unframeEvents(plaintext: Uint8Array, eventCount: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  let p = 0;
  for (let n = 0; n < eventCount; n++) {
    if (plaintext.length - p < FRAME_PREFIX_SIZE) break;
    const len = dv.getUint32(p, true);
    const start = p + FRAME_PREFIX_SIZE;
    if (len > plaintext.length - start) break;
    out.push(plaintext.subarray(start, start + len));
    p = start + len;
  }
  return out;
}

export interface PacketPlan {
  firstEvent: number;
  eventCount: number;
  plaintextLen: number;
}

/**
 * Greedy packing of event lengths into packets (a new packet starts when the next frame would
 * exceed 8108 bytes or 2027 events); zero events → one empty packet. Throws InvalidArgumentError
 * before planning anything if an event exceeds 8104 bytes.
 */
export function planPackets(eventLengths: readonly number[]): PacketPlan[] {
  eventLengths.forEach((l, i) => {
    if (!(Number.isInteger(l) && l >= 0 && l <= MAX_EVENT_SIZE)) {
      throw new InvalidArgumentError(`event ${i} is ${l} bytes; the largest event is ${MAX_EVENT_SIZE}`);
    }
  });
  const plans: PacketPlan[] = [];
  let cur: PacketPlan = { firstEvent: 0, eventCount: 0, plaintextLen: 0 };
  eventLengths.forEach((l, i) => {
    const frame = FRAME_PREFIX_SIZE + l;
    if (cur.eventCount > 0 && (cur.plaintextLen + frame > MAX_PAYLOAD_SIZE || cur.eventCount === MAX_EVENTS_PER_PACKET)) {
      plans.push(cur);
      cur = { firstEvent: i, eventCount: 0, plaintextLen: 0 };
    }
    cur.eventCount++;
    cur.plaintextLen += frame;
  });
  plans.push(cur);
  return plans;
}
