// Strict ed25519 verification (wire.md §10: reject malleable encodings).
//
// Semantics follow ed25519-dalek's `verify_strict`, which the reference uses: canonical encodings
// of A and R (y < p, no "negative zero" x), S < L, A and R not of small order, and the
// non-cofactored equation [S]B == R + [k]A. The WASM core implements exactly that
// (core-rs/src/ed25519); this module keeps the shell's entry point and its length rules.

import { ed25519Verify } from '../core/ed25519.js';

/** True only for a canonical, non-malleable signature of `message` under `publicKey`. */
export function verifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return ed25519Verify(publicKey, message, signature);
}
