// The WebTransport relay's framing (sdk.md "WebTransport adapter and relay"), one codec for both the
// page (ts/transports/webtransport.ts) and the relay (session.ts):
//
//   frame          = family u8 (4|6) · address (4|16 B) · port u16 LE · packet
//   datagram path  = one frame per WebTransport datagram, when it fits the session's maxDatagramSize
//   stream path    = records `u32 LE length · frame` on one bidirectional stream the page opens
//
// The address is the mesh destination (page → relay) or the mesh source (relay → page).
// The first record on the stream in each direction is the bind exchange, a frame with an empty
// packet: the page's carries the address it asked to bind (advisory), the relay's carries the
// address of the page's relay-side UDP socket as mesh peers see it. A mesh packet is never empty,
// so an empty frame anywhere else is malformed.

import { InvalidArgumentError, MalformedPacketError } from '../errors.js';
import { AddressCache, formatAddress, formatIPv6, ipAddressBytes, type IpAddress } from '../transports/address.js';
import { MAX_DATAGRAM_BYTES } from '../transports/transport.js';

export const PREFIX_BYTES_V4 = 1 + 4 + 2;
export const PREFIX_BYTES_V6 = 1 + 16 + 2;
/** Largest packet the relay carries: the largest datagram the mesh sends (wire.md §5: 18 + 8192). */
export const MAX_RELAY_PACKET_BYTES = MAX_DATAGRAM_BYTES;
/** Largest frame (prefix and packet) a stream record may hold. */
export const MAX_RELAY_FRAME_BYTES = PREFIX_BYTES_V6 + MAX_RELAY_PACKET_BYTES;
export const RECORD_LENGTH_BYTES = 4;

/** Error code of every framing failure. */
export const RELAY_FRAME_MALFORMED = 'RELAY_FRAME_MALFORMED';

export interface RelayFrame {
  /** Canonical mesh "host:port" (IPv4-mapped IPv6 written as IPv4, like the UDP adapters). */
  address: string;
  /** The mesh packet: a view into the frame's bytes; empty only in the bind exchange. */
  packet: Uint8Array;
}

/** The prefix for an IP address; throws InvalidArgumentError for a zoned IPv6 host (no room for it). */
export function encodePrefix(a: IpAddress): Uint8Array {
  if (a.host.includes('%')) {
    throw new InvalidArgumentError(`the relay cannot carry a zoned IPv6 address (${formatAddress(a.host, a.port)})`);
  }
  const ip = ipAddressBytes(a.host);
  if (ip === null) throw new InvalidArgumentError(`not an IP address: ${JSON.stringify(a.host)}`);
  const out = new Uint8Array(1 + ip.length + 2);
  out[0] = ip.length === 4 ? 4 : 6;
  out.set(ip, 1);
  out[1 + ip.length] = a.port & 0xff;
  out[2 + ip.length] = a.port >> 8;
  return out;
}

/** prefix ‖ packet, for the datagram path. */
export function encodeFrame(prefix: Uint8Array, packet: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + packet.length);
  out.set(prefix, 0);
  out.set(packet, prefix.length);
  return out;
}

/** u32 LE length ‖ prefix ‖ packet, for the stream path. */
export function encodeRecord(prefix: Uint8Array, packet: Uint8Array): Uint8Array {
  const n = prefix.length + packet.length;
  const out = new Uint8Array(RECORD_LENGTH_BYTES + n);
  writeU32LE(out, 0, n);
  out.set(prefix, RECORD_LENGTH_BYTES);
  out.set(packet, RECORD_LENGTH_BYTES + prefix.length);
  return out;
}

/** Parse one frame; throws MalformedPacketError (code RELAY_FRAME_MALFORMED) when it is not one. */
export function decodeFrame(bytes: Uint8Array): RelayFrame {
  const family = bytes[0];
  const ipLen = family === 4 ? 4 : family === 6 ? 16 : -1;
  if (ipLen < 0) throw malformed(bytes.length === 0 ? 'empty frame' : `unknown address family ${family}`);
  if (bytes.length < 1 + ipLen + 2) throw malformed(`frame of ${bytes.length} bytes is shorter than its IPv${family} prefix`);
  if (bytes.length - (3 + ipLen) > MAX_RELAY_PACKET_BYTES) {
    throw malformed(`packet of ${bytes.length - (3 + ipLen)} bytes exceeds ${MAX_RELAY_PACKET_BYTES}`);
  }
  const port = bytes[1 + ipLen]! | (bytes[2 + ipLen]! << 8);
  let host: string;
  if (ipLen === 4) {
    host = `${bytes[1]}.${bytes[2]}.${bytes[3]}.${bytes[4]}`;
  } else {
    const words: number[] = [];
    for (let i = 0; i < 8; i++) words.push((bytes[1 + 2 * i]! << 8) | bytes[2 + 2 * i]!);
    host = formatIPv6(words);
  }
  return { address: formatAddress(host, port), packet: bytes.subarray(3 + ipLen) };
}

/**
 * Memo of "host:port" → prefix for the send paths (a node talks to few peers); a bad address is
 * remembered as its InvalidArgumentError. `check` may refuse an address (e.g. IPv6 from an IPv4
 * socket) by throwing InvalidArgumentError.
 */
export function prefixCache(check: (a: IpAddress) => void = () => undefined): AddressCache<Uint8Array> {
  return new AddressCache((a) => {
    check(a);
    return encodePrefix(a);
  });
}

/**
 * Cuts the stream path's byte stream back into frames. Memory stays bounded: a record may not
 * declare more than MAX_RELAY_FRAME_BYTES, and only one partial record is ever buffered. A bad
 * length cannot be resynchronised, so `push` throws MalformedPacketError and the reader is spent.
 */
export class RecordReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private failed = false;

  constructor(private readonly maxFrameBytes = MAX_RELAY_FRAME_BYTES) {}

  /** Append a chunk and return the frames it completes (views or copies; each owned by the caller). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw malformed('stream already failed');
    const out: Uint8Array[] = [];
    if (this.buffered === 0) {
      // Fast path: whole records straight from the chunk, no copying.
      let off = 0;
      while (chunk.length - off >= RECORD_LENGTH_BYTES) {
        const n = this.checkedLength(readU32LE(chunk, off));
        if (chunk.length - off - RECORD_LENGTH_BYTES < n) break;
        out.push(chunk.subarray(off + RECORD_LENGTH_BYTES, off + RECORD_LENGTH_BYTES + n));
        off += RECORD_LENGTH_BYTES + n;
      }
      if (off < chunk.length) this.keep(chunk.subarray(off));
      return out;
    }
    // Slow path: finish the buffered record, then hand what is left back to the fast path.
    this.keep(chunk);
    if (this.buffered < RECORD_LENGTH_BYTES) return out;
    const n = this.checkedLength(readU32LE(this.peek(RECORD_LENGTH_BYTES), 0));
    if (this.buffered < RECORD_LENGTH_BYTES + n) return out;
    out.push(this.take(RECORD_LENGTH_BYTES + n).subarray(RECORD_LENGTH_BYTES));
    return this.buffered === 0 ? out : out.concat(this.push(this.take(this.buffered)));
  }

  /** Bytes of an unfinished record held; 0 at a record boundary. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private checkedLength(n: number): number {
    if (n === 0 || n > this.maxFrameBytes) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw malformed(n === 0 ? 'zero-length record' : `record of ${n} bytes exceeds ${this.maxFrameBytes}`);
    }
    return n;
  }

  private keep(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    return this.copyOut(n, false);
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      this.buffered -= n;
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    return this.copyOut(n, true);
  }

  private copyOut(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    let i = 0;
    while (off < n) {
      const c = this.chunks[i]!;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (consume) {
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      } else {
        i++;
      }
    }
    if (consume) this.buffered -= n;
    return out;
  }
}

function malformed(reason: string): MalformedPacketError {
  return new MalformedPacketError(`malformed relay frame: ${reason}`, RELAY_FRAME_MALFORMED);
}

function readU32LE(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function writeU32LE(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}
