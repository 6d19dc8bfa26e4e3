// Bounds-checked little-endian reading and writing for the nRPC payload codecs. Every read names
// the wire field it is reading, so a short buffer fails with RpcCodecError('truncated', field).
import { InvalidArgumentError, RpcCodecError } from '../errors.js';
import { isWellFormed } from '../fold/byte-order.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

export class WireReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, field: string): void {
    if (this.remaining < n) throw new RpcCodecError('truncated', field);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A copy of the next `n` bytes. */
  bytesOf(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next `n` bytes as strict UTF-8 (`utf8Field` names the field in the error). */
  utf8(n: number, field: string, utf8Field: string): string {
    this.need(n, field);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return UTF8.decode(view);
    } catch {
      throw new RpcCodecError('invalid_utf8', utf8Field);
    }
  }
}

export class WireWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  /** `start`: bytes left zero at the front for the caller to fill (a frame's EventMeta). */
  constructor(size: number, start = 0) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.pos = start;
  }

  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }

  u16(v: number): void {
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }
}

// ---- argument checks shared by the encoders -------------------------------------------------

export function utf8Bytes(field: string, s: unknown): Uint8Array {
  if (typeof s !== 'string') throw new InvalidArgumentError(`${field} must be a string, got ${typeof s}`);
  if (!isWellFormed(s)) throw new InvalidArgumentError(`${field} contains a lone surrogate (no UTF-8 form)`);
  return ENCODER.encode(s);
}

export function bytesArg(field: string, b: unknown): Uint8Array {
  if (b === undefined) return new Uint8Array(0);
  if (!(b instanceof Uint8Array)) throw new InvalidArgumentError(`${field} must be a Uint8Array`);
  return b;
}

export function uintArg(field: string, v: unknown, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgumentError(`${field} must be an integer in 0..${max}, got ${String(v)}`);
  }
  return v;
}

const U64_MAX = (1n << 64n) - 1n;

export function u64Arg(field: string, v: unknown, fallback?: bigint): bigint {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) throw new InvalidArgumentError(`${field} must be a bigint in 0..2^64-1, got ${String(v)}`);
  return v;
}

/** Encoders refuse what the decoder would reject as over-limit (direction "encode"). */
export function limit(field: string, actual: number, max: number): void {
  if (actual > max) throw new RpcCodecError('too_large', field, { direction: 'encode', actual, limit: max });
}
