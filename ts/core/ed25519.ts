// Ed25519 (RFC 8032) backed by the WASM core (abi/ed25519.rs): keys from a 32-byte seed,
// deterministic signatures, and strict verification (wire.md §10: canonical S and encodings, no
// small-order A or R, non-cofactored equation). The seed is wiped from core memory after use.
import { requireBytes } from '../identity/bytes.js';
import { heap } from './memory.js';
import { stage, wipe, wipeStaged } from './staging.js';
import { core } from './wasm.js';

export const ED25519_SEED_SIZE = 32;
export const ED25519_PUBLIC_KEY_SIZE = 32;
export const ED25519_SIGNATURE_SIZE = 64;

interface Ed25519Exports {
  nm_ed25519_public_key(seedPtr: number, outPtr: number): void;
  nm_ed25519_sign(seedPtr: number, msgPtr: number, msgLen: number, sigOutPtr: number): void;
  nm_ed25519_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number;
}

const exports = (): Ed25519Exports => core() as unknown as Ed25519Exports;

/** The 32-byte public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  requireBytes(seed, 'seed', ED25519_SEED_SIZE);
  const s = stage([seed], ED25519_PUBLIC_KEY_SIZE);
  exports().nm_ed25519_public_key(s.ptrs[0]!, s.out);
  const out = heap().slice(s.out, s.out + ED25519_PUBLIC_KEY_SIZE);
  wipeStaged(s);
  return out;
}

/** The 64-byte RFC 8032 signature of `message` under `seed`. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  requireBytes(seed, 'seed', ED25519_SEED_SIZE);
  requireBytes(message, 'message');
  const s = stage([seed, message], ED25519_SIGNATURE_SIZE);
  exports().nm_ed25519_sign(s.ptrs[0]!, s.ptrs[1]!, message.length, s.out);
  const out = heap().slice(s.out, s.out + ED25519_SIGNATURE_SIZE);
  wipe(s.ptrs[0]!, ED25519_SEED_SIZE);
  return out;
}

/**
 * Strict verification: true only for a canonical, non-malleable signature of `message` under
 * `publicKey`. Wrong key or signature lengths give false; a non-Uint8Array argument throws
 * InvalidArgumentError.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  requireBytes(publicKey, 'publicKey');
  requireBytes(message, 'message');
  requireBytes(signature, 'signature');
  if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || signature.length !== ED25519_SIGNATURE_SIZE) return false;
  const s = stage([publicKey, signature, message], 0);
  return exports().nm_ed25519_verify(s.ptrs[0]!, s.ptrs[2]!, message.length, s.ptrs[1]!) === 0;
}
