// The mesh-wide pre-shared key: 32 bytes, given as bytes or as 64 hex characters.

import { InvalidArgumentError } from '../errors.js';

export const PSK_LENGTH = 32;

/** Returns a copy of the 32-byte PSK; throws InvalidArgumentError naming the problem otherwise. */
export function parsePsk(psk: Uint8Array | string): Uint8Array {
  if (psk instanceof Uint8Array) {
    if (psk.length !== PSK_LENGTH) throw new InvalidArgumentError(`psk must be ${PSK_LENGTH} bytes, got ${psk.length}`);
    return Uint8Array.from(psk);
  }
  if (typeof psk !== 'string') {
    throw new InvalidArgumentError(`psk must be a Uint8Array or a hex string, got ${psk === null ? 'null' : typeof psk}`);
  }
  if (psk.length !== PSK_LENGTH * 2) {
    throw new InvalidArgumentError(`psk hex string must be ${PSK_LENGTH * 2} hex characters, got ${psk.length}`);
  }
  const out = new Uint8Array(PSK_LENGTH);
  for (let i = 0; i < PSK_LENGTH; i++) {
    const hi = hexValue(psk, 2 * i);
    const lo = hexValue(psk, 2 * i + 1);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexValue(text: string, index: number): number {
  const c = text.charCodeAt(index);
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  throw new InvalidArgumentError(`psk hex string has a non-hex character ${JSON.stringify(text[index])} at index ${index}`);
}
