// The 68-byte Net header (wire.md §2) and its 56-byte AAD (§4), in plain TypeScript over
// Uint8Array/DataView: no core call, so it runs on any thread (workers included) and costs less per
// header than a crossing into WASM. Validation order and reasons match the core (packet/header.rs).
import { InvalidArgumentError } from '../errors.js';
import { malformedPacket, PacketStatus } from './packet-status.js';

export const MAGIC = 0x4e45;
export const VERSION = 1;
export const HEADER_SIZE = 68;
export const TAG_SIZE = 16;
export const NONCE_SIZE = 12;
export const AAD_SIZE = 56;
export const MAX_PACKET_SIZE = 8192;
/** 8192 − 68 − 16: the largest framed plaintext of one packet. */
export const MAX_PAYLOAD_SIZE = 8108;
/** Each frame is `[u32 LE length][bytes]`. */
export const FRAME_PREFIX_SIZE = 4;
/** 8108 − 4: the largest single event. */
export const MAX_EVENT_SIZE = 8104;
/** ⌊8108 / 4⌋. */
export const MAX_EVENTS_PER_PACKET = 2027;
/** Header + tag, charged per packet by flow control. */
export const PACKET_WIRE_OVERHEAD = 84;
/** Receivers accept datagrams up to this size (18-byte routing header + 8192). */
export const MAX_DATAGRAM_SIZE = 8210;

/** Header flag bits (wire.md §3). */
export const PacketFlags = {
  RELIABLE: 0x01,
  NACK: 0x02,
  PRIORITY: 0x04,
  FIN: 0x08,
  HANDSHAKE: 0x10,
  HEARTBEAT: 0x20,
} as const;

/**
 * Every field of the 68-byte header, in wire order. u64 fields are bigint. `nonce` holds the 12
 * bytes at offset 12 exactly as on the wire: nonce prefix (u32 LE) ‖ TX counter (u64 LE); see
 * `headerCounter` / `noncePrefix`. Receivers ignore the prefix bytes and use their own.
 */
export interface PacketHeader {
  magic: number; //           u16 @0, 0x4E45
  version: number; //         u8  @2, 1
  flags: number; //           u8  @3, PacketFlags
  priority: number; //        u8  @4
  hopTtl: number; //          u8  @5
  hopCount: number; //        u8  @6 (excluded from the AAD)
  fragFlags: number; //       u8  @7
  subprotocolId: number; //   u16 @8
  channelHash: number; //     u16 @10
  nonce: Uint8Array; //       12 bytes @12
  sessionId: bigint; //       u64 @24
  streamId: bigint; //        u64 @32
  sequence: bigint; //        u64 @40
  originHash: bigint; //      u64 @48
  subnetId: number; //        u32 @56
  fragmentId: number; //      u16 @60
  fragmentOffset: number; //  u16 @62
  payloadLen: number; //      u16 @64 (plaintext length, tag excluded)
  eventCount: number; //      u16 @66
}

/** A header with magic and version set and every other field zero, then `fields` applied. */
export function makeHeader(fields: Partial<PacketHeader> = {}): PacketHeader {
  return {
    magic: MAGIC,
    version: VERSION,
    flags: 0,
    priority: 0,
    hopTtl: 0,
    hopCount: 0,
    fragFlags: 0,
    subprotocolId: 0,
    channelHash: 0,
    nonce: new Uint8Array(NONCE_SIZE),
    sessionId: 0n,
    streamId: 0n,
    sequence: 0n,
    originHash: 0n,
    subnetId: 0,
    fragmentId: 0,
    fragmentOffset: 0,
    payloadLen: 0,
    eventCount: 0,
    ...fields,
  };
}

const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** makeHeader over the fields that are present (an explicit `undefined` also takes the default). */
function withDefaults(fields: Partial<PacketHeader>): PacketHeader {
  const present: Partial<PacketHeader> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (present as Record<string, unknown>)[k] = v;
  return makeHeader(present);
}

/** @internal Throws InvalidArgumentError unless `v` is an integer in [0, max]. */
export function checkUint(name: string, v: number, max: number): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= max)) {
    throw new InvalidArgumentError(`${name} must be an integer in 0..${max}, got ${String(v)}`);
  }
}

/** @internal Throws InvalidArgumentError unless `v` is a bigint in [0, 2^64). */
export function checkU64(name: string, v: bigint): void {
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) {
    throw new InvalidArgumentError(`${name} must be a bigint in 0..2^64-1, got ${String(v)}`);
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

// A module-level staging header with a cached DataView: encode/decode go through it so no DataView
// is created per call (creating one costs more than the rest of the codec).
const stage = new Uint8Array(HEADER_SIZE);
const sv = new DataView(stage.buffer);

/** All field widths valid? (Fast path; the slow path below names the offending field.) */
function fieldsFit(h: PacketHeader): boolean {
  return (
    (h.magic & 0xffff) === h.magic &&
    (h.version & 0xff) === h.version &&
    (h.flags & 0xff) === h.flags &&
    (h.priority & 0xff) === h.priority &&
    (h.hopTtl & 0xff) === h.hopTtl &&
    (h.hopCount & 0xff) === h.hopCount &&
    (h.fragFlags & 0xff) === h.fragFlags &&
    (h.subprotocolId & 0xffff) === h.subprotocolId &&
    (h.channelHash & 0xffff) === h.channelHash &&
    h.nonce instanceof Uint8Array &&
    h.nonce.length === NONCE_SIZE &&
    typeof h.sessionId === 'bigint' &&
    BigInt.asUintN(64, h.sessionId) === h.sessionId &&
    typeof h.streamId === 'bigint' &&
    BigInt.asUintN(64, h.streamId) === h.streamId &&
    typeof h.sequence === 'bigint' &&
    BigInt.asUintN(64, h.sequence) === h.sequence &&
    typeof h.originHash === 'bigint' &&
    BigInt.asUintN(64, h.originHash) === h.originHash &&
    h.subnetId >>> 0 === h.subnetId &&
    (h.fragmentId & 0xffff) === h.fragmentId &&
    (h.fragmentOffset & 0xffff) === h.fragmentOffset &&
    (h.payloadLen & 0xffff) === h.payloadLen &&
    (h.eventCount & 0xffff) === h.eventCount
  );
}

function explainFields(h: PacketHeader): void {
  checkUint('magic', h.magic, 0xffff);
  checkUint('version', h.version, 0xff);
  checkUint('flags', h.flags, 0xff);
  checkUint('priority', h.priority, 0xff);
  checkUint('hopTtl', h.hopTtl, 0xff);
  checkUint('hopCount', h.hopCount, 0xff);
  checkUint('fragFlags', h.fragFlags, 0xff);
  checkUint('subprotocolId', h.subprotocolId, 0xffff);
  checkUint('channelHash', h.channelHash, 0xffff);
  if (!(h.nonce instanceof Uint8Array) || h.nonce.length !== NONCE_SIZE) {
    throw new InvalidArgumentError(`nonce must be a ${NONCE_SIZE}-byte Uint8Array`);
  }
  checkU64('sessionId', h.sessionId);
  checkU64('streamId', h.streamId);
  checkU64('sequence', h.sequence);
  checkU64('originHash', h.originHash);
  checkUint('subnetId', h.subnetId, 0xffff_ffff);
  checkUint('fragmentId', h.fragmentId, 0xffff);
  checkUint('fragmentOffset', h.fragmentOffset, 0xffff);
  checkUint('payloadLen', h.payloadLen, 0xffff);
  checkUint('eventCount', h.eventCount, 0xffff);
  throw new InvalidArgumentError('header fields out of range');
}

/**
 * Serialises all 68 bytes as given (no wire validation, so tests can craft invalid headers; field
 * widths are checked). Writes into `out` at `offset` when given, else into a new array.
 */
export function encodeHeader(header: PacketHeader | Partial<PacketHeader>, out?: Uint8Array, offset = 0): Uint8Array {
  if (header === null || typeof header !== 'object') throw new InvalidArgumentError('encodeHeader expects a header object');
  let h = header as PacketHeader;
  // Omitted fields take makeHeader's defaults (magic 0x4E45, version 1, everything else 0).
  if (!fieldsFit(h)) h = withDefaults(header);
  if (!fieldsFit(h)) explainFields(h);
  if (out !== undefined && (!(out instanceof Uint8Array) || !(offset >= 0) || out.length - offset < HEADER_SIZE)) {
    throw new InvalidArgumentError(`encodeHeader needs ${HEADER_SIZE} bytes at offset ${offset}`);
  }
  const b = stage;
  sv.setUint16(0, h.magic, true);
  b[2] = h.version;
  b[3] = h.flags;
  b[4] = h.priority;
  b[5] = h.hopTtl;
  b[6] = h.hopCount;
  b[7] = h.fragFlags;
  sv.setUint16(8, h.subprotocolId, true);
  sv.setUint16(10, h.channelHash, true);
  b.set(h.nonce, 12);
  sv.setBigUint64(24, h.sessionId, true);
  sv.setBigUint64(32, h.streamId, true);
  sv.setBigUint64(40, h.sequence, true);
  sv.setBigUint64(48, h.originHash, true);
  sv.setUint32(56, h.subnetId, true);
  sv.setUint16(60, h.fragmentId, true);
  sv.setUint16(62, h.fragmentOffset, true);
  sv.setUint16(64, h.payloadLen, true);
  sv.setUint16(66, h.eventCount, true);
  const dst = out ?? new Uint8Array(HEADER_SIZE);
  dst.set(b, offset);
  return dst;
}

/**
 * The receiver checks of wire.md §2 without throwing: 0 if the header is valid, else the negative
 * PacketStatus of the first failed check (length, magic, version, payload_len, event_count).
 */
export function checkHeader(bytes: Uint8Array): number {
  if (bytes.length < HEADER_SIZE) return PacketStatus.TOO_SHORT;
  if ((bytes[0]! | (bytes[1]! << 8)) !== MAGIC) return PacketStatus.BAD_MAGIC;
  if (bytes[2] !== VERSION) return PacketStatus.BAD_VERSION;
  if ((bytes[64]! | (bytes[65]! << 8)) > MAX_PAYLOAD_SIZE) return PacketStatus.PAYLOAD_TOO_LARGE;
  if ((bytes[66]! | (bytes[67]! << 8)) > MAX_EVENTS_PER_PACKET) return PacketStatus.TOO_MANY_EVENTS;
  return 0;
}

/** The flags byte of a header whose checks passed (`checkHeader` returned 0). */
export function headerFlags(bytes: Uint8Array): number {
  return bytes[3]!;
}

/** payload_len of a header whose checks passed. */
export function headerPayloadLen(bytes: Uint8Array): number {
  return bytes[64]! | (bytes[65]! << 8);
}

/** session_id of a header whose checks passed. */
export function headerSessionId(bytes: Uint8Array): bigint {
  return view(bytes).getBigUint64(24, true);
}

/** wire.md §1: how a received datagram is classified before any header check. */
export const DatagramClass = {
  /** 14 bytes starting 0x4850: NAT keep-alive (§17). */
  KEEPALIVE: 1,
  /** 72 bytes not starting 0x4E45 whose hop count byte is ≤ 3: pingwave (§16). */
  PINGWAVE: 2,
  /** Starting 0x5452 with room for a routing header and a Net header: routed packet (§7). */
  ROUTED: 3,
  /** Starting 0x4E45: a direct Net packet (§2). */
  DIRECT: 4,
  /** Anything else: dropped silently. */
  JUNK: 5,
} as const;

export function classifyDatagram(b: Uint8Array): number {
  if (b.length < 2) return DatagramClass.JUNK;
  const magic = b[0]! | (b[1]! << 8);
  if (b.length === 14 && magic === 0x4850) return DatagramClass.KEEPALIVE;
  if (b.length === 72 && magic !== MAGIC && b[63]! <= 3) return DatagramClass.PINGWAVE;
  if (magic === 0x5452 && b.length >= 18 + HEADER_SIZE) return DatagramClass.ROUTED;
  return magic === MAGIC ? DatagramClass.DIRECT : DatagramClass.JUNK;
}

/** Parses the first 68 bytes of a datagram; throws MalformedPacketError (with `reason`) if invalid. */
export function decodeHeader(bytes: Uint8Array): PacketHeader {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('decodeHeader expects a Uint8Array');
  const status = checkHeader(bytes);
  if (status !== 0) throw headerError(status, bytes);
  return readHeader(bytes);
}

/** Parses the first 68 bytes without wire validation (the caller checked `checkHeader`). */
export function readHeader(bytes: Uint8Array): PacketHeader {
  if (bytes.length < HEADER_SIZE) throw new InvalidArgumentError(`readHeader needs ${HEADER_SIZE} bytes`);
  if (bytes.length === HEADER_SIZE) stage.set(bytes);
  else for (let i = 0; i < HEADER_SIZE; i++) stage[i] = bytes[i]!; // no subarray allocation
  const nonce = new Uint8Array(NONCE_SIZE);
  for (let i = 0; i < NONCE_SIZE; i++) nonce[i] = stage[12 + i]!;
  return {
    magic: sv.getUint16(0, true),
    version: stage[2]!,
    flags: stage[3]!,
    priority: stage[4]!,
    hopTtl: stage[5]!,
    hopCount: stage[6]!,
    fragFlags: stage[7]!,
    subprotocolId: sv.getUint16(8, true),
    channelHash: sv.getUint16(10, true),
    nonce,
    sessionId: sv.getBigUint64(24, true),
    streamId: sv.getBigUint64(32, true),
    sequence: sv.getBigUint64(40, true),
    originHash: sv.getBigUint64(48, true),
    subnetId: sv.getUint32(56, true),
    fragmentId: sv.getUint16(60, true),
    fragmentOffset: sv.getUint16(62, true),
    payloadLen: sv.getUint16(64, true),
    eventCount: sv.getUint16(66, true),
  };
}

function headerError(status: number, bytes: Uint8Array): Error {
  const v = bytes.length >= HEADER_SIZE ? view(bytes) : undefined;
  switch (status) {
    case PacketStatus.TOO_SHORT:
      return malformedPacket(status, `${bytes.length} bytes, the header needs ${HEADER_SIZE}`);
    case PacketStatus.BAD_MAGIC:
      return malformedPacket(status, `magic 0x${v!.getUint16(0, true).toString(16).padStart(4, '0')}, expected 0x4e45`);
    case PacketStatus.BAD_VERSION:
      return malformedPacket(status, `version ${bytes[2]}, expected ${VERSION}`);
    case PacketStatus.PAYLOAD_TOO_LARGE:
      return malformedPacket(status, `payload_len ${v!.getUint16(64, true)} exceeds ${MAX_PAYLOAD_SIZE}`);
    default:
      return malformedPacket(status, `event_count ${v!.getUint16(66, true)} exceeds ${MAX_EVENTS_PER_PACKET}`);
  }
}

/** The TX counter carried in header bytes 16..24 (u64 LE). */
export function readCounter(bytes: Uint8Array): bigint {
  return view(bytes).getBigUint64(16, true);
}

/** The TX counter of a decoded header (its nonce bytes 4..12). */
export function headerCounter(h: PacketHeader): bigint {
  return view(h.nonce).getBigUint64(4, true);
}

/** `lo32(sessionId) XOR hi32(sessionId)`: the 4-byte nonce prefix of a session (wire.md §12). */
export function noncePrefix(sessionId: bigint): number {
  checkU64('sessionId', sessionId);
  return (Number(sessionId & 0xffff_ffffn) ^ Number(sessionId >> 32n)) >>> 0;
}

/** The 12-byte nonce: prefix (u32 LE) ‖ counter (u64 LE). */
export function buildNonce(sessionId: bigint, counter: bigint): Uint8Array {
  checkU64('counter', counter);
  const n = new Uint8Array(NONCE_SIZE);
  const v = view(n);
  v.setUint32(0, noncePrefix(sessionId), true);
  v.setBigUint64(4, counter, true);
  return n;
}

/**
 * The 56-byte AAD of a serialised header (wire.md §4): bytes 0..12 ‖ 24..68 with hop_count (byte 6)
 * forced to 0. Accepts a whole datagram; only its first 68 bytes are read.
 */
export function buildAad(headerBytes: Uint8Array): Uint8Array {
  if (!(headerBytes instanceof Uint8Array) || headerBytes.length < HEADER_SIZE) {
    throw new InvalidArgumentError(`buildAad needs at least ${HEADER_SIZE} header bytes`);
  }
  const aad = new Uint8Array(AAD_SIZE);
  aad.set(headerBytes.subarray(0, 12), 0);
  aad.set(headerBytes.subarray(24, HEADER_SIZE), 12);
  aad[6] = 0;
  return aad;
}
