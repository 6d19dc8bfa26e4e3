// Small byte helpers shared by the identity and session code (little-endian u64, argument checks).

import { InvalidArgumentError } from '../errors.js';

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffff;

/** Throws InvalidArgumentError unless `value` is a Uint8Array (of `length` bytes when given). */
export function requireBytes(value: unknown, name: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${name} must be a Uint8Array, got ${describe(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new InvalidArgumentError(`${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** Throws InvalidArgumentError unless `value` is a bigint in 0..2^64-1. */
export function requireU64(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new InvalidArgumentError(`${name} must be a u64 bigint, got ${describe(value)}`);
  }
  return value;
}

/** Accepts a u32 as number or bigint; returns it as number. */
export function requireU32(value: unknown, name: string): number {
  if (typeof value === 'bigint' && value >= 0n && value <= BigInt(U32_MAX)) return Number(value);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= U32_MAX) return value;
  throw new InvalidArgumentError(`${name} must be a u32 (number or bigint), got ${describe(value)}`);
}

export function readU64LE(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
}

export function writeU64LE(out: Uint8Array, offset: number, value: bigint): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(offset, value, true);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** `length` bytes from the platform CSPRNG (Web Crypto: Node ≥ 20, Deno, Bun, browsers). */
export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `string(${value.length})`;
  return typeof value;
}
