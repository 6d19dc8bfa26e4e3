import { describe, expect, it } from 'vitest';
import { ed25519, ED25519_TORSION_SUBGROUP, x25519 } from '@noble/curves/ed25519.js';
import { blake2s } from '@noble/hashes/blake2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Identity } from '../../ts/identity/identity.js';
import { nodeIdFromPublicKey, originHashFromPublicKey, routingIdOf } from '../../ts/identity/node-id.js';
import { InvalidArgumentError } from '../../ts/errors.js';

const seedA = Uint8Array.from({ length: 32 }, (_, i) => i);
const seedB = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

// Independent computation: keyed BLAKE2s-256 straight from @noble/hashes, first 8 bytes LE.
function expectedKeyedU64(key: string, pk: Uint8Array): bigint {
  const d = blake2s(pk, { key: new TextEncoder().encode(key), dkLen: 32 });
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(d[i]!);
  return v;
}

const L = ed25519.Point.Fn.ORDER;
const leToBig = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const bigToLe32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};

describe('Identity', () => {
  it('is deterministic from its seed', () => {
    const a1 = Identity.fromSeed(seedA);
    const a2 = Identity.fromSeed(Uint8Array.from(seedA));
    const b = Identity.fromSeed(seedB);
    expect(bytesToHex(a1.publicKey)).toBe(bytesToHex(a2.publicKey));
    expect(a1.nodeId).toBe(a2.nodeId);
    expect(a1.originHash).toBe(a2.originHash);
    expect(bytesToHex(a1.sign(new Uint8Array([1, 2, 3])))).toBe(bytesToHex(a2.sign(new Uint8Array([1, 2, 3]))));
    expect(a1.nodeId).not.toBe(b.nodeId);
    expect(bytesToHex(a1.publicKey)).toBe(bytesToHex(ed25519.getPublicKey(seedA)));
    expect(bytesToHex(a1.exportSeed())).toBe(bytesToHex(seedA));
  });

  it('matches the RFC 8032 test 1 public key and signature', () => {
    const id = Identity.fromSeed(hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    expect(bytesToHex(id.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(bytesToHex(id.sign(new Uint8Array(0)))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('derives nodeId, originHash and routingId as wire.md §10 says', () => {
    for (const seed of [seedA, seedB]) {
      const id = Identity.fromSeed(seed);
      expect(id.nodeId).toBe(expectedKeyedU64('net-node-id-v1', id.publicKey));
      expect(id.originHash).toBe(expectedKeyedU64('net-origin-v1', id.publicKey));
      expect(id.nodeId).not.toBe(id.originHash);
      expect(nodeIdFromPublicKey(id.publicKey)).toBe(id.nodeId);
      expect(originHashFromPublicKey(id.publicKey)).toBe(id.originHash);
      expect(id.routingId).toBe(Number(id.nodeId & 0xffffffffn));
      expect(routingIdOf(id.nodeId)).toBe(id.routingId);
    }
    expect(routingIdOf(0xdeadbeef_cafebaben)).toBe(0xcafebabe);
  });

  it('generate() gives distinct identities', () => {
    const a = Identity.generate();
    const b = Identity.generate();
    expect(a.publicKey.length).toBe(32);
    expect(a.nodeId).not.toBe(b.nodeId);
    expect(a.verify(new Uint8Array([9]), a.sign(new Uint8Array([9])))).toBe(true);
  });

  it('rejects wrong-size seeds and keys with InvalidArgumentError', () => {
    expect(() => Identity.fromSeed(new Uint8Array(31))).toThrow(InvalidArgumentError);
    expect(() => Identity.fromSeed(new Uint8Array(33))).toThrow(/seed must be 32 bytes, got 33/);
    expect(() => Identity.fromSeed('00' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => nodeIdFromPublicKey(new Uint8Array(16))).toThrow(InvalidArgumentError);
    expect(() => routingIdOf(-1n)).toThrow(InvalidArgumentError);
  });

  it('keeps the seed out of enumeration and JSON', () => {
    const id = Identity.fromSeed(seedA);
    expect(Object.keys(id)).not.toContain('seed');
    expect(JSON.stringify(id, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('"0":0,"1":1,"2":2');
  });
});

describe('Identity.noiseKeypair (Noise static key continuity)', () => {
  it('is the same for the same seed, across instances', () => {
    const a1 = Identity.fromSeed(seedA).noiseKeypair();
    const a2 = Identity.fromSeed(Uint8Array.from(seedA)).noiseKeypair();
    expect(bytesToHex(a1.secretKey)).toBe(bytesToHex(a2.secretKey));
    expect(bytesToHex(a1.publicKey)).toBe(bytesToHex(a2.publicKey));
    // a restored identity (exported seed) keeps its Noise key
    const restored = Identity.fromSeed(Identity.fromSeed(seedA).exportSeed()).noiseKeypair();
    expect(bytesToHex(restored.publicKey)).toBe(bytesToHex(a1.publicKey));
  });

  it('differs between seeds and from the ed25519 key material', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const seed = Uint8Array.from(seedA);
      seed[i % 32] ^= 1 + (i >> 5);
      const kp = Identity.fromSeed(seed).noiseKeypair();
      seen.add(bytesToHex(kp.publicKey));
      expect(bytesToHex(kp.secretKey)).not.toBe(bytesToHex(seed));
    }
    expect(seen.size).toBe(64);
    const a = Identity.fromSeed(seedA);
    expect(bytesToHex(a.noiseKeypair().publicKey)).not.toBe(bytesToHex(Identity.fromSeed(seedB).noiseKeypair().publicKey));
    expect(bytesToHex(a.noiseKeypair().publicKey)).not.toBe(bytesToHex(a.publicKey));
  });

  it('is keyed BLAKE2s-256(seed, "net-mesh 2026 noise static key v1") with its X25519 public key', () => {
    const kp = Identity.fromSeed(seedA).noiseKeypair();
    const secret = blake2s(new TextEncoder().encode('net-mesh 2026 noise static key v1'), { key: seedA, dkLen: 32 });
    expect(bytesToHex(kp.secretKey)).toBe(bytesToHex(secret));
    expect(bytesToHex(kp.publicKey)).toBe(bytesToHex(x25519.getPublicKey(secret)));
    // a working DH key: both sides agree
    const b = Identity.fromSeed(seedB).noiseKeypair();
    expect(bytesToHex(x25519.getSharedSecret(kp.secretKey, b.publicKey))).toBe(bytesToHex(x25519.getSharedSecret(b.secretKey, kp.publicKey)));
  });

  it('hands out copies: mutating one does not change the identity', () => {
    const id = Identity.fromSeed(seedA);
    const kp = id.noiseKeypair();
    const before = bytesToHex(kp.publicKey);
    kp.secretKey.fill(0);
    kp.publicKey.fill(0);
    expect(bytesToHex(id.noiseKeypair().publicKey)).toBe(before);
  });
});

describe('Identity.verify (strict)', () => {
  const id = Identity.fromSeed(seedA);
  const msg = new TextEncoder().encode('capability announcement');
  const sig = id.sign(msg);

  it('accepts a valid signature, rejects a wrong message, key or bit flip', () => {
    expect(Identity.verify(id.publicKey, msg, sig)).toBe(true);
    expect(id.verify(msg, sig)).toBe(true);
    expect(Identity.verify(id.publicKey, new Uint8Array([1]), sig)).toBe(false);
    expect(Identity.verify(Identity.fromSeed(seedB).publicKey, msg, sig)).toBe(false);
    const flipped = Uint8Array.from(sig);
    flipped[10]! ^= 1;
    expect(Identity.verify(id.publicKey, msg, flipped)).toBe(false);
  });

  it('rejects a malleated signature with S + L', () => {
    const s = leToBig(sig.subarray(32));
    const mall = Uint8Array.from(sig);
    mall.set(bigToLe32(s + L), 32);
    expect(s + L < 1n << 256n).toBe(true);
    expect(Identity.verify(id.publicKey, msg, mall)).toBe(false);
  });

  it('rejects wrong lengths without throwing', () => {
    expect(Identity.verify(id.publicKey, msg, sig.subarray(0, 63))).toBe(false);
    expect(Identity.verify(id.publicKey.subarray(0, 31), msg, sig)).toBe(false);
    expect(() => Identity.verify(id.publicKey, 'x' as unknown as Uint8Array, sig)).toThrow(InvalidArgumentError);
  });

  it('rejects the small-order key forgery (A = R = identity, S = 0) for any message', () => {
    const identityPoint = hexToBytes(ED25519_TORSION_SUBGROUP[0]!);
    const forged = new Uint8Array(64);
    forged.set(identityPoint, 0);
    // Lenient ZIP-215 verification accepts this universal forgery; strict must not.
    expect(ed25519.verify(forged, msg, identityPoint, { zip215: true })).toBe(true);
    expect(Identity.verify(identityPoint, msg, forged)).toBe(false);
  });

  it('rejects a signature whose R carries a torsion component (cofactored check would accept)', () => {
    // R = rB + T (T of order 8), S = r + k·a: [8]-cofactored verification passes, the strict
    // non-cofactored equation [S]B = R + [k]A (ed25519-dalek verify_strict) fails.
    const { scalar: a } = ed25519.utils.getExtendedPublicKey(seedA);
    const r = 123456789n;
    const T = ed25519.Point.fromHex(ED25519_TORSION_SUBGROUP[1]!);
    const R = ed25519.Point.BASE.multiply(r).add(T).toBytes();
    const k = leToBig(sha512(new Uint8Array([...R, ...id.publicKey, ...msg]))) % L;
    const S = (r + k * a) % L;
    const crafted = new Uint8Array([...R, ...bigToLe32(S)]);
    expect(ed25519.verify(crafted, msg, id.publicKey, { zip215: false })).toBe(true);
    expect(Identity.verify(id.publicKey, msg, crafted)).toBe(false);
    // Same construction without T is an ordinary valid signature.
    const R0 = ed25519.Point.BASE.multiply(r).toBytes();
    const k0 = leToBig(sha512(new Uint8Array([...R0, ...id.publicKey, ...msg]))) % L;
    const ok = new Uint8Array([...R0, ...bigToLe32((r + k0 * a) % L)]);
    expect(Identity.verify(id.publicKey, msg, ok)).toBe(true);
  });

  it('rejects a non-canonical R encoding', () => {
    // y = p + 1 encodes the identity non-canonically (y >= p).
    const nonCanonical = hexToBytes('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');
    const forged = new Uint8Array(64);
    forged.set(nonCanonical, 0);
    expect(Identity.verify(id.publicKey, msg, forged)).toBe(false);
  });
});
