// X25519 (RFC 7748) backed by the WASM core (abi/x25519.rs): constant-time ladder for shared
// secrets, the Edwards fixed-base table for public keys. Secret inputs and outputs are wiped from
// core memory after each call.
import { InvalidArgumentError } from '../errors.js';
import { requireBytes } from '../identity/bytes.js';
import { heap } from './memory.js';
import { stage, wipeStaged } from './staging.js';
import { core } from './wasm.js';

export const X25519_KEY_SIZE = 32;

interface X25519Exports {
  nm_x25519(secretPtr: number, publicPtr: number, outPtr: number): number;
  nm_x25519_base(secretPtr: number, outPtr: number): void;
}

/** nm_x25519 status for an all-zero shared secret. */
const LOW_ORDER = -2;

const exports = (): X25519Exports => core() as unknown as X25519Exports;

/** The X25519 public key of a 32-byte secret key (clamped as RFC 7748 says). */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  requireBytes(secretKey, 'secretKey', X25519_KEY_SIZE);
  const s = stage([secretKey], X25519_KEY_SIZE);
  exports().nm_x25519_base(s.ptrs[0]!, s.out);
  const out = heap().slice(s.out, s.out + X25519_KEY_SIZE);
  wipeStaged(s);
  return out;
}

/**
 * The X25519 shared secret of `secretKey` and a peer's `publicKey`. Throws InvalidArgumentError
 * when the result is all zeros, i.e. `publicKey` has small order (RFC 7748 §6.1): such a key
 * contributes nothing to the secret, so a protocol must refuse it.
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  requireBytes(secretKey, 'secretKey', X25519_KEY_SIZE);
  requireBytes(publicKey, 'publicKey', X25519_KEY_SIZE);
  const s = stage([secretKey, publicKey], X25519_KEY_SIZE);
  const rc = exports().nm_x25519(s.ptrs[0]!, s.ptrs[1]!, s.out);
  const out = heap().slice(s.out, s.out + X25519_KEY_SIZE);
  wipeStaged(s);
  if (rc === LOW_ORDER) throw new InvalidArgumentError('publicKey has small order: the X25519 shared secret is all zeros');
  return out;
}
