// msg1 screening in the WASM core (abi/noise.rs): one call per datagram runs X25519, the HKDF
// chain and, per accepted initiator, one BLAKE2s and one Poly1305 check (ts/session/msg1-screen.ts
// explains the split). The static secret is wiped from core memory after each call.
import { stage, wipeStaged } from './staging.js';
import { core } from './wasm.js';

interface NoiseScreenExports {
  nm_noise_msg1_screen(secretPtr: number, ckPtr: number, hsPtr: number, n: number, msgPtr: number, msgLen: number): number;
}

/** No candidate authenticates the message. */
export const SCREEN_NO_MATCH = -1;
/** Too short, or a small-order ephemeral key. */
export const SCREEN_MALFORMED = -2;

/** The index of the candidate hash (32 bytes each in `hashes`) that authenticates `msg1`, or a negative status. */
export function screenMsg1(staticSecret: Uint8Array, ckPsk: Uint8Array, hashes: Uint8Array, msg1: Uint8Array): number {
  const s = stage([staticSecret, ckPsk, hashes, msg1], 0);
  const rc = (core() as unknown as NoiseScreenExports).nm_noise_msg1_screen(s.ptrs[0]!, s.ptrs[1]!, s.ptrs[2]!, hashes.length >>> 5, s.ptrs[3]!, msg1.length);
  wipeStaged(s);
  return rc;
}
