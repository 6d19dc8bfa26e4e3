// Ed25519 through the TS API: RFC 8032 vectors, a differential run against @noble/curves and
// node:crypto, and strict-verification edge cases checked against the noble-based strict verifier
// the shell used before (test/core/noble-strict-verify.ts): the same answer on every case.
import { createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { ed25519, ED25519_TORSION_SUBGROUP } from '@noble/curves/ed25519.js';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../ts/core/ed25519.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { SeededBytes, hex, inCoreMemory, unhex } from './crypto-helpers.js';
import { nobleVerifyStrict } from './noble-strict-verify.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const leToBig = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const bigToLe32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint => leToBig(nobleSha512(cat(r, a, m))) % L;
const secretScalar = (seed: Uint8Array): bigint => ed25519.utils.getExtendedPublicKey(seed).scalar;
const TORSION = ED25519_TORSION_SUBGROUP.map((h) => unhex(h));
const ORDER8 = Point.fromHex(ED25519_TORSION_SUBGROUP[1]!);

/** Ours and the reference agree; returns the shared answer. */
function bothVerify(pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const ours = ed25519Verify(pk, msg, sig);
  expect(ours, `pk ${hex(pk)} sig ${hex(sig)}`).toBe(nobleVerifyStrict(pk, msg, sig));
  return ours;
}

describe('Ed25519: RFC 8032 §7.1 vectors (TEST 1, 2, 3, SHA(abc))', () => {
  // RFC 8032 (IETF Trust); TEST SHA(abc)'s message is SHA-512("abc").
  const VECTORS = [
    ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '',
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'],
    ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', '72',
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'],
    ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025', 'af82',
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'],
    ['833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704'],
  ] as const;

  it('derives the public keys, signs byte-exactly and verifies', () => {
    for (const [seed, pk, msg, sig] of VECTORS) {
      expect(hex(ed25519PublicKey(unhex(seed)))).toBe(pk);
      expect(hex(ed25519Sign(unhex(seed), unhex(msg)))).toBe(sig);
      expect(ed25519Verify(unhex(pk), unhex(msg), unhex(sig))).toBe(true);
    }
  });
});

describe('Ed25519: differential', () => {
  it('keys and signatures equal @noble/curves on 600 random seeds and messages; both verifiers accept', () => {
    const rng = new SeededBytes(0x8032);
    for (let i = 0; i < 600; i++) {
      const seed = rng.bytes(32);
      const msg = rng.bytes(rng.below(300));
      const pk = ed25519PublicKey(seed);
      const sig = ed25519Sign(seed, msg);
      expect(hex(pk)).toBe(hex(ed25519.getPublicKey(seed)));
      expect(hex(sig)).toBe(hex(ed25519.sign(msg, seed)));
      expect(bothVerify(pk, msg, sig)).toBe(true);
    }
  });

  it('signatures equal node:crypto (KeyObjects) on 200 seeds', () => {
    const rng = new SeededBytes(0x25519);
    for (let i = 0; i < 200; i++) {
      const seed = rng.bytes(32);
      const msg = rng.bytes(rng.below(200));
      const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
      expect(hex(ed25519Sign(seed, msg))).toBe(nodeSign(null, msg, key).toString('hex'));
      expect(hex(ed25519PublicKey(seed))).toBe(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'));
    }
  });

  it('agrees with the reference on 3,000 mutated signatures, keys and messages', () => {
    const rng = new SeededBytes(77);
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const seed = rng.bytes(32);
      const msg = rng.bytes(1 + rng.below(100));
      const pk = ed25519PublicKey(seed);
      const sig = ed25519Sign(seed, msg);
      for (let j = 0; j < 10; j++) {
        const [p, m, s] = [Uint8Array.from(pk), Uint8Array.from(msg), Uint8Array.from(sig)];
        const which = rng.below(3);
        const target = which === 0 ? s : which === 1 ? p : m;
        target[rng.below(target.length)]! ^= 1 << rng.below(8);
        if (bothVerify(p, m, s)) accepted++;
      }
    }
    expect(accepted).toBe(0);
  });

  it('agrees with the reference on 500 random signatures under real keys', () => {
    const rng = new SeededBytes(5);
    const pk = ed25519PublicKey(rng.bytes(32));
    for (let i = 0; i < 500; i++) {
      const sig = rng.bytes(64);
      if (i % 2 === 0) sig[63]! &= 0x0f; // half with S < L, so R decoding is reached
      expect(bothVerify(pk, rng.bytes(16), sig)).toBe(false);
    }
  });
});

describe('Ed25519: strict verification edge cases (same answers as the reference)', () => {
  const seed = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pk = ed25519PublicKey(seed);
  const a = secretScalar(seed);
  const msg = new TextEncoder().encode('capability announcement');
  const sig = ed25519Sign(seed, msg);

  it('rejects non-canonical S = S + k·L', () => {
    const s = leToBig(sig.subarray(32));
    for (let k = 1n; s + k * L < 1n << 256n; k++) {
      expect(bothVerify(pk, msg, cat(sig.subarray(0, 32), bigToLe32(s + k * L)))).toBe(false);
    }
  });

  it('rejects every small-order A, even with R = identity and S = 0 where the equation holds', () => {
    for (const t of TORSION) expect(bothVerify(t, msg, cat(TORSION[0]!, new Uint8Array(32)))).toBe(false);
    // Lenient ZIP-215 verification accepts the identity forgery; strict must not.
    expect(ed25519.verify(cat(TORSION[0]!, new Uint8Array(32)), msg, TORSION[0]!, { zip215: true })).toBe(true);
  });

  it('rejects every small-order R (for R = identity the equation [S]B = R + [k]A holds with S = k·a)', () => {
    for (const t of TORSION) {
      const s = (challenge(t, pk, msg) * a) % L;
      expect(bothVerify(pk, msg, cat(t, bigToLe32(s)))).toBe(false);
    }
  });

  it('rejects R with a torsion component (non-cofactored equation), accepts the same R without it', () => {
    for (const r of [1n, 123456789n, L - 2n]) {
      const R = Point.BASE.multiply(r).add(ORDER8).toBytes();
      const s = (r + challenge(R, pk, msg) * a) % L;
      const crafted = cat(R, bigToLe32(s));
      expect(ed25519.verify(crafted, msg, pk, { zip215: false })).toBe(true); // cofactored check passes
      expect(bothVerify(pk, msg, crafted)).toBe(false);
      const R0 = Point.BASE.multiply(r).toBytes();
      expect(bothVerify(pk, msg, cat(R0, bigToLe32((r + challenge(R0, pk, msg) * a) % L)))).toBe(true);
    }
  });

  it('with a mixed-order A = aB + T accepts exactly when k ≡ 0 (mod 8), like the reference', () => {
    const A = Point.BASE.multiply(a).add(ORDER8).toBytes();
    const r = 987654321n;
    const R = Point.BASE.multiply(r).toBytes();
    const answers = new Set<boolean>();
    for (let i = 0; i < 64; i++) {
      const m = Uint8Array.of(i);
      const k = challenge(R, A, m);
      const ok = bothVerify(A, m, cat(R, bigToLe32((r + k * a) % L)));
      expect(ok).toBe(k % 8n === 0n);
      answers.add(ok);
    }
    expect([...answers].sort()).toEqual([false, true]);
  });

  it('rejects non-canonical encodings of A and R: y ≥ p, and x = 0 with the sign bit set', () => {
    const p = 2n ** 255n - 19n;
    const encodings: Uint8Array[] = [];
    for (let y = p; y < 2n ** 255n; y++) {
      for (const sign of [0, 0x80]) {
        const e = bigToLe32(y);
        e[31]! |= sign;
        encodings.push(e);
      }
    }
    // x = 0 happens at y = 1 and y = −1; with the sign bit set those are second encodings.
    for (const y of [1n, p - 1n]) {
      const e = bigToLe32(y);
      e[31]! |= 0x80;
      encodings.push(e);
    }
    for (const e of encodings) {
      expect(bothVerify(pk, msg, cat(e, sig.subarray(32)))).toBe(false);
      expect(bothVerify(e, msg, sig)).toBe(false);
    }
  });

  it('rejects a wrong message, wrong key and wrong lengths; throws only for non-Uint8Array arguments', () => {
    expect(bothVerify(pk, msg, sig)).toBe(true);
    expect(bothVerify(pk, new Uint8Array([1]), sig)).toBe(false);
    expect(bothVerify(ed25519PublicKey(new Uint8Array(32)), msg, sig)).toBe(false);
    expect(ed25519Verify(pk, msg, sig.subarray(0, 63))).toBe(false);
    expect(ed25519Verify(pk.subarray(0, 31), msg, sig)).toBe(false);
    expect(() => ed25519Verify(pk, 'x' as unknown as Uint8Array, sig)).toThrow(InvalidArgumentError);
    expect(() => ed25519Sign(new Uint8Array(31), msg)).toThrow(/seed must be 32 bytes, got 31/);
    expect(() => ed25519PublicKey(null as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });
});

describe('Ed25519: secrets', () => {
  it('leaves no copy of the seed in core memory after keygen and signing', () => {
    const seed = new SeededBytes(1234).bytes(32);
    ed25519PublicKey(seed);
    ed25519Sign(seed, new Uint8Array(100));
    expect(inCoreMemory(seed)).toBe(false);
  });
});
