// BLAKE2s, HMAC-BLAKE2s and the Noise HKDF through the TS API: RFC 7693 vectors, the reference
// keyed known answers, a differential run against @noble/hashes, argument errors and key wiping.
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { describe, expect, it } from 'vitest';
import { blake2s, hkdfBlake2s, hmacBlake2s } from '../../ts/core/blake2s.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { SeededBytes, hex, inCoreMemory } from './crypto-helpers.js';

const nobleHmac = (key: Uint8Array, data: Uint8Array): Uint8Array => hmac(nobleBlake2s, key, data);
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(parts.flatMap((p) => [...p]));

describe('BLAKE2s: vectors', () => {
  it('RFC 7693 Appendix B: BLAKE2s-256("abc")', () => {
    expect(hex(blake2s(new TextEncoder().encode('abc')))).toBe('508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982');
  });

  it('RFC 7693 Appendix E self-test: the grand hash over keyed and unkeyed digests', () => {
    // The RFC's deterministic input generator (selftest_seq).
    const seq = (len: number, seed: number): Uint8Array => {
      let a = Math.imul(0xdead4bad, seed) >>> 0;
      let b = 1;
      const out = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        const t = (a + b) >>> 0;
        a = b;
        b = t;
        out[i] = t >>> 24;
      }
      return out;
    };
    const parts: Uint8Array[] = [];
    for (const outLen of [16, 20, 28, 32]) {
      for (const inLen of [0, 3, 64, 65, 255, 1024]) {
        const input = seq(inLen, inLen);
        parts.push(blake2s(input, { outLen }));
        parts.push(blake2s(input, { outLen, key: seq(outLen, outLen) }));
      }
    }
    expect(hex(blake2s(cat(...parts)))).toBe('6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe');
  });

  it('keyed known answers (blake2s-kat.txt of the BLAKE2 reference repository, CC0)', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const input = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
    expect(hex(blake2s(input(0), { key }))).toBe('48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49');
    expect(hex(blake2s(input(1), { key }))).toBe('40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1');
    expect(hex(blake2s(input(64), { key }))).toBe('8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4');
    expect(hex(blake2s(input(255), { key }))).toBe('3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd');
  });
});

describe('BLAKE2s: differential against @noble/hashes', () => {
  it('hash: 3,000 random inputs, keys of 0..32 bytes and output lengths 1..32', () => {
    const rng = new SeededBytes(7693);
    for (let i = 0; i < 3000; i++) {
      const data = rng.bytes(i < 300 ? i : rng.below(2000));
      const key = rng.bytes(rng.below(33));
      const outLen = 1 + rng.below(32);
      expect(hex(blake2s(data, { key, outLen }))).toBe(hex(nobleBlake2s(data, { key: key.length ? key : undefined, dkLen: outLen })));
    }
  });

  it('HMAC: 2,000 random keys (0..100 bytes, past the 64-byte block) and inputs', () => {
    const rng = new SeededBytes(2104);
    for (let i = 0; i < 2000; i++) {
      const key = rng.bytes(rng.below(101));
      const data = rng.bytes(rng.below(300));
      expect(hex(hmacBlake2s(key, data))).toBe(hex(nobleHmac(key, data)));
    }
  });

  it('Noise HKDF: 1,000 chaining keys and inputs, two and three outputs', () => {
    const rng = new SeededBytes(34);
    for (let i = 0; i < 1000; i++) {
      const ck = rng.bytes(32);
      const ikm = rng.bytes([0, 32, 33, 64][i % 4]!);
      const temp = nobleHmac(ck, ikm);
      const o1 = nobleHmac(temp, Uint8Array.of(1));
      const o2 = nobleHmac(temp, cat(o1, Uint8Array.of(2)));
      const o3 = nobleHmac(temp, cat(o2, Uint8Array.of(3)));
      expect(hkdfBlake2s(ck, ikm, 3).map(hex)).toEqual([o1, o2, o3].map(hex));
      expect(hkdfBlake2s(ck, ikm, 2).map(hex)).toEqual([o1, o2].map(hex));
    }
  });
});

describe('BLAKE2s: arguments and secrets', () => {
  it('names the bad argument', () => {
    const d = new Uint8Array(4);
    expect(() => blake2s(d, { key: new Uint8Array(33) })).toThrow(/key must be at most 32 bytes, got 33/);
    expect(() => blake2s(d, { outLen: 0 })).toThrow(/outLen must be an integer in 1\.\.32/);
    expect(() => blake2s(d, { outLen: 33 })).toThrow(InvalidArgumentError);
    expect(() => blake2s('x' as unknown as Uint8Array)).toThrow(/data must be a Uint8Array/);
    expect(() => hmacBlake2s(d, 7 as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => hkdfBlake2s(d, d, 4 as 2)).toThrow(/count must be 2 or 3, got 4/);
  });

  it('leaves no key or HMAC/HKDF output in core memory', () => {
    const rng = new SeededBytes(4);
    const key = rng.bytes(32);
    const mac = blake2s(rng.bytes(50), { key });
    const h = hmacBlake2s(key, rng.bytes(10));
    const outs = hkdfBlake2s(key, rng.bytes(32), 3);
    for (const [name, secret] of Object.entries({ key, mac, h, o1: outs[0]!, o2: outs[1]!, o3: outs[2]! })) {
      expect(inCoreMemory(secret), name).toBe(false);
    }
  });
});
