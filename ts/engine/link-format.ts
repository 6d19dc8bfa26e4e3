// The app↔engine link: one byte layout for both placements (rings between threads, or buffers
// handed over at the end of the turn on one thread). A batch is a run of records
//
//   [u32 len][u8 op][u8 flags][u16 reserved] fields…   (len includes the 8-byte head, padded to 8)
//
// all integers little-endian. Send records carry events already framed as the core's seal input
// wants them (`[u32 len][bytes]` per event, packets back to back, after a [framedLen, eventCount]
// table), so the engine copies them straight into WASM memory; delivered-event records carry the
// framed plaintext exactly as the core's open left it. Hot records are read in place at the field
// offsets below; the rare ones have small encode/decode helpers.

import { copyIntoLink } from './link-copy.js';

export const RECORD_HEAD = 8;
export const pad8 = (n: number): number => (n + 7) & ~7;

/** Record opcodes. 0 is the ring's wrap filler. */
export const Op = {
  PAD: 0,
  // app → engine
  ACCEPT: 1,
  CONNECT: 2,
  OPEN: 3,
  SEND: 4,
  CLOSE_STREAM: 5,
  GRACEFUL: 6,
  SET_WEIGHT: 7,
  SUBPROTOCOL: 8,
  PACKET: 9,
  CLAIM: 10,
  TAKEN: 11,
  DATAGRAMS_IN: 12,
  SHUTDOWN: 13,
  WANT: 14,
  /** A connect the app abandoned (its AbortSignal fired or its timeoutMs passed). */
  CANCEL_CONNECT: 20,
  /** Bridged transport: a probe found the address unreachable (ICMP). */
  UNREACHABLE: 21,
  // engine → app
  PEER: 32,
  CONNECT_RESULT: 33,
  STREAM_OPENED: 34,
  STATUS: 35,
  STREAM_CLOSED: 36,
  RESET: 37,
  DELIVER: 38,
  SUBPROTOCOL_IN: 39,
  GRACEFUL_RESULT: 40,
  DATAGRAMS_OUT: 41,
  STATS: 42,
  WARNING: 43,
  CLOSED: 44,
  FATAL: 45,
  /** Bridged transport: probe this address for ICMP unreachable with this payload. */
  PROBE: 50,
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---- writing -----------------------------------------------------------------------------------

/**
 * Records the other side does not wait for: they become visible without waking it and are read at
 * its next wake-up (which comes within LAZY_WAKE_MS at the latest).
 */
const LAZY_OPS: ReadonlySet<number> = new Set([Op.STATS, Op.WARNING, Op.STATUS, Op.STREAM_OPENED, Op.OPEN, Op.CLOSE_STREAM, Op.SET_WEIGHT, Op.CLAIM, Op.WANT]);
/** The longest a lazy record waits to be read. */
export const LAZY_WAKE_MS = 20;

export function isLazy(op: number): boolean {
  return LAZY_OPS.has(op);
}

/**
 * Appends records. `begin` reserves one record and returns the offset of its fields in `buf`;
 * the caller fills them through `buf`/`dv` before the next `begin`.
 */
export abstract class LinkWriter {
  buf: Uint8Array = new Uint8Array(0);
  dv: DataView = new DataView(this.buf.buffer);
  /** Largest record this writer takes (ring writers: a fraction of the ring). */
  maxRecord = Number.MAX_SAFE_INTEGER;
  /** A record written since the last publish needs the other side awake (see LAZY_OPS). */
  urgent = false;

  /** Reserves `len` bytes (a multiple of 8) and returns their offset in `buf`. */
  protected abstract reserve(len: number): number;

  begin(op: number, fieldsLen: number, flags = 0): number {
    const len = pad8(RECORD_HEAD + fieldsLen);
    if (!isLazy(op)) this.urgent = true;
    return this.head(this.reserve(len), len, op, flags);
  }

  /** Writes a record head at `at` in `buf`; returns the offset of the fields. */
  protected head(at: number, len: number, op: number, flags: number): number {
    this.dv.setUint32(at, len, true);
    this.buf[at + 4] = op;
    this.buf[at + 5] = flags;
    this.dv.setUint16(at + 6, 0, true);
    return at + RECORD_HEAD;
  }
}

/** Records into a growable buffer, taken whole at the end of a turn. */
export class BufferLinkWriter extends LinkWriter {
  private pos = 0;
  private spare: Uint8Array | undefined;
  /** Capacity the next buffer starts with: the largest turn seen, so busy turns do not regrow. */
  private capacity: number;

  constructor(initial = 1 << 16) {
    super();
    this.capacity = initial;
    this.setBuffer(new Uint8Array(initial));
  }

  private setBuffer(b: Uint8Array): void {
    this.buf = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  protected reserve(len: number): number {
    if (this.pos + len > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + len) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.pos));
      this.setBuffer(next);
      this.capacity = Math.min(Math.max(this.capacity, size), 64 << 20);
    }
    const at = this.pos;
    this.pos += len;
    return at;
  }

  get length(): number {
    return this.pos;
  }

  /** The records written so far (the writer continues in another buffer); null when none. */
  take(): Uint8Array | null {
    if (this.pos === 0) return null;
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    const spare = this.spare;
    this.spare = undefined;
    this.setBuffer(spare && spare.length >= this.capacity ? spare : new Uint8Array(this.capacity));
    return out;
  }

  /** Hands back a buffer `take` returned once its reader is done, to be reused. */
  recycle(chunk: Uint8Array): void {
    if (chunk.byteOffset !== 0) return;
    const whole = new Uint8Array(chunk.buffer as ArrayBuffer);
    if (whole.length >= this.capacity && (!this.spare || this.spare.length < whole.length)) this.spare = whole;
  }
}

// ---- reading -----------------------------------------------------------------------------------

/** Walks the records of `buf[start, end)`. */
export class LinkReader {
  op = 0;
  flags = 0;
  /** Offset of the current record's fields. */
  at = 0;
  /** One past the current record's last byte. */
  recordEnd = 0;
  readonly dv: DataView;

  constructor(
    readonly buf: Uint8Array,
    private pos = 0,
    private readonly end = buf.length,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Offset just past the last record read (a PAD record included). */
  get position(): number {
    return this.pos;
  }

  /**
   * Moves to the next record; false at the end or after a PAD record (the ring's wrap filler,
   * consumed). Throws on a broken layout (a bug, not input).
   */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const len = this.dv.getUint32(this.pos, true);
    if (len < RECORD_HEAD || (len & 7) !== 0 || this.pos + len > this.end) throw new Error(`net-mesh link: broken record length ${len} at ${this.pos}`);
    if (this.buf[this.pos + 4] === Op.PAD) {
      this.pos += len;
      return false;
    }
    this.op = this.buf[this.pos + 4]!;
    this.flags = this.buf[this.pos + 5]!;
    this.at = this.pos + RECORD_HEAD;
    this.recordEnd = this.pos + len;
    this.pos += len;
    return true;
  }

  u8(o: number): number {
    return this.buf[this.at + o]!;
  }
  u16(o: number): number {
    return this.dv.getUint16(this.at + o, true);
  }
  u32(o: number): number {
    return this.dv.getUint32(this.at + o, true);
  }
  u64(o: number): bigint {
    return this.dv.getBigUint64(this.at + o, true);
  }
  f64(o: number): number {
    return this.dv.getFloat64(this.at + o, true);
  }
  bytes(o: number, len: number): Uint8Array {
    return this.buf.subarray(this.at + o, this.at + o + len);
  }
  string(o: number, len: number): string {
    return len === 0 ? '' : decoder.decode(this.buf.subarray(this.at + o, this.at + o + len));
  }
}

// ---- small helpers for string fields ----------------------------------------------------------

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

// ---- stream configuration (OPEN, STREAM_OPENED) -------------------------------------------------

export interface WireStreamConfig {
  reliable: boolean;
  scheduled: boolean;
  weight: number;
  priority: boolean;
  windowBytes: number;
  /** False: the window starts at windowBytes and grows with the measured bandwidth-delay product. */
  windowExplicit: boolean;
  maxRetries: number;
}

/** 12 bytes: u32 window, u8 reliable, scheduled, weight, priority, maxRetries, windowExplicit, 2 pad. */
const CONFIG_LEN = 12;

function writeConfig(w: LinkWriter, at: number, c: WireStreamConfig): void {
  w.dv.setUint32(at, c.windowBytes, true);
  w.buf[at + 4] = c.reliable ? 1 : 0;
  w.buf[at + 5] = c.scheduled ? 1 : 0;
  w.buf[at + 6] = c.weight;
  w.buf[at + 7] = c.priority ? 1 : 0;
  w.buf[at + 8] = c.maxRetries;
  w.buf[at + 9] = c.windowExplicit ? 1 : 0;
}

function readConfig(r: LinkReader, o: number): WireStreamConfig {
  return {
    windowBytes: r.u32(o),
    reliable: r.u8(o + 4) === 1,
    scheduled: r.u8(o + 5) === 1,
    weight: r.u8(o + 6),
    priority: r.u8(o + 7) === 1,
    maxRetries: r.u8(o + 8),
    windowExplicit: r.u8(o + 9) === 1,
  };
}

// ---- app → engine ------------------------------------------------------------------------------

/** ACCEPT: expect `nodeId`, or (`any`, flag 1) admit any initiator holding the PSK. */
export function writeAccept(w: LinkWriter, nodeId: bigint, any = false): void {
  const at = w.begin(Op.ACCEPT, 8, any ? 1 : 0);
  w.dv.setBigUint64(at, nodeId, true);
}

export function writeCancelConnect(w: LinkWriter, reqId: number): void {
  const at = w.begin(Op.CANCEL_CONNECT, 8);
  w.dv.setUint32(at, reqId, true);
}

/** PROBE (engine → app) and UNREACHABLE (app → engine): an address and bytes (payload / detail text). */
export function writeAddressNote(w: LinkWriter, op: number, address: string, data: Uint8Array): void {
  const a = utf8(address);
  const at = w.begin(op, 8 + a.length + data.length);
  w.dv.setUint16(at, a.length, true);
  w.dv.setUint32(at + 4, data.length, true);
  w.buf.set(a, at + 8);
  w.buf.set(data, at + 8 + a.length);
}

export function readAddressNote(r: LinkReader): { address: string; data: Uint8Array } {
  const al = r.u16(0);
  return { address: r.string(8, al), data: r.bytes(8 + al, r.u32(4)).slice() };
}

export interface ConnectCommand {
  reqId: number;
  nodeId: bigint;
  publicKey: Uint8Array;
  /** null: a routed handshake (wire.md §11.4), through `via` or the learned route. */
  address: string | null;
  /** The relay's node id for a routed handshake. */
  via?: bigint;
}

const CONNECT_ROUTED = 1;
const CONNECT_VIA = 2;

export function writeConnect(w: LinkWriter, c: ConnectCommand): void {
  const addr = utf8(c.address ?? '');
  const at = w.begin(Op.CONNECT, 56 + addr.length);
  w.dv.setUint32(at, c.reqId, true);
  w.dv.setUint16(at + 4, addr.length, true);
  w.buf[at + 6] = (c.address === null ? CONNECT_ROUTED : 0) | (c.via !== undefined ? CONNECT_VIA : 0);
  w.dv.setBigUint64(at + 8, c.nodeId, true);
  w.buf.set(c.publicKey, at + 16);
  w.dv.setBigUint64(at + 48, c.via ?? 0n, true);
  w.buf.set(addr, at + 56);
}

export function readConnect(r: LinkReader): ConnectCommand {
  const flags = r.u8(6);
  return {
    reqId: r.u32(0),
    nodeId: r.u64(8),
    publicKey: r.bytes(16, 32).slice(),
    address: flags & CONNECT_ROUTED ? null : r.string(56, r.u16(4)),
    ...(flags & CONNECT_VIA ? { via: r.u64(48) } : {}),
  };
}

/** Names a stream record from the app's side: the session generation, the handle's epoch, ids. */
export interface StreamKey {
  gen: number;
  epoch: number;
  peer: bigint;
  stream: bigint;
}

/** The 24-byte key head shared by OPEN, SEND, CLOSE_STREAM, SET_WEIGHT and WANT. */
function writeKey(w: LinkWriter, at: number, k: StreamKey): void {
  w.dv.setUint32(at, k.gen, true);
  w.dv.setUint32(at + 4, k.epoch, true);
  w.dv.setBigUint64(at + 8, k.peer, true);
  w.dv.setBigUint64(at + 16, k.stream, true);
}

export function readKey(r: LinkReader): StreamKey {
  return { gen: r.u32(0), epoch: r.u32(4), peer: r.u64(8), stream: r.u64(16) };
}

export interface OpenCommand extends StreamKey {
  config: WireStreamConfig;
  header?: { channelHash: number; originHash: bigint };
}

export function writeOpen(w: LinkWriter, c: OpenCommand): void {
  const at = w.begin(Op.OPEN, 24 + CONFIG_LEN + 4 + 8, c.header ? 1 : 0);
  writeKey(w, at, c);
  writeConfig(w, at + 24, c.config);
  w.dv.setUint16(at + 36, c.header?.channelHash ?? 0, true);
  w.dv.setBigUint64(at + 40, c.header?.originHash ?? 0n, true);
}

export function readOpen(r: LinkReader): OpenCommand {
  const c: OpenCommand = { ...readKey(r), config: readConfig(r, 24) };
  if (r.flags & 1) c.header = { channelHash: r.u16(36), originHash: r.u64(40) };
  return c;
}

/** SEND field offsets: key (24), u32 packetCount, u32 dataLen, table, data. */
export const SEND_COUNT = 24;
export const SEND_DATA_LEN = 28;
export const SEND_TABLE = 32;

/**
 * One SEND record for `count` packets whose frames total `dataLen` bytes: writes the head and
 * returns the offsets of the table and the data for the caller to fill.
 */
export function beginSend(w: LinkWriter, k: StreamKey, count: number, dataLen: number): { table: number; data: number } {
  const at = w.begin(Op.SEND, SEND_TABLE + 8 * count + dataLen);
  writeKey(w, at, k);
  w.dv.setUint32(at + SEND_COUNT, count, true);
  w.dv.setUint32(at + SEND_DATA_LEN, dataLen, true);
  return { table: at + SEND_TABLE, data: at + SEND_TABLE + 8 * count };
}

export function writeCloseStream(w: LinkWriter, k: StreamKey): void {
  writeKey(w, w.begin(Op.CLOSE_STREAM, 24), k);
}

export function writeWant(w: LinkWriter, k: StreamKey): void {
  writeKey(w, w.begin(Op.WANT, 24), k);
}

export function writeSetWeight(w: LinkWriter, k: StreamKey, weight: number): void {
  const at = w.begin(Op.SET_WEIGHT, 32);
  writeKey(w, at, k);
  w.dv.setUint32(at + 24, weight, true);
}

export function writeGraceful(w: LinkWriter, reqId: number, k: StreamKey, timeoutMs: number): void {
  const at = w.begin(Op.GRACEFUL, 40);
  writeKey(w, at, k);
  w.dv.setUint32(at + 24, reqId, true);
  w.dv.setFloat64(at + 32, timeoutMs, true);
}

export function readGraceful(r: LinkReader): { key: StreamKey; reqId: number; timeoutMs: number } {
  return { key: readKey(r), reqId: r.u32(24), timeoutMs: r.f64(32) };
}

export function writeSubprotocol(w: LinkWriter, peer: bigint, subprotocol: number, payload: Uint8Array): void {
  const at = w.begin(Op.SUBPROTOCOL, 16 + payload.length);
  w.dv.setBigUint64(at, peer, true);
  w.dv.setUint16(at + 8, subprotocol, true);
  w.dv.setUint32(at + 12, payload.length, true);
  w.buf.set(payload, at + 16);
}

export interface PacketCommand {
  peer: bigint;
  flags: number;
  subprotocol: number;
  channelHash: number;
  streamId: bigint;
  sequence: bigint;
  originHash: bigint;
  events: readonly Uint8Array[];
}

export function writePacket(w: LinkWriter, p: PacketCommand): void {
  let framed = 0;
  for (const e of p.events) framed += 4 + e.length;
  const at = w.begin(Op.PACKET, 48 + framed);
  w.dv.setBigUint64(at, p.peer, true);
  w.buf[at + 8] = p.flags;
  w.dv.setUint16(at + 10, p.subprotocol, true);
  w.dv.setUint16(at + 12, p.channelHash, true);
  w.dv.setBigUint64(at + 16, p.streamId, true);
  w.dv.setBigUint64(at + 24, p.sequence, true);
  w.dv.setBigUint64(at + 32, p.originHash, true);
  w.dv.setUint32(at + 40, p.events.length, true);
  w.dv.setUint32(at + 44, framed, true);
  let o = at + 48;
  for (const e of p.events) {
    w.dv.setUint32(o, e.length, true);
    copyIntoLink(w.buf, o + 4, e);
    o += 4 + e.length;
  }
}

export function writeClaim(w: LinkWriter, subprotocol: number, on: boolean): void {
  const at = w.begin(Op.CLAIM, 4);
  w.dv.setUint16(at, subprotocol, true);
  w.buf[at + 2] = on ? 1 : 0;
}

/** TAKEN: u32 count, pad, then count × [u32 rid, u32 bytes]. */
export function writeTaken(w: LinkWriter, entries: Map<number, number>): void {
  const at = w.begin(Op.TAKEN, 8 + 8 * entries.size);
  w.dv.setUint32(at, entries.size, true);
  let o = at + 8;
  for (const [rid, bytes] of entries) {
    w.dv.setUint32(o, rid, true);
    w.dv.setUint32(o + 4, Math.min(bytes, 0xffff_ffff), true);
    o += 8;
  }
}

export function writeShutdown(w: LinkWriter): void {
  w.begin(Op.SHUTDOWN, 0);
}

/** DATAGRAMS_IN / DATAGRAMS_OUT: u32 count, pad, then per datagram u32 len, u16 addrLen, addr, data. */
export function writeDatagrams(w: LinkWriter, op: number, batch: readonly { data: Uint8Array; address: string }[], from = 0, to = batch.length): void {
  const addrs: Uint8Array[] = [];
  let size = 8;
  for (let i = from; i < to; i++) {
    const a = utf8(batch[i]!.address);
    addrs.push(a);
    size += 6 + a.length + batch[i]!.data.length;
  }
  const at = w.begin(op, size);
  w.dv.setUint32(at, to - from, true);
  let o = at + 8;
  for (let i = from; i < to; i++) {
    const d = batch[i]!.data;
    const a = addrs[i - from]!;
    w.dv.setUint32(o, d.length, true);
    w.dv.setUint16(o + 4, a.length, true);
    w.buf.set(a, o + 6);
    w.buf.set(d, o + 6 + a.length);
    o += 6 + a.length + d.length;
  }
}

/** Splits a datagram batch into records no larger than the writer takes. */
export function writeDatagramBatches(w: LinkWriter, op: number, batch: readonly { data: Uint8Array; address: string }[]): void {
  let from = 0;
  while (from < batch.length) {
    let size = 16;
    let to = from;
    while (to < batch.length) {
      const add = 6 + batch[to]!.address.length * 3 + batch[to]!.data.length;
      if (to > from && size + add > w.maxRecord) break;
      size += add;
      to++;
    }
    writeDatagrams(w, op, batch, from, to);
    from = to;
  }
}

/** Copies the datagrams of a DATAGRAMS record out (the buffers are the receiver's to keep). */
export function readDatagrams(r: LinkReader): { data: Uint8Array; address: string }[] {
  const n = r.u32(0);
  const out = new Array<{ data: Uint8Array; address: string }>(n);
  let o = 8;
  for (let i = 0; i < n; i++) {
    const len = r.u32(o);
    const alen = r.u16(o + 4);
    const address = r.string(o + 6, alen);
    out[i] = { address, data: r.bytes(o + 6 + alen, len).slice() };
    o += 6 + alen + len;
  }
  return out;
}

// ---- engine → app ------------------------------------------------------------------------------

export const PeerKind = { UP: 0, SUSPECTED: 1, FAILED: 2, RECOVERED: 3, UPDATE: 4 } as const;
export const HEALTH = ['healthy', 'suspected', 'failed'] as const;

export interface PeerRecord {
  kind: number;
  health: number;
  gen: number;
  nodeId: bigint;
  rttMs: number;
  address: string;
}

export function writePeer(w: LinkWriter, p: PeerRecord): void {
  const addr = utf8(p.address);
  const at = w.begin(Op.PEER, 24 + addr.length);
  w.buf[at] = p.kind;
  w.buf[at + 1] = p.health;
  w.dv.setUint16(at + 2, addr.length, true);
  w.dv.setUint32(at + 4, p.gen, true);
  w.dv.setBigUint64(at + 8, p.nodeId, true);
  w.dv.setFloat64(at + 16, p.rttMs, true);
  w.buf.set(addr, at + 24);
}

export function readPeer(r: LinkReader): PeerRecord {
  return { kind: r.u8(0), health: r.u8(1), gen: r.u32(4), nodeId: r.u64(8), rttMs: r.f64(16), address: r.string(24, r.u16(2)) };
}

export interface ConnectResult {
  reqId: number;
  ok: boolean;
  nodeId: bigint;
  code: string;
  message: string;
}

export function writeConnectResult(w: LinkWriter, c: ConnectResult): void {
  const code = utf8(c.code);
  const msg = utf8(c.message);
  const at = w.begin(Op.CONNECT_RESULT, 16 + code.length + msg.length, c.ok ? 1 : 0);
  w.dv.setUint32(at, c.reqId, true);
  w.dv.setUint16(at + 4, code.length, true);
  w.dv.setUint16(at + 6, msg.length, true);
  w.dv.setBigUint64(at + 8, c.nodeId, true);
  w.buf.set(code, at + 16);
  w.buf.set(msg, at + 16 + code.length);
}

export function readConnectResult(r: LinkReader): ConnectResult {
  const cl = r.u16(4);
  return { reqId: r.u32(0), ok: (r.flags & 1) === 1, nodeId: r.u64(8), code: r.string(16, cl), message: r.string(16 + cl, r.u16(6)) };
}

export interface StreamOpened {
  rid: number;
  gen: number;
  /** The record's epoch (0: created by an inbound packet). */
  epoch: number;
  /** The epoch the app's OPEN asked for when the record already existed (else equal to epoch). */
  requestedEpoch: number;
  peer: bigint;
  stream: bigint;
  config: WireStreamConfig;
}

export function writeStreamOpened(w: LinkWriter, s: StreamOpened): void {
  const at = w.begin(Op.STREAM_OPENED, 32 + CONFIG_LEN);
  w.dv.setUint32(at, s.rid, true);
  w.dv.setUint32(at + 4, s.gen, true);
  w.dv.setUint32(at + 8, s.epoch, true);
  w.dv.setUint32(at + 12, s.requestedEpoch, true);
  w.dv.setBigUint64(at + 16, s.peer, true);
  w.dv.setBigUint64(at + 24, s.stream, true);
  writeConfig(w, at + 32, s.config);
}

export function readStreamOpened(r: LinkReader): StreamOpened {
  return { rid: r.u32(0), gen: r.u32(4), epoch: r.u32(8), requestedEpoch: r.u32(12), peer: r.u64(16), stream: r.u64(24), config: readConfig(r, 32) };
}

/** The stream counters a STATUS record carries (as f64), in this order. */
export const STATUS_STATS = [
  'sent',
  'acked',
  'retransmits',
  'timeoutRetransmits',
  'nacksSent',
  'nacksReceived',
  'rtoMs',
  'srttMs',
  'cwnd',
  'creditBytes',
  'txSeq',
  'rxSeq',
  'pending',
  'maxPending',
  'txWindow',
  'txBytesSent',
  'rxConsumed',
  'backpressureEvents',
  'creditGrantsReceived',
  'creditGrantsSent',
  'probesSent',
  'rttSamples',
] as const;
export type StatusStats = Record<(typeof STATUS_STATS)[number], number>;

/** STATUS field offsets. */
export const STATUS_RID = 0;
export const STATUS_FLAGS = 4;
export const STATUS_RECEIVED_BYTES = 8;
export const STATUS_BUDGET_BYTES = 16;
export const STATUS_RECEIVED_PACKETS = 24;
export const STATUS_BUDGET_PACKETS = 28;
export const STATUS_BACKLOG = 32;
export const STATUS_STATS_AT = 40;
export const STATUS_LEN = STATUS_STATS_AT + 8 * STATUS_STATS.length;

/** Where each counter sits in a STATUS record. */
const STATUS_STAT_OFFSETS = Object.fromEntries(STATUS_STATS.map((k, i) => [k, STATUS_STATS_AT + 8 * i])) as StatusStats;

/**
 * A STATUS record's counters. One object literal of a fixed shape: filling an empty object key by
 * key costs microseconds per record, and thousands of busy streams send tens of thousands a second.
 */
export function readStatusStats(r: LinkReader): StatusStats {
  const o = STATUS_STAT_OFFSETS;
  return {
    sent: r.f64(o.sent),
    acked: r.f64(o.acked),
    retransmits: r.f64(o.retransmits),
    timeoutRetransmits: r.f64(o.timeoutRetransmits),
    nacksSent: r.f64(o.nacksSent),
    nacksReceived: r.f64(o.nacksReceived),
    rtoMs: r.f64(o.rtoMs),
    srttMs: r.f64(o.srttMs),
    cwnd: r.f64(o.cwnd),
    creditBytes: r.f64(o.creditBytes),
    txSeq: r.f64(o.txSeq),
    rxSeq: r.f64(o.rxSeq),
    pending: r.f64(o.pending),
    maxPending: r.f64(o.maxPending),
    txWindow: r.f64(o.txWindow),
    txBytesSent: r.f64(o.txBytesSent),
    rxConsumed: r.f64(o.rxConsumed),
    backpressureEvents: r.f64(o.backpressureEvents),
    creditGrantsReceived: r.f64(o.creditGrantsReceived),
    creditGrantsSent: r.f64(o.creditGrantsSent),
    probesSent: r.f64(o.probesSent),
    rttSamples: r.f64(o.rttSamples),
  };
}

/** Flag bits. */
export const STATUS_FAILED = 1;
export const STATUS_PROBING = 2;
/** budgetBytes / budgetPackets values meaning "no limit". */
export const UNLIMITED_BYTES = -1;
export const UNLIMITED_PACKETS = 0xffff_ffff;

/** STREAM_CLOSED: u32 rid, u8 reason. */
export const CloseReasons = ['closed', 'reset', 'gave-up', 'evicted', 'session', 'node-closed'] as const;
export type CloseReason = (typeof CloseReasons)[number];

export function writeStreamClosed(w: LinkWriter, rid: number, reason: CloseReason, pending: boolean): void {
  const at = w.begin(Op.STREAM_CLOSED, 8, pending ? 1 : 0);
  w.dv.setUint32(at, rid, true);
  w.buf[at + 4] = CloseReasons.indexOf(reason);
}

/** RESET: a stream's reads fail (peer reset, or our give-up). */
export function writeReset(w: LinkWriter, peer: bigint, stream: bigint, gaveUp: boolean): void {
  const at = w.begin(Op.RESET, 16, gaveUp ? 1 : 0);
  w.dv.setBigUint64(at, peer, true);
  w.dv.setBigUint64(at + 8, stream, true);
}

/** DELIVER field offsets: u32 rid, u32 eventCount, u64 seq, u64 originHash, u16 channelHash, u32 framesLen @28, frames @32. */
export const DELIVER_FRAMES = 32;

export function beginDeliver(w: LinkWriter, rid: number, seq: bigint, channelHash: number, originHash: bigint, eventCount: number, framesLen: number): number {
  const at = w.begin(Op.DELIVER, DELIVER_FRAMES + framesLen);
  w.dv.setUint32(at, rid, true);
  w.dv.setUint32(at + 4, eventCount, true);
  w.dv.setBigUint64(at + 8, seq, true);
  w.dv.setBigUint64(at + 16, originHash, true);
  w.dv.setUint16(at + 24, channelHash, true);
  w.dv.setUint32(at + 28, framesLen, true);
  return at + DELIVER_FRAMES;
}

/**
 * SUBPROTOCOL_IN: u64 peer, u16 subprotocol, u32 frameCount @12, u32 framesLen @16, u64 streamId
 * @24, u64 seq @32, frames @40. The packet's stream id and seq matter to one handler: the
 * blob-transfer request names its reply stream in them (wire.md §8).
 */
export const SUBPROTOCOL_IN_FRAMES = 40;

export function beginSubprotocolIn(w: LinkWriter, peer: bigint, subprotocol: number, frameCount: number, framesLen: number, streamId: bigint, seq: bigint): number {
  const at = w.begin(Op.SUBPROTOCOL_IN, SUBPROTOCOL_IN_FRAMES + framesLen);
  w.dv.setBigUint64(at, peer, true);
  w.dv.setUint16(at + 8, subprotocol, true);
  w.dv.setUint32(at + 12, frameCount, true);
  w.dv.setUint32(at + 16, framesLen, true);
  w.dv.setBigUint64(at + 24, streamId, true);
  w.dv.setBigUint64(at + 32, seq, true);
  return at + SUBPROTOCOL_IN_FRAMES;
}

/** How a closeGraceful ended. */
export const GracefulOutcome = { DRAINED: 0, TIMEOUT: 1, RESET: 2, GAVE_UP: 3, CLOSED_PENDING: 4, NOT_CONNECTED: 5 } as const;

export function writeGracefulResult(w: LinkWriter, reqId: number, outcome: number, reason: CloseReason | undefined): void {
  const at = w.begin(Op.GRACEFUL_RESULT, 8);
  w.dv.setUint32(at, reqId, true);
  w.buf[at + 4] = outcome;
  w.buf[at + 5] = reason === undefined ? 255 : CloseReasons.indexOf(reason);
}

/** The node counters a STATS record carries (as f64), in this order. */
export const STATS_FIELDS = [
  'packetsIn',
  'packetsOut',
  'bytesIn',
  'bytesOut',
  'eventsIn',
  'heartbeatsIn',
  'heartbeatsOut',
  'malformed',
  'authFailure',
  'replay',
  'unknownSession',
  'handshake',
  'unsupported',
  'other',
  // msg1 that authenticated under the PSK from a node this node has not accept()ed / under no prologue it knows
  'handshakeUnaccepted',
  'handshakeUnauthenticated',
  // routing (wire.md §7, §16, §17)
  'forwarded',
  'ttlExpired',
  'noRoute',
  'loop',
  'rateLimited',
  'keepalivesIn',
  'pingwavesIn',
] as const;
export type EngineCounters = Record<(typeof STATS_FIELDS)[number], number>;

export function emptyCounters(): EngineCounters {
  const c = {} as EngineCounters;
  for (const k of STATS_FIELDS) c[k] = 0;
  return c;
}

export function writeStats(w: LinkWriter, c: EngineCounters): void {
  const at = w.begin(Op.STATS, 8 * STATS_FIELDS.length);
  STATS_FIELDS.forEach((k, i) => w.dv.setFloat64(at + 8 * i, c[k], true));
}

export function readStats(r: LinkReader, into: EngineCounters): void {
  STATS_FIELDS.forEach((k, i) => (into[k] = r.f64(8 * i)));
}

export function writeWarning(w: LinkWriter, code: string, message: string): void {
  const c = utf8(code);
  const m = utf8(message);
  const at = w.begin(Op.WARNING, 4 + c.length + m.length);
  w.dv.setUint16(at, c.length, true);
  w.dv.setUint16(at + 2, m.length, true);
  w.buf.set(c, at + 4);
  w.buf.set(m, at + 4 + c.length);
}

export function readWarning(r: LinkReader): { code: string; message: string } {
  const cl = r.u16(0);
  return { code: r.string(4, cl), message: r.string(4 + cl, r.u16(2)) };
}

export function writeFatal(w: LinkWriter, message: string): void {
  const m = utf8(message);
  const at = w.begin(Op.FATAL, 4 + m.length);
  w.dv.setUint32(at, m.length, true);
  w.buf.set(m, at + 4);
}

export function readFatal(r: LinkReader): string {
  return r.string(4, r.u32(0));
}
