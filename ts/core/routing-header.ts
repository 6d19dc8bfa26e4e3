// The 18-byte routing header prepended to a Net packet for multi-hop delivery (wire.md §7), in
// plain TypeScript beside the 68-byte header codec (header.ts) and for the same reason: a relay
// touches it for every forwarded datagram, on whatever thread runs the engine, and reading or
// rewriting 18 bytes costs less than a crossing into WASM. It is not authenticated.
import { InvalidArgumentError } from '../errors.js';
import { malformedPacket, PacketStatus } from './packet-status.js';
import { checkU64, checkUint } from './header.js';

export const ROUTING_MAGIC = 0x5452;
/** Bytes of the routing header prepended to a routed Net packet. */
export const ROUTING_HEADER_SIZE = 18;
/** TTL originators use for data and for routed handshakes (wire.md §7). */
export const ROUTED_DATA_TTL = 8;
export const ROUTED_HANDSHAKE_TTL = 16;

/** Route flag bits; readers mask with 0x0F. */
export const RouteFlags = {
  CONTROL: 0x01,
  REQUIRES_ACK: 0x02,
  PRIORITY: 0x04,
  END_OF_STREAM: 0x08,
} as const;

/** The fields of the 18-byte routing header (magic and reserved byte implied). */
export interface RoutingHeader {
  ttl: number;
  hopCount: number;
  flags: number;
  /** The originator's routing id: the low 32 bits of its node id. */
  srcId: number;
  /** The destination's full node id. */
  destId: bigint;
}

/** The routing id of a node id (its low 32 bits). */
export function routingId(nodeId: bigint): number {
  return Number(nodeId & 0xffff_ffffn);
}

/** Writes the header into `out` at `offset` (a new 18-byte array when `out` is absent). */
export function encodeRoutingHeader(h: RoutingHeader, out?: Uint8Array, offset = 0): Uint8Array {
  if (h === null || typeof h !== 'object') throw new InvalidArgumentError('encodeRoutingHeader expects a header object');
  checkUint('ttl', h.ttl, 0xff);
  checkUint('hopCount', h.hopCount, 0xff);
  checkUint('flags', h.flags, 0xff);
  checkUint('srcId', h.srcId, 0xffff_ffff);
  checkU64('destId', h.destId);
  const b = out ?? new Uint8Array(ROUTING_HEADER_SIZE);
  if (!(b instanceof Uint8Array) || !(offset >= 0) || b.length - offset < ROUTING_HEADER_SIZE) {
    throw new InvalidArgumentError(`encodeRoutingHeader needs ${ROUTING_HEADER_SIZE} bytes at offset ${offset}`);
  }
  writeRoutingHeader(b, offset, h.ttl, h.hopCount, h.flags, h.srcId, h.destId);
  return out ?? b;
}

/** @internal The unchecked writer the engine uses per packet. */
export function writeRoutingHeader(b: Uint8Array, o: number, ttl: number, hopCount: number, flags: number, srcId: number, destId: bigint): void {
  b[o] = ROUTING_MAGIC & 0xff;
  b[o + 1] = ROUTING_MAGIC >>> 8;
  b[o + 2] = ttl;
  b[o + 3] = hopCount;
  b[o + 4] = flags;
  b[o + 5] = 0;
  b[o + 6] = srcId & 0xff;
  b[o + 7] = (srcId >>> 8) & 0xff;
  b[o + 8] = (srcId >>> 16) & 0xff;
  b[o + 9] = srcId >>> 24;
  let d = destId;
  for (let i = 0; i < 8; i++) {
    b[o + 10 + i] = Number(d & 0xffn);
    d >>= 8n;
  }
}

/**
 * Parses the first 18 bytes (the rest, the inner packet, is not read). Flags are masked with 0x0F.
 * Throws MalformedPacketError on a short input or a magic other than 0x5452.
 */
export function decodeRoutingHeader(b: Uint8Array): RoutingHeader {
  if (!(b instanceof Uint8Array)) throw new InvalidArgumentError('decodeRoutingHeader expects a Uint8Array');
  if (b.length < ROUTING_HEADER_SIZE) throw malformedPacket(PacketStatus.TOO_SHORT, `${b.length} bytes, the routing header needs ${ROUTING_HEADER_SIZE}`);
  const magic = b[0]! | (b[1]! << 8);
  if (magic !== ROUTING_MAGIC) throw malformedPacket(PacketStatus.BAD_MAGIC, `magic 0x${magic.toString(16).padStart(4, '0')}, expected 0x5452`);
  return { ttl: b[2]!, hopCount: b[3]!, flags: b[4]! & 0x0f, srcId: routedSrcId(b), destId: routedDestId(b) };
}

/** @internal `src_id` of a routed datagram (no checks: the caller classified it). */
export function routedSrcId(b: Uint8Array): number {
  return (b[6]! | (b[7]! << 8) | (b[8]! << 16) | (b[9]! << 24)) >>> 0;
}

/** @internal `dest_id` of a routed datagram. */
export function routedDestId(b: Uint8Array): bigint {
  const lo = (b[10]! | (b[11]! << 8) | (b[12]! << 16) | (b[13]! << 24)) >>> 0;
  const hi = (b[14]! | (b[15]! << 8) | (b[16]! << 16) | (b[17]! << 24)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * @internal The forwarding rewrite of §7 step 4, into a fresh copy: ttl − 1, hop_count + 1
 * (saturating), flags' high nibble cleared, every other byte kept.
 */
export function forwardedCopy(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[2] = c[2]! - 1;
  c[3] = Math.min(255, c[3]! + 1);
  c[4] = c[4]! & 0x0f;
  return c;
}

/** @internal A packet wrapped for routed delivery: 18-byte header (hop_count 0, flags 0) ‖ packet. */
export function wrapRouted(packet: Uint8Array, ttl: number, srcId: number, destId: bigint): Uint8Array {
  const b = new Uint8Array(ROUTING_HEADER_SIZE + packet.length);
  writeRoutingHeader(b, 0, ttl, 0, 0, srcId, destId);
  b.set(packet, ROUTING_HEADER_SIZE);
  return b;
}
