// Cheap first look at a direct msg1 (Noise NKpsk0, wire.md §11.2) for a responder that accepts
// several initiators. The chaining key and the payload key of msg1 do not depend on the prologue
// (which names the initiator), only the handshake hash does: so X25519, the HKDF chain and the
// AEAD key setup are paid once per datagram, and each accepted initiator costs one BLAKE2s of 64
// bytes plus one tag check of a 1-byte payload. The per-initiator hash up to the PSK is computed
// once, when the initiator is accepted. A msg1 that passes is then read in full by responderRead().
import { ChaCha20Poly1305 } from '../core/aead.js';
import { AuthenticationError } from '../errors.js';
import { blake2s, hkdfBlake2s } from '../core/blake2s.js';
import { routingIdOf } from '../identity/node-id.js';
import { concatBytes, ascii } from '../identity/bytes.js';
import { handshakePrologue } from './handshake.js';
import { DHLEN, TAGLEN, dh25519, protocolNameFor, PATTERN_NKPSK0, type NoiseKeypair } from './noise.js';

const NONCE0 = new Uint8Array(12);

export type ScreenResult = { ok: true; initiatorNodeId: bigint } | { ok: false; malformed: boolean };

export class Msg1Screen {
  /** ck after the psk token (same for every initiator). */
  private readonly ckPsk: Uint8Array;
  /** h after prologue, pre-message and psk token, per accepted initiator. */
  private readonly hByInitiator = new Map<bigint, Uint8Array>();
  private readonly h0: Uint8Array;
  private readonly tempH: Uint8Array;

  constructor(
    psk: Uint8Array,
    private readonly staticKeypair: NoiseKeypair,
    private readonly responderNodeId: bigint,
  ) {
    const name = ascii(protocolNameFor(PATTERN_NKPSK0));
    // Noise InitializeSymmetric: the name is longer than HASHLEN, so h = HASH(name), ck = h.
    this.h0 = blake2s(name);
    const [ck, tempH] = hkdfBlake2s(this.h0, psk, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.ckPsk = ck;
    this.tempH = tempH;
  }

  /** Precomputes the hash for an initiator registered with accept(). */
  add(initiatorNodeId: bigint): void {
    if (this.hByInitiator.has(initiatorNodeId)) return;
    let h = blake2s(concatBytes(this.h0, handshakePrologue(routingIdOf(initiatorNodeId), routingIdOf(this.responderNodeId))));
    h = blake2s(concatBytes(h, this.staticKeypair.publicKey));
    h = blake2s(concatBytes(h, this.tempH));
    this.hByInitiator.set(initiatorNodeId, h);
  }

  get size(): number {
    return this.hByInitiator.size;
  }

  /**
   * Which accepted initiator, if any, this msg1 authenticates under. `preferred` is tried first
   * (the initiator last seen at the datagram's source).
   */
  screen(message: Uint8Array, preferred?: bigint): ScreenResult {
    if (message.length < DHLEN + TAGLEN || this.hByInitiator.size === 0) return { ok: false, malformed: message.length < DHLEN + TAGLEN };
    const re = message.subarray(0, DHLEN);
    const rest = message.subarray(DHLEN);
    let dh: Uint8Array;
    try {
      dh = dh25519(this.staticKeypair.secretKey, re);
    } catch {
      return { ok: false, malformed: true };
    }
    // e (psk mode): MixKey(re); es: MixKey(DH(s, re)).
    const [ck2] = hkdfBlake2s(this.ckPsk, re, 2) as [Uint8Array, Uint8Array];
    const [, k] = hkdfBlake2s(ck2, dh, 2) as [Uint8Array, Uint8Array];
    const aead = new ChaCha20Poly1305(k);
    try {
      const tryOne = (id: bigint, hPsk: Uint8Array): boolean => {
        const h = blake2s(concatBytes(hPsk, re));
        try {
          aead.open(NONCE0, rest, h);
          return true;
        } catch (e) {
          if (e instanceof AuthenticationError) return false;
          throw e;
        }
      };
      if (preferred !== undefined) {
        const hp = this.hByInitiator.get(preferred);
        if (hp && tryOne(preferred, hp)) return { ok: true, initiatorNodeId: preferred };
      }
      for (const [id, hPsk] of this.hByInitiator) {
        if (id !== preferred && tryOne(id, hPsk)) return { ok: true, initiatorNodeId: id };
      }
      return { ok: false, malformed: false };
    } finally {
      aead.dispose();
      k.fill(0);
    }
  }
}
