// X25519 through the TS API: RFC 7748 vectors (incl. the 1 and 1,000-iteration ones), a
// differential run against @noble/curves and node:crypto, low-order peer keys, argument errors and
// the wiping of secrets from core memory.
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { sha512 } from '../../ts/core/sha512.js';
import { x25519, x25519PublicKey } from '../../ts/core/x25519.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { SeededBytes, hex, inCoreMemory, unhex } from './crypto-helpers.js';

describe('X25519: RFC 7748 vectors', () => {
  // RFC 7748 §5.2 and §6.1 (IETF Trust; vectors quoted as published).
  it('§5.2 single-shot vectors', () => {
    expect(hex(x25519(
      unhex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
      unhex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
    ))).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
    expect(hex(x25519(
      unhex('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
      unhex('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
    ))).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
  });

  it('§5.2 iterated: after 1 and 1,000 rounds of k, u ← X25519(k, u), u ← old k', () => {
    let k: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    let u: Uint8Array = Uint8Array.from(k);
    const seen: string[] = [];
    for (let i = 1; i <= 1000; i++) {
      const out = x25519(k, u);
      u = k;
      k = out;
      if (i === 1 || i === 1000) seen.push(hex(k));
    }
    expect(seen).toEqual([
      '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
      '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51',
    ]);
  });

  it('§6.1 Diffie-Hellman example', () => {
    const a = unhex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const b = unhex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const aPub = x25519PublicKey(a);
    const bPub = x25519PublicKey(b);
    expect(hex(aPub)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(hex(bPub)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hex(x25519(a, bPub))).toBe(shared);
    expect(hex(x25519(b, aPub))).toBe(shared);
  });
});

describe('X25519: differential', () => {
  it('matches @noble/curves on 1,500 random secrets and peer keys (any u, bit 255 random)', () => {
    const rng = new SeededBytes(0x2551);
    for (let i = 0; i < 1500; i++) {
      const secret = rng.bytes(32);
      const peer = rng.bytes(32);
      expect(hex(x25519PublicKey(secret))).toBe(hex(nobleX25519.getPublicKey(secret)));
      expect(hex(x25519(secret, peer))).toBe(hex(nobleX25519.getSharedSecret(secret, peer)));
    }
  });

  it('matches node:crypto (KeyObjects) on 300 key agreements', () => {
    const rng = new SeededBytes(0x7748);
    const pkcs8 = (secret: Uint8Array) =>
      createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), secret]), format: 'der', type: 'pkcs8' });
    const spki = (pub: Uint8Array) =>
      createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), pub]), format: 'der', type: 'spki' });
    for (let i = 0; i < 300; i++) {
      const a = rng.bytes(32);
      const bPub = x25519PublicKey(rng.bytes(32));
      const nodeShared = diffieHellman({ privateKey: pkcs8(a), publicKey: spki(bPub) });
      expect(hex(x25519(a, bPub))).toBe(nodeShared.toString('hex'));
      const nodePub = createPublicKey(pkcs8(a)).export({ format: 'der', type: 'spki' }).subarray(12);
      expect(hex(x25519PublicKey(a))).toBe(nodePub.toString('hex'));
    }
  });
});

describe('X25519: low-order peer keys', () => {
  // u of small order on the curve or its twist: 0, 1, two points of order 8, p − 1, p, p + 1
  // (the list libsodium rejects); with bit 255 set they decode to the same u (RFC 7748 masks it).
  const LOW_ORDER = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];

  it('are detected (all-zero shared secret) and rejected with InvalidArgumentError, as noble rejects them', () => {
    const rng = new SeededBytes(8);
    for (const u of LOW_ORDER) {
      for (const high of [0, 0x80]) {
        const pub = unhex(u);
        pub[31] = (pub[31]! & 0x7f) | high;
        const secret = rng.bytes(32);
        expect(() => x25519(secret, pub)).toThrow(InvalidArgumentError);
        expect(() => x25519(secret, pub)).toThrow(/publicKey has small order/);
        expect(() => nobleX25519.getSharedSecret(secret, pub)).toThrow();
      }
    }
  });
});

describe('X25519: arguments and secrets', () => {
  it('names the bad argument', () => {
    const k = new Uint8Array(32);
    expect(() => x25519(new Uint8Array(31), k)).toThrow(/secretKey must be 32 bytes, got 31/);
    expect(() => x25519(k, new Uint8Array(33))).toThrow(/publicKey must be 32 bytes, got 33/);
    expect(() => x25519PublicKey('k' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });

  it('leaves neither the secret key nor the shared secret in core memory', () => {
    const rng = new SeededBytes(99);
    const secret = rng.bytes(32);
    const peer = x25519PublicKey(rng.bytes(32));
    const shared = x25519(secret, peer);
    x25519PublicKey(secret);
    expect(inCoreMemory(secret)).toBe(false);
    expect(inCoreMemory(shared)).toBe(false);
    // The scan does find bytes a kernel call leaves behind (sha512 does not wipe its input).
    const marker = rng.bytes(32);
    sha512(marker);
    expect(inCoreMemory(marker)).toBe(true);
  });
});
