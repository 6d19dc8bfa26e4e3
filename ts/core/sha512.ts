// SHA-512 (FIPS 180-4) backed by the WASM core (abi/sha512.rs), one call per digest.
import { requireBytes } from '../identity/bytes.js';
import { heap } from './memory.js';
import { stage } from './staging.js';
import { core } from './wasm.js';

export const SHA512_OUT_LEN = 64;

interface Sha512Exports {
  nm_sha512(inPtr: number, inLen: number, outPtr: number): void;
}

/** The 64-byte SHA-512 digest of `data`. */
export function sha512(data: Uint8Array): Uint8Array {
  requireBytes(data, 'data');
  const s = stage([data], SHA512_OUT_LEN);
  (core() as unknown as Sha512Exports).nm_sha512(s.ptrs[0]!, data.length, s.out);
  return heap().slice(s.out, s.out + SHA512_OUT_LEN);
}
