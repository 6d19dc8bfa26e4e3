// Cheap first look at a direct msg1 (Noise NKpsk0, wire.md §11.2) for a responder that accepts
// several initiators. The chaining key and the payload key of msg1 do not depend on the prologue
// (which names the initiator), only the handshake hash does: so X25519, the HKDF chain and the
// AEAD key setup are paid once per datagram, and each accepted initiator costs one BLAKE2s of 64
// bytes plus one tag check of a 1-byte payload, all in one call into the WASM core. Each
// initiator's hash up to the psk token is computed once, at accept(). A msg1 that passes is then
// read in full by responderRead().
import { blake2s, hkdfBlake2s } from '../core/blake2s.js';
import { screenMsg1, SCREEN_MALFORMED } from '../core/noise-screen.js';
import { routingIdOf } from '../identity/node-id.js';
import { concatBytes, ascii } from '../identity/bytes.js';
import { handshakePrologue } from './handshake.js';
import { protocolNameFor, PATTERN_NKPSK0, type NoiseKeypair } from './noise.js';

export type ScreenResult = { ok: true; initiatorNodeId: bigint } | { ok: false; malformed: boolean };

export class Msg1Screen {
  /** ck after the psk token (the same for every initiator). */
  private readonly ckPsk: Uint8Array;
  private readonly h0: Uint8Array;
  private readonly tempH: Uint8Array;
  private readonly ids: bigint[] = [];
  /** h after prologue, pre-message and psk token: 32 bytes per accepted initiator, in `ids` order. */
  private hashes: Uint8Array = new Uint8Array(0);

  constructor(
    psk: Uint8Array,
    private readonly staticKeypair: NoiseKeypair,
    private readonly responderNodeId: bigint,
  ) {
    // Noise InitializeSymmetric: the name is longer than HASHLEN, so h = HASH(name) and ck = h.
    this.h0 = blake2s(ascii(protocolNameFor(PATTERN_NKPSK0)));
    const [ck, tempH] = hkdfBlake2s(this.h0, psk, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.ckPsk = ck;
    this.tempH = tempH;
  }

  /** Precomputes the hash for an initiator registered with accept(). */
  add(initiatorNodeId: bigint): void {
    if (this.ids.includes(initiatorNodeId)) return;
    let h = blake2s(concatBytes(this.h0, handshakePrologue(routingIdOf(initiatorNodeId), routingIdOf(this.responderNodeId))));
    h = blake2s(concatBytes(h, this.staticKeypair.publicKey));
    h = blake2s(concatBytes(h, this.tempH));
    this.ids.push(initiatorNodeId);
    this.hashes = concatBytes(this.hashes, h);
  }

  has(initiatorNodeId: bigint): boolean {
    return this.ids.includes(initiatorNodeId);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Which accepted initiator, if any, this msg1 authenticates under. */
  screen(message: Uint8Array): ScreenResult {
    if (this.ids.length === 0) return { ok: false, malformed: false };
    const i = screenMsg1(this.staticKeypair.secretKey, this.ckPsk, this.hashes, message);
    return i >= 0 ? { ok: true, initiatorNodeId: this.ids[i]! } : { ok: false, malformed: i === SCREEN_MALFORMED };
  }
}
