// The strict ed25519 verifier the shell used before the core had one (ts/identity/ed25519-strict.ts
// up to this change), kept as the differential reference: noble's point arithmetic with
// ed25519-dalek `verify_strict` semantics (canonical A and R, S < L, A and R not of small order,
// non-cofactored equation [S]B == R + [k]A).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function scalarFromLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

export function nobleVerifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
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
  const k = scalarFromLE(sha512(new Uint8Array([...rBytes, ...publicKey, ...message]))) % L;
  const sB = s === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(s);
  const kA = k === 0n ? Point.ZERO : A.multiplyUnsafe(k);
  return sB.equals(R.add(kA));
}
