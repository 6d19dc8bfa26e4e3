// node_id, origin_hash and routing id derived from an ed25519 public key (wire.md §10).

import { blake2s } from '../core/blake2s.js';
import { ascii, readU64LE, requireBytes, requireU64 } from './bytes.js';

const NODE_ID_KEY = ascii('net-node-id-v1');
const ORIGIN_KEY = ascii('net-origin-v1');

/** First 8 bytes (LE) of keyed BLAKE2s-256(key, publicKey). */
function keyedPrefixU64(key: Uint8Array, publicKey: Uint8Array): bigint {
  return readU64LE(blake2s(publicKey, { key }), 0);
}

/** `node_id` of an ed25519 public key: keyed BLAKE2s-256 with key "net-node-id-v1", first 8 bytes LE. */
export function nodeIdFromPublicKey(publicKey: Uint8Array): bigint {
  return keyedPrefixU64(NODE_ID_KEY, requireBytes(publicKey, 'publicKey', 32));
}

/** `origin_hash` of an ed25519 public key: same construction with key "net-origin-v1". */
export function originHashFromPublicKey(publicKey: Uint8Array): bigint {
  return keyedPrefixU64(ORIGIN_KEY, requireBytes(publicKey, 'publicKey', 32));
}

/**
 * Routing id = low 32 bits of a node_id, returned as a number (0..2^32-1). It is what the
 * routing header's `src_id` and the handshake prologue carry.
 */
export function routingIdOf(nodeId: bigint): number {
  return Number(requireU64(nodeId, 'nodeId') & 0xffff_ffffn);
}
