// Hex text for certificate hashes (printed by the relay, pinned by the page).

import { InvalidArgumentError } from '../errors.js';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of a hex string of exactly `length` bytes (colons, as some tools print them, are allowed). */
export function fromHex(text: string, length: number, what: string): Uint8Array<ArrayBuffer> {
  const clean = typeof text === 'string' ? text.replace(/:/g, '') : '';
  if (clean.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new InvalidArgumentError(`${what} must be ${length} bytes of hex (${length * 2} hex digits)`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
