// A node's long-term identity: an ed25519 keypair plus the ids derived from it (wire.md §10).

import { blake2s } from '../core/blake2s.js';
import { ed25519PublicKey, ed25519Sign } from '../core/ed25519.js';
import { x25519PublicKey } from '../core/x25519.js';
import type { NoiseKeypair } from '../session/noise.js';
import { ascii, randomBytes, requireBytes } from './bytes.js';
import { verifyStrict } from './ed25519-strict.js';
import { nodeIdFromPublicKey, originHashFromPublicKey, routingIdOf } from './node-id.js';

/**
 * Domain separation of the Noise static key: its secret is keyed BLAKE2s-256 with the ed25519
 * seed as the key and this label as the message, so it is independent of the signing key
 * (SHA-512 of the seed) yet stable for as long as the identity is.
 */
const NOISE_STATIC_LABEL = ascii('net-mesh 2026 noise static key v1');

/**
 * A node's long-term identity: an ed25519 keypair and the ids derived from its public key
 * (`nodeId`, `originHash`; fold.md §1). `Identity.generate()` or `Identity.fromSeed(seed)`.
 */
export class Identity {
  /** ed25519 public key (32 bytes); the reference calls it the EntityId. */
  readonly publicKey: Uint8Array;
  /** keyed BLAKE2s("net-node-id-v1", publicKey)[0..8] LE. */
  readonly nodeId: bigint;
  /** keyed BLAKE2s("net-origin-v1", publicKey)[0..8] LE. */
  readonly originHash: bigint;
  /** nodeId & 0xffffffff as a number: the routing header's src_id and the prologue's routing id. */
  readonly routingId: number;
  // Private field: keeps the seed out of JSON.stringify, console.log and property enumeration.
  readonly #seed: Uint8Array;

  private constructor(seed: Uint8Array) {
    this.#seed = seed;
    this.publicKey = ed25519PublicKey(seed);
    this.nodeId = nodeIdFromPublicKey(this.publicKey);
    this.originHash = originHashFromPublicKey(this.publicKey);
    this.routingId = routingIdOf(this.nodeId);
  }

  /** A fresh identity from the platform CSPRNG. */
  static generate(): Identity {
    return new Identity(randomBytes(32));
  }

  /** The identity whose ed25519 secret seed is `seed` (32 bytes; copied). */
  static fromSeed(seed: Uint8Array): Identity {
    requireBytes(seed, 'seed', 32);
    return new Identity(Uint8Array.from(seed));
  }

  /**
   * Strict ed25519 verification: false for a wrong signature, a non-canonical or small-order
   * point, S >= L, or wrong lengths. Throws InvalidArgumentError only for non-Uint8Array inputs.
   */
  static verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    requireBytes(publicKey, 'publicKey');
    requireBytes(message, 'message');
    requireBytes(signature, 'signature');
    return verifyStrict(publicKey, message, signature);
  }

  /** 64-byte ed25519 signature (RFC 8032, deterministic). */
  sign(message: Uint8Array): Uint8Array {
    requireBytes(message, 'message');
    return ed25519Sign(this.#seed, message);
  }

  /**
   * The Noise static X25519 keypair of this identity, derived from its seed: the same seed gives
   * the same key on every start, so peers that pinned it keep reaching this node. A fresh copy on
   * every call; treat `secretKey` as a secret.
   */
  noiseKeypair(): NoiseKeypair {
    const secretKey = blake2s(NOISE_STATIC_LABEL, { key: this.#seed });
    return { secretKey, publicKey: x25519PublicKey(secretKey) };
  }

  /** Strictly verifies a signature under this identity's public key. */
  verify(message: Uint8Array, signature: Uint8Array): boolean {
    return Identity.verify(this.publicKey, message, signature);
  }

  /** A copy of the 32-byte secret seed, for persisting the identity. Treat it as a secret. */
  exportSeed(): Uint8Array {
    return Uint8Array.from(this.#seed);
  }

  toString(): string {
    return `Identity(nodeId=0x${this.nodeId.toString(16).padStart(16, '0')})`;
  }
}
