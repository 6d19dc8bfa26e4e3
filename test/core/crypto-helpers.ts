// Shared helpers of the crypto kernel tests: hex, a seeded byte source, and a scan of the core's
// linear memory for leftover secrets.
import { heap } from '../../ts/core/memory.js';

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** A seeded xorshift32 byte source, so every run sees the same "random" cases. */
export class SeededBytes {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  /** An integer in 0..n-1. */
  below(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** True when `secret` occurs anywhere in the core's linear memory. */
export function inCoreMemory(secret: Uint8Array): boolean {
  const mem = heap();
  return Buffer.from(mem.buffer, mem.byteOffset, mem.byteLength).indexOf(Buffer.from(secret)) !== -1;
}
