// The packed formats that carry whole batches between the control thread and a core worker:
// one ArrayBuffer per direction per batch, transferred, never one message per packet.
// All integers little-endian.
//
// Seal request, per packet:
//   u32 localSession | u8 flags | u8 priority | u16 subprotocol | u16 channelHash | u16 reserved
//   u64 streamId | u64 sequence | u64 originHash | u32 eventCount | eventCount × u32 len | bytes
// Seal response: u32 count, then per packet: i32 status | u32 len | datagram bytes
// Open request:  u32 count, then per datagram: u32 len | bytes
// Open response: u32 count, then per datagram:
//   i32 status | u32 localSession | u8 flags | u8 reserved | u16 subprotocol | u16 channelHash
//   u16 reserved | u64 streamId | u64 sequence | u64 originHash | u32 plaintextLen | u32 eventCount
//   | eventCount × (u32 len | bytes)

export const SEAL_FIXED = 40;
export const OPEN_FIXED = 48;

/** Status codes shared by both directions (0 = ok). */
export const Status = {
  OK: 0,
  MALFORMED: -1,
  AUTH: -2,
  REPLAY: -3,
  UNKNOWN_SESSION: -4,
  TOO_LARGE: -5,
} as const;

export interface SealTemplate {
  flags: number;
  priority?: number;
  subprotocol: number;
  channelHash: number;
  streamId: bigint;
  sequence: bigint;
  originHash: bigint;
}

/** Grows a packed buffer as records are appended. */
export class PackWriter {
  private buf: Uint8Array;
  private dv: DataView;
  pos = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
    this.dv = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.dv.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }
  i32(v: number): void {
    this.ensure(4);
    this.dv.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.dv.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Reserves a u32 slot to patch later; returns its offset. */
  reserveU32(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }
  patchU32(at: number, v: number): void {
    this.dv.setUint32(at, v >>> 0, true);
  }
  /** The written bytes: a view of the writer's own buffer, to transfer (the writer is done). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function writeSealRecord(w: PackWriter, localSession: number, t: SealTemplate, events: readonly Uint8Array[]): void {
  w.u32(localSession);
  w.u8(t.flags);
  w.u8(t.priority ?? 0);
  w.u16(t.subprotocol);
  w.u16(t.channelHash);
  w.u16(0);
  w.u64(t.streamId);
  w.u64(t.sequence);
  w.u64(t.originHash);
  w.u32(events.length);
  for (const e of events) w.u32(e.length);
  for (const e of events) w.bytes(e);
}

/** One decoded seal request; events are views into the request buffer. */
export interface SealRecord extends SealTemplate {
  localSession: number;
  events: Uint8Array[];
}

export function* readSealRecords(buf: Uint8Array): Generator<SealRecord> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = 0;
  while (p < buf.length) {
    const localSession = dv.getUint32(p, true);
    const flags = buf[p + 4]!;
    const priority = buf[p + 5]!;
    const subprotocol = dv.getUint16(p + 6, true);
    const channelHash = dv.getUint16(p + 8, true);
    const streamId = dv.getBigUint64(p + 12, true);
    const sequence = dv.getBigUint64(p + 20, true);
    const originHash = dv.getBigUint64(p + 28, true);
    const n = dv.getUint32(p + 36, true);
    p += SEAL_FIXED;
    const lens: number[] = new Array(n);
    for (let i = 0; i < n; i++) lens[i] = dv.getUint32(p + 4 * i, true);
    p += 4 * n;
    const events: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      events[i] = buf.subarray(p, p + lens[i]!);
      p += lens[i]!;
    }
    yield { localSession, flags, priority, subprotocol, channelHash, streamId, sequence, originHash, events };
  }
}

/** A decoded open result; payload views point into the response buffer (zero-copy). */
export interface OpenRecord {
  status: number;
  localSession: number;
  flags: number;
  subprotocol: number;
  channelHash: number;
  streamId: bigint;
  sequence: bigint;
  originHash: bigint;
  plaintextLen: number;
  events: Uint8Array[];
}

export function readOpenResponse(buf: Uint8Array): OpenRecord[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = dv.getUint32(0, true);
  const out: OpenRecord[] = new Array(count);
  let p = 4;
  for (let k = 0; k < count; k++) {
    const status = dv.getInt32(p, true);
    const localSession = dv.getUint32(p + 4, true);
    const flags = buf[p + 8]!;
    const subprotocol = dv.getUint16(p + 10, true);
    const channelHash = dv.getUint16(p + 12, true);
    const streamId = dv.getBigUint64(p + 16, true);
    const sequence = dv.getBigUint64(p + 24, true);
    const originHash = dv.getBigUint64(p + 32, true);
    const plaintextLen = dv.getUint32(p + 40, true);
    const n = dv.getUint32(p + 44, true);
    p += OPEN_FIXED;
    const events: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(p, true);
      events[i] = buf.subarray(p + 4, p + 4 + len);
      p += 4 + len;
    }
    out[k] = { status, localSession, flags, subprotocol, channelHash, streamId, sequence, originHash, plaintextLen, events };
  }
  return out;
}

export function writeOpenRecord(w: PackWriter, r: Omit<OpenRecord, 'events'>, events: readonly Uint8Array[]): void {
  w.i32(r.status);
  w.u32(r.localSession);
  w.u8(r.flags);
  w.u8(0);
  w.u16(r.subprotocol);
  w.u16(r.channelHash);
  w.u16(0);
  w.u64(r.streamId);
  w.u64(r.sequence);
  w.u64(r.originHash);
  w.u32(r.plaintextLen);
  w.u32(events.length);
  for (const e of events) {
    w.u32(e.length);
    w.bytes(e);
  }
}

export function readSealResponse(buf: Uint8Array): { status: number; datagram: Uint8Array }[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = dv.getUint32(0, true);
  const out = new Array<{ status: number; datagram: Uint8Array }>(count);
  let p = 4;
  for (let k = 0; k < count; k++) {
    const status = dv.getInt32(p, true);
    const len = dv.getUint32(p + 4, true);
    out[k] = { status, datagram: buf.subarray(p + 8, p + 8 + len) };
    p += 8 + len;
  }
  return out;
}

export function packDatagrams(datagrams: readonly Uint8Array[]): Uint8Array {
  let total = 4;
  for (const d of datagrams) total += 4 + d.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, datagrams.length, true);
  let p = 4;
  for (const d of datagrams) {
    dv.setUint32(p, d.length, true);
    out.set(d, p + 4);
    p += 4 + d.length;
  }
  return out;
}

export function unpackDatagrams(buf: Uint8Array): Uint8Array[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = dv.getUint32(0, true);
  const out: Uint8Array[] = new Array(count);
  let p = 4;
  for (let k = 0; k < count; k++) {
    const len = dv.getUint32(p, true);
    out[k] = buf.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return out;
}
