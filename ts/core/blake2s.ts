// BLAKE2s (RFC 7693), HMAC-BLAKE2s and the Noise HKDF, backed by the WASM core (abi/blake2s.rs).
// Keys and every output (these are KDF outputs as often as digests) are wiped from core memory
// after each call.
import { InvalidArgumentError } from '../errors.js';
import { requireBytes } from '../identity/bytes.js';
import { heap } from './memory.js';
import { stage, wipeStaged } from './staging.js';
import { core } from './wasm.js';

export const BLAKE2S_OUT_LEN = 32;
export const BLAKE2S_KEY_LEN = 32;

interface Blake2sExports {
  nm_blake2s(keyPtr: number, keyLen: number, inPtr: number, inLen: number, outPtr: number, outLen: number): number;
  nm_blake2s_hmac(keyPtr: number, keyLen: number, inPtr: number, inLen: number, outPtr: number): void;
  nm_blake2s_hkdf(ckPtr: number, ckLen: number, ikmPtr: number, ikmLen: number, n: number, outPtr: number): number;
}

const EMPTY = new Uint8Array(0);
const exports = (): Blake2sExports => core() as unknown as Blake2sExports;

export interface Blake2sOptions {
  /** 0..32 bytes; keyed (MAC/PRF) mode when non-empty. */
  key?: Uint8Array;
  /** Digest length, 1..32 (default 32). */
  outLen?: number;
}

/** BLAKE2s of `data`, keyed when `opts.key` is given. */
export function blake2s(data: Uint8Array, opts: Blake2sOptions = {}): Uint8Array {
  requireBytes(data, 'data');
  const key = opts.key ?? EMPTY;
  requireBytes(key, 'key');
  if (key.length > BLAKE2S_KEY_LEN) throw new InvalidArgumentError(`key must be at most ${BLAKE2S_KEY_LEN} bytes, got ${key.length}`);
  const outLen = opts.outLen ?? BLAKE2S_OUT_LEN;
  if (!Number.isInteger(outLen) || outLen < 1 || outLen > BLAKE2S_OUT_LEN) {
    throw new InvalidArgumentError(`outLen must be an integer in 1..${BLAKE2S_OUT_LEN}, got ${String(outLen)}`);
  }
  const s = stage([key, data], outLen);
  exports().nm_blake2s(s.ptrs[0]!, key.length, s.ptrs[1]!, data.length, s.out, outLen);
  const out = heap().slice(s.out, s.out + outLen);
  if (key.length > 0) wipeStaged(s);
  return out;
}

/** HMAC-BLAKE2s(key, data) (RFC 2104, 64-byte blocks): 32 bytes; any key length. */
export function hmacBlake2s(key: Uint8Array, data: Uint8Array): Uint8Array {
  requireBytes(key, 'key');
  requireBytes(data, 'data');
  const s = stage([key, data], BLAKE2S_OUT_LEN);
  exports().nm_blake2s_hmac(s.ptrs[0]!, key.length, s.ptrs[1]!, data.length, s.out);
  const out = heap().slice(s.out, s.out + BLAKE2S_OUT_LEN);
  wipeStaged(s);
  return out;
}

/**
 * The Noise HKDF (Noise spec rev. 34 §4.3) with HMAC-BLAKE2s: `count` (2 or 3) outputs of 32
 * bytes from `chainingKey` and `ikm`.
 */
export function hkdfBlake2s(chainingKey: Uint8Array, ikm: Uint8Array, count: 2 | 3): Uint8Array[] {
  requireBytes(chainingKey, 'chainingKey');
  requireBytes(ikm, 'ikm');
  if (count !== 2 && count !== 3) throw new InvalidArgumentError(`count must be 2 or 3, got ${String(count)}`);
  const s = stage([chainingKey, ikm], BLAKE2S_OUT_LEN * count);
  exports().nm_blake2s_hkdf(s.ptrs[0]!, chainingKey.length, s.ptrs[1]!, ikm.length, count, s.out);
  const mem = heap();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(mem.slice(s.out + BLAKE2S_OUT_LEN * i, s.out + BLAKE2S_OUT_LEN * (i + 1)));
  wipeStaged(s);
  return out;
}
