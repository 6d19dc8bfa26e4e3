// Net v0.27 session-key derivation from the Noise handshake hash (wire.md §11.5).

import { blake2s } from '../core/blake2s.js';
import { ascii, readU64LE } from '../identity/bytes.js';

const KDF_SALT = ascii('net-kdf-v1');
const INITIATOR_TX = ascii('initiator-tx');
const INITIATOR_RX = ascii('initiator-rx');

/** KDF(ikm, info) = keyed-BLAKE2s-256(key = keyed-BLAKE2s-256(key = ikm, msg = "net-kdf-v1"), msg = info). */
export function netKdf(ikm: Uint8Array, info: Uint8Array | string): Uint8Array {
  const prk = blake2s(KDF_SALT, { key: ikm });
  const out = blake2s(typeof info === 'string' ? ascii(info) : info, { key: prk });
  prk.fill(0);
  return out;
}

/** session_id = h[0..8] read as u64 LE (both key-derivation modes). */
export function sessionIdFromHandshakeHash(h: Uint8Array): bigint {
  return readU64LE(h, 0);
}

/** net-v0.27 keys: initiator tx = KDF(h, "initiator-tx"), rx = KDF(h, "initiator-rx"); responder swapped. */
export function netV027Keys(h: Uint8Array, role: 'initiator' | 'responder'): { txKey: Uint8Array; rxKey: Uint8Array } {
  const i2r = netKdf(h, INITIATOR_TX);
  const r2i = netKdf(h, INITIATOR_RX);
  return role === 'initiator' ? { txKey: i2r, rxKey: r2i } : { txKey: r2i, rxKey: i2r };
}
