// Strict ed25519 verification (wire.md §10: reject malleable encodings).
//
// Semantics follow ed25519-dalek's `verify_strict`, which the reference uses: canonical encodings
// of A and R (y < p, no "negative zero" x), S < L, A and R not of small order, and the
// non-cofactored equation [S]B == R + [k]A. noble's own `verify(..., { zip215: false })` covers
// the encodings, S < L and small-order A, but checks the cofactored equation and accepts a
// small-order R, so we check those two points ourselves using noble's point arithmetic.

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function scalarFromLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** True only for a canonical, non-malleable signature of `message` under `publicKey`. */
export function verifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = scalarFromLE(signature.subarray(32, 64));
  if (s >= L) return false;
  let A, R;
  try {
    A = Point.fromBytes(publicKey, false);
    R = Point.fromBytes(rBytes, false);
  } catch {
    return false;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const k = scalarFromLE(sha512(concatBytes(rBytes, publicKey, message))) % L;
  const sB = s === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(s);
  const kA = k === 0n ? Point.ZERO : A.multiplyUnsafe(k);
  return sB.equals(R.add(kA));
}
