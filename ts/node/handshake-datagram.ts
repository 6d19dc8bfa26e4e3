// HANDSHAKE packets (wire.md §6): a 68-byte header with flags 0x10, session/stream/seq/nonce 0,
// payload_len = message length, event_count 0, followed by the raw Noise message (no tag).
import { HEADER_SIZE, encodeHeader } from '../core/header.js';

export const FLAG_RELIABLE = 0x01;
export const FLAG_HANDSHAKE = 0x10;
export const FLAG_HEARTBEAT = 0x20;
export const NET_MAGIC = 0x4e45;

export function handshakeDatagram(message: Uint8Array): Uint8Array {
  const header = encodeHeader({
    flags: FLAG_HANDSHAKE,
    payloadLen: message.length,
    eventCount: 0,
  });
  const out = new Uint8Array(HEADER_SIZE + message.length);
  out.set(header, 0);
  out.set(message, HEADER_SIZE);
  return out;
}

/** Quick classification on the receive path (wire.md §1, §2): valid header fields, no crypto. */
export function headerLooksValid(d: Uint8Array): boolean {
  if (d.length < HEADER_SIZE) return false;
  if (d[0] !== 0x45 || d[1] !== 0x4e || d[2] !== 1) return false;
  const payloadLen = d[64]! | (d[65]! << 8);
  const eventCount = d[66]! | (d[67]! << 8);
  return payloadLen <= 8108 && eventCount <= 2027;
}
