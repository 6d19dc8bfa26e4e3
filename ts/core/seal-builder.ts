// A seal batch under construction, laid out exactly as the core's SEAL INPUT (core-rs/src/packet/
// batch.rs): 48-byte records with the frames after them, each padded to 8. Callers that already
// hold framed plaintext (the engine: frames arrive framed from the app) append it with one copy;
// `PacketSession.sealBuilt` copies the whole batch into the packet arena and seals it in one call.
import { FRAME_PREFIX_SIZE, HEADER_SIZE, MAX_PAYLOAD_SIZE, TAG_SIZE } from './header.js';
import { BATCH_HEADER_SIZE, SEAL_OUT_META, SEAL_RECORD_FIXED, pad8 } from './packet-abi.js';

/** Upper bound of the seal output for one record of `framed` plaintext bytes (see batch.rs). */
export function sealOutputBound(framed: number): number {
  // Greedy packing: any two consecutive packets together exceed 8108 bytes, so a record yields at
  // most 2·⌈F/8108⌉ + 1 packets; each costs meta + header + tag + ≤ 7 bytes of padding.
  const packets = 2 * Math.ceil(framed / MAX_PAYLOAD_SIZE) + 1;
  return framed + packets * (SEAL_OUT_META + HEADER_SIZE + TAG_SIZE + 8);
}

export class SealBuilder {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = BATCH_HEADER_SIZE;
  /** Records appended since the last reset. */
  count = 0;
  /** Bytes the seal output needs at most. */
  outputBound = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(Math.max(initial, 64));
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

  /** Writes the 48-byte record head; returns the offset of its frames. */
  private head(flags: number, priority: number, subprotocol: number, channelHash: number, streamId: bigint, sequence: bigint, originHash: bigint, eventCount: number, framesLen: number): number {
    this.ensure(pad8(SEAL_RECORD_FIXED + framesLen));
    const p = this.pos;
    const b = this.buf;
    const dv = this.dv;
    b[p] = flags;
    b[p + 1] = priority;
    b[p + 2] = 0;
    b[p + 3] = 0;
    dv.setUint16(p + 4, subprotocol, true);
    dv.setUint16(p + 6, channelHash, true);
    dv.setBigUint64(p + 8, streamId, true);
    dv.setBigUint64(p + 16, sequence, true);
    dv.setBigUint64(p + 24, originHash, true);
    dv.setUint32(p + 32, 0, true);
    dv.setUint32(p + 36, 0, true);
    dv.setUint32(p + 40, eventCount, true);
    dv.setUint32(p + 44, framesLen, true);
    this.count++;
    this.outputBound += sealOutputBound(framesLen);
    return p + SEAL_RECORD_FIXED;
  }

  private close(end: number): void {
    const padded = pad8(end);
    this.buf.fill(0, end, padded);
    this.pos = padded;
  }

  /** One record whose frames (`[u32 LE len][bytes]` × eventCount) are `frames`, copied once. */
  addFramed(flags: number, subprotocol: number, channelHash: number, streamId: bigint, sequence: bigint, originHash: bigint, frames: Uint8Array, eventCount: number, priority = 0): void {
    const at = this.head(flags, priority, subprotocol, channelHash, streamId, sequence, originHash, eventCount, frames.length);
    this.buf.set(frames, at);
    this.close(at + frames.length);
  }

  /** One record of `events`, framed here. */
  addEvents(flags: number, subprotocol: number, channelHash: number, streamId: bigint, sequence: bigint, originHash: bigint, events: readonly Uint8Array[], priority = 0, hopTtl = 0, fragFlags = 0, subnetId = 0, fragmentId = 0, fragmentOffset = 0): void {
    let framed = 0;
    for (const e of events) framed += FRAME_PREFIX_SIZE + e.length;
    let at = this.head(flags, priority, subprotocol, channelHash, streamId, sequence, originHash, events.length, framed);
    const start = at - SEAL_RECORD_FIXED;
    this.buf[start + 2] = hopTtl;
    this.buf[start + 3] = fragFlags;
    this.dv.setUint32(start + 32, subnetId, true);
    this.dv.setUint16(start + 36, fragmentId, true);
    this.dv.setUint16(start + 38, fragmentOffset, true);
    for (const e of events) {
      this.dv.setUint32(at, e.length, true);
      this.buf.set(e, at + FRAME_PREFIX_SIZE);
      at += FRAME_PREFIX_SIZE + e.length;
    }
    this.close(at);
  }

  /** The batch as the core reads it (count patched in); valid until the next append or reset. */
  input(): Uint8Array {
    this.dv.setUint32(0, this.count, true);
    this.dv.setUint32(4, 0, true);
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = BATCH_HEADER_SIZE;
    this.count = 0;
    this.outputBound = 0;
  }
}
