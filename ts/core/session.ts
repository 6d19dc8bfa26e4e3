// PacketSession: the core-side state of one Net session (TX/RX keys, session id, nonce prefix, TX
// counter, RX replay window) with batch seal/open, one JS→WASM call per batch.
//
// Results of sealBatch/openBatch are views into the per-thread packet arena: valid until the next
// packet-layer call on this thread (any session). Copy (`datagramCopy`, `eventCopy`) to keep them.
import { ClosedError, CoreError, InvalidArgumentError, type NetMeshError } from '../errors.js';
import {
  checkU64,
  checkUint,
  HEADER_SIZE,
  MAX_EVENT_SIZE,
  MAX_EVENTS_PER_PACKET,
  MAX_PAYLOAD_SIZE,
  noncePrefix as prefixOf,
  PacketFlags,
  readHeader,
  type PacketHeader,
} from './header.js';
import {
  arena,
  arenaGeneration,
  BATCH_HEADER_SIZE,
  FRAME_ENTRY_SIZE,
  heapView,
  inCoreMemory,
  OPEN_IN_FIXED,
  OPEN_RESULT_SIZE,
  packetExports,
  pad8,
  R,
  SEAL_OUT_META,
} from './packet-abi.js';
import { PacketStatus, statusError } from './packet-status.js';
import { heap, scratchBuffer } from './memory.js';
import { SealBuilder } from './seal-builder.js';

/** The builder `sealBatch` lays its records out in (one per thread, reused). */
const builder = new SealBuilder();

/**
 * The header fields a sender chooses (all optional, default 0). magic/version are fixed, hop_count
 * is always 0, nonce and sessionId come from the session, payloadLen/eventCount from the events.
 * `sequence` is the first packet's; a multi-packet seal numbers the rest consecutively.
 */
export interface SealHeader {
  flags?: number;
  priority?: number;
  hopTtl?: number;
  fragFlags?: number;
  subprotocolId?: number;
  channelHash?: number;
  streamId?: bigint;
  sequence?: bigint;
  originHash?: bigint;
  subnetId?: number;
  fragmentId?: number;
  fragmentOffset?: number;
}

/** One record of a seal batch: its events are packed greedily into as many packets as needed. */
export interface SealRecord {
  header: SealHeader;
  events: readonly Uint8Array[];
}

export type OpenedKind = 'data' | 'handshake' | 'heartbeat';

/** A datagram opened by `PacketSession.open` / `openPacket`; every byte array is an owned copy. */
export interface OpenedPacket {
  kind: OpenedKind;
  header: PacketHeader;
  /** The TX counter of the packet (header bytes 16..24). */
  counter: bigint;
  /** The frames of a data packet (views into `payload`); empty for heartbeats and handshakes. */
  events: Uint8Array[];
  /** Decrypted framed plaintext, or the raw Noise message of a handshake. */
  payload: Uint8Array;
}

const KEY_SIZE = 32;

const registry = new FinalizationRegistry<number>((handle) => {
  try {
    packetExports().nm_packet_session_free(handle);
  } catch {
    // the core is gone with its thread: nothing to free
  }
});

function checkKey(name: string, k: unknown): asserts k is Uint8Array {
  if (!(k instanceof Uint8Array) || k.length !== KEY_SIZE) {
    throw new InvalidArgumentError(`${name} must be a ${KEY_SIZE}-byte Uint8Array`);
  }
}

function checkSealHeader(h: SealHeader, where: string): void {
  if (h === null || typeof h !== 'object') throw new InvalidArgumentError(`${where}: header must be an object`);
  if (h.flags !== undefined) checkUint(`${where}: flags`, h.flags, 0xff);
  if (h.priority !== undefined) checkUint(`${where}: priority`, h.priority, 0xff);
  if (h.hopTtl !== undefined) checkUint(`${where}: hopTtl`, h.hopTtl, 0xff);
  if (h.fragFlags !== undefined) checkUint(`${where}: fragFlags`, h.fragFlags, 0xff);
  if (h.subprotocolId !== undefined) checkUint(`${where}: subprotocolId`, h.subprotocolId, 0xffff);
  if (h.channelHash !== undefined) checkUint(`${where}: channelHash`, h.channelHash, 0xffff);
  if (h.streamId !== undefined) checkU64(`${where}: streamId`, h.streamId);
  if (h.sequence !== undefined) checkU64(`${where}: sequence`, h.sequence);
  if (h.originHash !== undefined) checkU64(`${where}: originHash`, h.originHash);
  if (h.subnetId !== undefined) checkUint(`${where}: subnetId`, h.subnetId, 0xffff_ffff);
  if (h.fragmentId !== undefined) checkUint(`${where}: fragmentId`, h.fragmentId, 0xffff);
  if (h.fragmentOffset !== undefined) checkUint(`${where}: fragmentOffset`, h.fragmentOffset, 0xffff);
  const flags = h.flags ?? 0;
  if (flags & PacketFlags.HANDSHAKE) {
    throw new InvalidArgumentError(`${where}: HANDSHAKE packets are never sealed (use encodeHandshakePacket)`);
  }
}

/** Events that live in core memory are copied out first: the arena may overwrite or move them. */
function detach(records: readonly SealRecord[]): SealRecord[] {
  return records.map((r) => ({ header: r.header, events: r.events.map((e) => (inCoreMemory(e) ? e.slice() : e)) }));
}

export class PacketSession {
  readonly sessionId: bigint;
  /** `lo32(sessionId) XOR hi32(sessionId)` (wire.md §12). */
  readonly noncePrefix: number;
  #handle: number;

  constructor(opts: { txKey: Uint8Array; rxKey: Uint8Array; sessionId: bigint; nextTxCounter?: bigint }) {
    checkKey('txKey', opts.txKey);
    checkKey('rxKey', opts.rxKey);
    checkU64('sessionId', opts.sessionId);
    this.sessionId = opts.sessionId;
    this.noncePrefix = prefixOf(opts.sessionId);
    const tx = inCoreMemory(opts.txKey) ? opts.txKey.slice() : opts.txKey;
    const rx = inCoreMemory(opts.rxKey) ? opts.rxKey.slice() : opts.rxKey;
    // Keys go through the shared scratch region, not the arena, so live batch results stay valid.
    const s = scratchBuffer(2 * KEY_SIZE);
    const mem = heap();
    mem.set(tx, s.ptr);
    mem.set(rx, s.ptr + KEY_SIZE);
    const h = packetExports().nm_packet_session_new(s.ptr, opts.sessionId);
    heap().fill(0, s.ptr, s.ptr + 2 * KEY_SIZE); // do not leave raw keys in the scratch
    if (h === 0) throw new CoreError('CORE_OUT_OF_MEMORY', 'net-mesh core: cannot allocate a packet session');
    this.#handle = h;
    registry.register(this, h, this);
    if (opts.nextTxCounter !== undefined) this.advanceTxCounter(opts.nextTxCounter);
  }

  #live(): number {
    if (this.#handle === 0) throw new ClosedError('PacketSession');
    return this.#handle;
  }

  /** The TX counter the next sealed packet will take. */
  get nextTxCounter(): bigint {
    return BigInt.asUintN(64, packetExports().nm_packet_session_next_counter(this.#live()));
  }

  /** Moves the TX counter forward (never back: counters are never reused). */
  advanceTxCounter(next: bigint): void {
    checkU64('next', next);
    const rc = packetExports().nm_packet_session_advance_counter(this.#live(), next);
    if (rc < 0) throw new InvalidArgumentError(`TX counter can only move forward (now ${this.nextTxCounter}, asked ${next})`);
  }

  /** The RX replay window's rxNext: highest admitted counter + 1 (0n before any packet). */
  get rxNext(): bigint {
    return BigInt.asUintN(64, packetExports().nm_packet_session_rx_next(this.#live()));
  }

  /**
   * Seals every record in one core call. Each record's events are packed greedily (≤ 8108 plaintext
   * bytes and ≤ 2027 events per packet; no events → one empty packet) into packets numbered
   * `header.sequence`, +1, ...; each packet takes the next TX counter. Everything is validated
   * first: an event > 8104 bytes (or any other error) throws before any counter is taken.
   */
  sealBatch(records: readonly SealRecord[]): SealBatch {
    this.#live();
    if (!Array.isArray(records)) throw new InvalidArgumentError('sealBatch expects an array of records');
    let needDetach = false;
    const coreBuf = heap().buffer;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const where = `record ${i}`;
      checkSealHeader(r?.header, where);
      const events = r.events;
      if (!Array.isArray(events)) throw new InvalidArgumentError(`${where}: events must be an array of Uint8Array`);
      if ((r.header.flags ?? 0) & PacketFlags.HEARTBEAT && events.length > 0) {
        throw new InvalidArgumentError(`${where}: a HEARTBEAT packet carries no events`);
      }
      for (let j = 0; j < events.length; j++) {
        const e = events[j];
        if (!(e instanceof Uint8Array)) throw new InvalidArgumentError(`${where}: event ${j} must be a Uint8Array`);
        if (e.length > MAX_EVENT_SIZE) {
          throw new InvalidArgumentError(
            `${where}: event ${j} is ${e.length} bytes; the largest event is ${MAX_EVENT_SIZE} (chunk it first)`,
          );
        }
        if (e.buffer === coreBuf) needDetach = true;
      }
    }
    const recs = needDetach ? detach(records) : records;
    const b = builder;
    b.reset();
    for (const { header: t, events } of recs) {
      b.addEvents(t.flags ?? 0, t.subprotocolId ?? 0, t.channelHash ?? 0, t.streamId ?? 0n, t.sequence ?? 0n, t.originHash ?? 0n, events, t.priority ?? 0, t.hopTtl ?? 0, t.fragFlags ?? 0, t.subnetId ?? 0, t.fragmentId ?? 0, t.fragmentOffset ?? 0);
    }
    return this.sealBuilt(b);
  }

  /**
   * Seals a batch laid out by a SealBuilder (one copy into the arena, one core call). Throws the
   * typed error of a rejected batch (nothing sealed, no counter taken).
   */
  sealBuilt(b: SealBuilder): SealBatch {
    const h = this.#live();
    const input = b.input();
    const inLen = input.length;
    const outCap = b.outputBound;
    const a = arena(inLen + outCap);
    const inPtr = a.ptr;
    const outPtr = inPtr + inLen;
    heap().set(input, inPtr);
    const n = packetExports().nm_packet_seal_batch(h, inPtr, inLen, outPtr, outCap);
    if (n < 0) throw statusError(n)!;
    const dv = heapView();
    const offsets = new Uint32Array(n);
    let o = outPtr;
    for (let i = 0; i < n; i++) {
      offsets[i] = o;
      o = pad8(o + SEAL_OUT_META + dv.getUint32(o, true));
    }
    return new SealBatch(offsets, outPtr, o);
  }

  /** Greedily packs `events` of one stream into as many packets as needed (one core call). */
  pack(header: SealHeader, events: readonly Uint8Array[]): SealBatch {
    return this.sealBatch([{ header, events }]);
  }

  /** Seals `events` into exactly one packet and returns an owned copy of the datagram. */
  seal(header: SealHeader, events: readonly Uint8Array[]): Uint8Array {
    if (!Array.isArray(events)) throw new InvalidArgumentError('events must be an array of Uint8Array');
    let framed = 0;
    for (const e of events) framed += 4 + (e instanceof Uint8Array ? e.length : 0);
    if (events.length > MAX_EVENTS_PER_PACKET || framed > MAX_PAYLOAD_SIZE) {
      throw new InvalidArgumentError(
        `${events.length} events (${framed} framed bytes) do not fit one packet (≤ ${MAX_PAYLOAD_SIZE} bytes, ≤ ${MAX_EVENTS_PER_PACKET} events); use pack()`,
      );
    }
    return this.sealBatch([{ header, events }]).datagramCopy(0);
  }

  /**
   * Opens many datagrams in one core call (decrypted in place in the arena). Per datagram: header
   * validation, the length rule, AEAD open under this session's prefix and RX key, replay admission
   * (only after authentication), then frame parsing. Never throws for a bad datagram: read
   * `status(i)` / `error(i)`.
   */
  openBatch(datagrams: readonly Uint8Array[]): OpenBatch {
    const h = this.#live();
    if (!Array.isArray(datagrams)) throw new InvalidArgumentError('openBatch expects an array of Uint8Array');
    let inLen = BATCH_HEADER_SIZE;
    let frames = 0;
    let needDetach = false;
    const coreBuf = heap().buffer;
    for (let i = 0; i < datagrams.length; i++) {
      const d = datagrams[i];
      if (!(d instanceof Uint8Array)) throw new InvalidArgumentError(`datagram ${i} must be a Uint8Array`);
      if (d.buffer === coreBuf) needDetach = true;
      inLen += pad8(OPEN_IN_FIXED + d.length);
      if (d.length > HEADER_SIZE + 16) frames += Math.min((d.length - HEADER_SIZE - 16) >>> 2, MAX_EVENTS_PER_PACKET);
    }
    const dgs = needDetach ? datagrams.map((d) => (inCoreMemory(d) ? d.slice() : d)) : datagrams;
    const count = dgs.length;
    const outCap = count * OPEN_RESULT_SIZE + frames * FRAME_ENTRY_SIZE;
    const a = arena(inLen + outCap);
    const inPtr = a.ptr;
    const outPtr = inPtr + inLen;
    const mem = heap();
    const dv = heapView();
    dv.setUint32(inPtr, count, true);
    dv.setUint32(inPtr + 4, 0, true);
    const at = new Uint32Array(count);
    let p = inPtr + BATCH_HEADER_SIZE;
    for (let i = 0; i < count; i++) {
      const d = dgs[i]!;
      dv.setUint32(p, d.length, true);
      dv.setUint32(p + 4, 0, true);
      mem.set(d, p + OPEN_IN_FIXED);
      at[i] = p + OPEN_IN_FIXED;
      p = pad8(p + OPEN_IN_FIXED + d.length);
    }
    const n = packetExports().nm_packet_open_batch(h, inPtr, inLen, outPtr, outCap);
    if (n < 0) throw statusError(n)!;
    return new OpenBatch(inPtr, outPtr, count, at, dgs);
  }

  /** Opens one datagram; throws MalformedPacketError / AuthenticationError / ReplayError. */
  open(datagram: Uint8Array): OpenedPacket {
    return this.openBatch([datagram]).opened(0);
  }

  /** Frees the core state; later calls throw ClosedError. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    registry.unregister(this);
    packetExports().nm_packet_session_free(this.#handle);
    this.#handle = 0;
  }
}

function staleCheck(gen: number): void {
  if (gen !== arenaGeneration()) {
    throw new InvalidArgumentError('packet batch result is stale: a later packet-layer call reused its memory (copy what you keep)');
  }
}

/** The packets of one `sealBatch` call, in order. Views are valid until the next packet-layer call. */
export class SealBatch {
  readonly count: number;
  readonly #gen = arenaGeneration();
  readonly #at: Uint32Array;
  readonly #start: number;
  readonly #end: number;

  /** @internal */
  constructor(at: Uint32Array, start: number, end: number) {
    this.#at = at;
    this.count = at.length;
    this.#start = start;
    this.#end = end;
  }

  /**
   * Owned copies of every datagram, made with one copy of the whole output region: the datagrams
   * are views into one new buffer (for a transport that keeps them until the socket has sent).
   */
  datagramViews(): Uint8Array[] {
    staleCheck(this.#gen);
    return this.datagramViewsIn(new Uint8Array(this.outputBytes));
  }

  /** Bytes `datagramViewsIn` needs (the whole output region, metadata included). */
  get outputBytes(): number {
    return this.#end - this.#start;
  }

  /**
   * Like `datagramViews`, but the one copy goes into `target` (at least `outputBytes` long; e.g. a
   * send buffer reused once the transport has let go of the previous flush's datagrams).
   */
  datagramViewsIn(target: Uint8Array): Uint8Array[] {
    staleCheck(this.#gen);
    if (target.length < this.outputBytes) throw new InvalidArgumentError(`target has ${target.length} bytes, the datagrams need ${this.outputBytes}`);
    target.set(heap().subarray(this.#start, this.#end));
    const dv = new DataView(target.buffer, target.byteOffset, this.outputBytes);
    const out = new Array<Uint8Array>(this.count);
    for (let i = 0; i < this.count; i++) {
      const o = this.#at[i]! - this.#start;
      out[i] = target.subarray(o + SEAL_OUT_META, o + SEAL_OUT_META + dv.getUint32(o, true));
    }
    return out;
  }

  #meta(i: number): number {
    staleCheck(this.#gen);
    if (!(i >= 0 && i < this.count)) throw new InvalidArgumentError(`packet index ${i} out of range 0..${this.count - 1}`);
    return this.#at[i]!;
  }

  /** Datagram byte length of packet i. */
  byteLength(i: number): number {
    return heapView().getUint32(this.#meta(i), true);
  }
  /** Index of the input record packet i came from. */
  recordIndex(i: number): number {
    return heapView().getUint32(this.#meta(i) + 4, true);
  }
  /** Index (within its record) of the first event packet i holds. */
  firstEvent(i: number): number {
    return heapView().getUint32(this.#meta(i) + 8, true);
  }
  /** Number of events packet i holds. */
  eventCount(i: number): number {
    return heapView().getUint32(this.#meta(i) + 12, true);
  }
  /** The header sequence of packet i. */
  sequence(i: number): bigint {
    return heapView().getBigUint64(this.#meta(i) + SEAL_OUT_META + 40, true);
  }
  /** The TX counter packet i took. */
  counter(i: number): bigint {
    return heapView().getBigUint64(this.#meta(i) + SEAL_OUT_META + 16, true);
  }
  /** A view of datagram i in core memory (no copy). */
  datagram(i: number): Uint8Array {
    const m = this.#meta(i);
    const start = m + SEAL_OUT_META;
    return heap().subarray(start, start + heapView().getUint32(m, true));
  }
  /** An owned copy of datagram i. */
  datagramCopy(i: number): Uint8Array {
    return this.datagram(i).slice();
  }
  /** Owned copies of every datagram. */
  datagrams(): Uint8Array[] {
    const out = new Array<Uint8Array>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.datagramCopy(i);
    return out;
  }
}

const KINDS: Record<number, OpenedKind> = {
  [PacketStatus.DATA]: 'data',
  [PacketStatus.HANDSHAKE]: 'handshake',
  [PacketStatus.HEARTBEAT]: 'heartbeat',
};

/**
 * Per-datagram results of one `openBatch` call. Status ≥ 0 means success (PacketStatus.DATA,
 * HANDSHAKE, HEARTBEAT); negative statuses are errors (`error(i)` builds the typed error). Header
 * accessors are meaningful whenever the header itself validated (also for length, auth and replay
 * failures) and read 0 otherwise. Views are valid until the next packet-layer call.
 */
export class OpenBatch {
  readonly count: number;
  readonly #gen = arenaGeneration();
  readonly #inPtr: number;
  readonly #outPtr: number;
  readonly #at: Uint32Array;
  readonly #sources: readonly Uint8Array[];

  /** @internal */
  constructor(inPtr: number, outPtr: number, count: number, at: Uint32Array, sources: readonly Uint8Array[]) {
    this.#inPtr = inPtr;
    this.#outPtr = outPtr;
    this.count = count;
    this.#at = at;
    this.#sources = sources;
  }

  #r(i: number): number {
    staleCheck(this.#gen);
    if (!(i >= 0 && i < this.count)) throw new InvalidArgumentError(`datagram index ${i} out of range 0..${this.count - 1}`);
    return this.#outPtr + i * OPEN_RESULT_SIZE;
  }

  status(i: number): number {
    return heapView().getInt32(this.#r(i) + R.STATUS, true);
  }
  ok(i: number): boolean {
    return this.status(i) >= 0;
  }
  kind(i: number): OpenedKind | undefined {
    return KINDS[this.status(i)];
  }
  /** The typed error of datagram i, or undefined when it opened. */
  error(i: number): NetMeshError | undefined {
    return statusError(this.status(i));
  }
  flags(i: number): number {
    return heap()[this.#r(i) + R.FLAGS]!;
  }
  hopCount(i: number): number {
    return heap()[this.#r(i) + R.HOP_COUNT]!;
  }
  subprotocolId(i: number): number {
    return heapView().getUint16(this.#r(i) + R.SUBPROTOCOL_ID, true);
  }
  channelHash(i: number): number {
    return heapView().getUint16(this.#r(i) + R.CHANNEL_HASH, true);
  }
  /** event_count as stated by the header. */
  eventCount(i: number): number {
    return heapView().getUint16(this.#r(i) + R.EVENT_COUNT, true);
  }
  sessionId(i: number): bigint {
    return heapView().getBigUint64(this.#r(i) + R.SESSION_ID, true);
  }
  streamId(i: number): bigint {
    return heapView().getBigUint64(this.#r(i) + R.STREAM_ID, true);
  }
  sequence(i: number): bigint {
    return heapView().getBigUint64(this.#r(i) + R.SEQUENCE, true);
  }
  originHash(i: number): bigint {
    return heapView().getBigUint64(this.#r(i) + R.ORIGIN_HASH, true);
  }
  counter(i: number): bigint {
    return heapView().getBigUint64(this.#r(i) + R.COUNTER, true);
  }
  /** Frames actually parsed (≤ eventCount; fewer when a frame is truncated). */
  frameCount(i: number): number {
    return heapView().getUint32(this.#r(i) + R.FRAME_COUNT, true);
  }
  /** The full header of datagram i, or undefined if its header did not validate. */
  header(i: number): PacketHeader | undefined {
    const s = this.status(i);
    if (s <= PacketStatus.TOO_SHORT && s >= PacketStatus.TOO_MANY_EVENTS) return undefined;
    // Header bytes are never modified by opening (only the ciphertext is decrypted in place).
    return readHeader(this.datagram(i));
  }
  /** View of datagram i as it sits in core memory (ciphertext decrypted in place if it opened). */
  datagram(i: number): Uint8Array {
    this.#r(i);
    const start = this.#at[i]!;
    return heap().subarray(start, start + this.#sources[i]!.length);
  }
  /** View of the decrypted plaintext (data), the raw Noise message (handshake) or empty. */
  payload(i: number): Uint8Array {
    const r = this.#r(i);
    const dv = heapView();
    const off = this.#inPtr + dv.getUint32(r + R.PAYLOAD_OFF, true);
    const len = this.status(i) >= 0 ? dv.getUint32(r + R.PAYLOAD_LEN, true) : 0;
    return heap().subarray(off, off + len);
  }
  /** View of event k of datagram i. */
  event(i: number, k: number): Uint8Array {
    const r = this.#r(i);
    const dv = heapView();
    const n = dv.getUint32(r + R.FRAME_COUNT, true);
    if (!(k >= 0 && k < n)) throw new InvalidArgumentError(`event index ${k} out of range 0..${n - 1}`);
    const e = this.#outPtr + this.count * OPEN_RESULT_SIZE + (dv.getUint32(r + R.FRAME_START, true) + k) * FRAME_ENTRY_SIZE;
    const off = this.#inPtr + dv.getUint32(e, true);
    return heap().subarray(off, off + dv.getUint32(e + 4, true));
  }
  /** An owned copy of event k of datagram i. */
  eventCopy(i: number, k: number): Uint8Array {
    return this.event(i, k).slice();
  }
  /** Views of every event of datagram i. */
  events(i: number): Uint8Array[] {
    const n = this.frameCount(i);
    const out = new Array<Uint8Array>(n);
    for (let k = 0; k < n; k++) out[k] = this.event(i, k);
    return out;
  }

  /** Datagram i as an owned OpenedPacket; throws its typed error if it did not open. */
  opened(i: number): OpenedPacket {
    const s = this.status(i);
    if (s < 0) throw statusError(s)!;
    const payloadView = this.payload(i);
    const payloadStart = payloadView.byteOffset;
    const payload = payloadView.slice();
    const n = this.frameCount(i);
    const events = new Array<Uint8Array>(n);
    for (let k = 0; k < n; k++) {
      const v = this.event(i, k);
      const from = v.byteOffset - payloadStart;
      events[k] = payload.subarray(from, from + v.length);
    }
    return { kind: KINDS[s]!, header: this.header(i)!, counter: this.counter(i), events, payload };
  }
}
