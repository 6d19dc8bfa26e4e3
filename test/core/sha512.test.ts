// SHA-512 through the TS API: FIPS 180-4 examples, and a differential run against @noble/hashes
// and node:crypto at every length around the block and padding boundaries.
import { createHash } from 'node:crypto';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { sha512 } from '../../ts/core/sha512.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { SeededBytes, hex } from './crypto-helpers.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SHA-512', () => {
  // FIPS 180-4 examples (NIST CSRC "Cryptographic Standards and Guidelines: Examples with
  // Intermediate Values", SHA-512 one-block, two-block and long messages).
  it('FIPS 180-4 examples', () => {
    expect(hex(sha512(ascii('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(hex(sha512(new Uint8Array(0)))).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
    expect(hex(sha512(ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')))).toBe(
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    );
    expect(hex(sha512(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    );
  });

  it('matches @noble/hashes and node:crypto at every length 0..600 and 2,000 random inputs', () => {
    const rng = new SeededBytes(512);
    const lengths = [...Array.from({ length: 601 }, (_, i) => i), ...Array.from({ length: 2000 }, () => rng.below(5000))];
    for (const len of lengths) {
      const data = rng.bytes(len);
      const ours = hex(sha512(data));
      expect(ours).toBe(hex(nobleSha512(data)));
      expect(ours).toBe(createHash('sha512').update(data).digest('hex'));
    }
  });

  it('rejects a non-Uint8Array input', () => {
    expect(() => sha512('abc' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });
});
