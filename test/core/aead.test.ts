// ChaCha20-Poly1305 through the WASM core: Wycheproof vectors, argument checks, differential runs
// against node:crypto and @noble/ciphers, and tamper detection.
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChaCha20Poly1305 } from '../../ts/core/aead.js';
import { CoreBuffer } from '../../ts/core/memory.js';
import { initCore } from '../../ts/core/wasm.js';
import { AuthenticationError, ClosedError, InvalidArgumentError } from '../../ts/errors.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** splitmix32-style seeded generator: deterministic bytes and integers. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    int: (n: number): number => next() % n,
    bytes(n: number): Uint8Array {
      const out = new Uint8Array(n);
      const words = new Uint32Array(out.buffer, 0, n >>> 2);
      for (let i = 0; i < words.length; i++) words[i] = next();
      for (let i = words.length * 4; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

function nodeSeal(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const out = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

beforeAll(async () => {
  await initCore();
});

describe('ChaCha20Poly1305: RFC 8439 and Wycheproof', () => {
  it('matches the RFC 8439 §2.8.2 example', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('070000004041424344454647');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const pt = new TextEncoder().encode(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, pt, aad);
    expect(Buffer.from(sealed.subarray(pt.length)).toString('hex')).toBe('1ae10b594f09e26a7e902ecbd0600691');
    expect(Buffer.from(sealed.subarray(0, 16)).toString('hex')).toBe('d31a8d34648e60db7b86afbc53ef7ec2');
    expect(aead.open(nonce, sealed, aad)).toEqual(pt);
    aead.dispose();
  });

  interface WycheproofCase {
    tcId: number;
    key: string;
    iv: string;
    aad: string;
    msg: string;
    ct: string;
    tag: string;
    result: 'valid' | 'invalid' | 'acceptable';
  }
  const file = JSON.parse(readFileSync(new URL('../vectors/wycheproof-chacha20-poly1305.json', import.meta.url), 'utf8')) as {
    testGroups: { tests: WycheproofCase[] }[];
  };
  const cases = file.testGroups.flatMap((g) => g.tests);

  it('runs all 325 Wycheproof cases', () => {
    expect(cases.length).toBe(325);
    let valid = 0;
    let rejected = 0;
    let refusedNonce = 0;
    for (const tc of cases) {
      const key = hex(tc.key);
      const nonce = hex(tc.iv);
      const aad = hex(tc.aad);
      const msg = hex(tc.msg);
      const sealed = concat(hex(tc.ct), hex(tc.tag));
      const aead = new ChaCha20Poly1305(key);
      try {
        if (tc.result === 'valid') {
          expect(aead.seal(nonce, msg, aad), `tcId ${tc.tcId} seal`).toEqual(sealed);
          expect(aead.open(nonce, sealed, aad), `tcId ${tc.tcId} open`).toEqual(msg);
          valid++;
        } else if (nonce.length !== 12) {
          expect(() => aead.open(nonce, sealed, aad), `tcId ${tc.tcId}`).toThrow(InvalidArgumentError);
          expect(() => aead.seal(nonce, msg, aad), `tcId ${tc.tcId}`).toThrow(/nonce must be 12 bytes/);
          refusedNonce++;
        } else {
          expect(() => aead.open(nonce, sealed, aad), `tcId ${tc.tcId}`).toThrow(AuthenticationError);
          rejected++;
        }
      } finally {
        aead.dispose();
      }
    }
    expect(valid).toBe(256);
    expect(rejected).toBe(60);
    expect(refusedNonce).toBe(9);
  });
});

describe('ChaCha20Poly1305: arguments and lifecycle', () => {
  const key = new Uint8Array(32).fill(1);
  const nonce = new Uint8Array(12).fill(2);

  it('refuses bad key and nonce sizes, naming the argument and size', () => {
    expect(() => new ChaCha20Poly1305(new Uint8Array(31))).toThrow(InvalidArgumentError);
    expect(() => new ChaCha20Poly1305(new Uint8Array(33))).toThrow(/key must be 32 bytes, got 33/);
    expect(() => new ChaCha20Poly1305('k' as unknown as Uint8Array)).toThrow(/key must be a Uint8Array/);
    const aead = new ChaCha20Poly1305(key);
    expect(() => aead.seal(new Uint8Array(8), new Uint8Array(1))).toThrow(/nonce must be 12 bytes, got 8/);
    expect(() => aead.open(new Uint8Array(24), new Uint8Array(32))).toThrow(InvalidArgumentError);
    expect(() => aead.seal(nonce, [1, 2] as unknown as Uint8Array)).toThrow(/plaintext must be a Uint8Array/);
    aead.dispose();
  });

  it('treats sealed input shorter than the tag as unauthentic', () => {
    const aead = new ChaCha20Poly1305(key);
    for (let n = 0; n < 16; n++) expect(() => aead.open(nonce, new Uint8Array(n))).toThrow(AuthenticationError);
    aead.dispose();
  });

  it('seals and opens empty plaintext and empty AAD', () => {
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, new Uint8Array(0));
    expect(sealed.length).toBe(16);
    expect(sealed).toEqual(chacha20poly1305(key, nonce).encrypt(new Uint8Array(0)));
    expect(aead.open(nonce, sealed).length).toBe(0);
    aead.dispose();
  });

  it('throws ClosedError after dispose; dispose is idempotent', () => {
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, new Uint8Array(10));
    aead.dispose();
    aead.dispose();
    expect(() => aead.seal(nonce, new Uint8Array(10))).toThrow(ClosedError);
    expect(() => aead.open(nonce, sealed)).toThrow(ClosedError);
    expect(() => aead.sealInPlace(nonce, new Uint8Array(10))).toThrow(ClosedError);
  });

  it('accepts Node Buffers and offset views', () => {
    const aead = new ChaCha20Poly1305(Buffer.from(key));
    const backing = new Uint8Array(300).map((_, i) => i);
    const pt = backing.subarray(7, 207);
    const aad = backing.subarray(1, 9);
    const sealed = aead.seal(Buffer.from(nonce), pt, aad);
    expect(sealed).toEqual(chacha20poly1305(key, nonce, aad).encrypt(pt));
    expect(aead.open(nonce, Buffer.from(sealed), aad)).toEqual(pt);
    aead.dispose();
  });
});

describe('ChaCha20Poly1305: in-place variants', () => {
  const key = new Uint8Array(32).map((_, i) => 255 - i);
  const nonce = new Uint8Array(12).map((_, i) => i * 3);
  const aad = new Uint8Array(20).fill(0xaa);

  it('works zero-copy on a core buffer and leaves it untouched on failure', () => {
    const aead = new ChaCha20Poly1305(key);
    const pt = rng(5).bytes(1500);
    const buf = new CoreBuffer(pt.length);
    buf.view().set(pt);
    const tag = aead.sealInPlace(nonce, buf.view(), aad);
    const expected = chacha20poly1305(key, nonce, aad).encrypt(pt);
    expect(concat(buf.view().slice(), tag)).toEqual(expected);

    const badTag = tag.slice();
    badTag[0] ^= 1;
    expect(() => aead.openInPlace(nonce, buf.view(), badTag, aad)).toThrow(AuthenticationError);
    expect(buf.view().slice()).toEqual(expected.subarray(0, pt.length));

    aead.openInPlace(nonce, buf.view(), tag, aad);
    expect(buf.view().slice()).toEqual(pt);
    buf.free();
    aead.dispose();
  });

  it('sealInto / openInto write into caller arrays at an offset', () => {
    const aead = new ChaCha20Poly1305(key);
    const pt = rng(7).bytes(700);
    const packet = new Uint8Array(68 + pt.length + 16).fill(0xee);
    expect(aead.sealInto(nonce, pt, packet, aad, 68)).toBe(pt.length + 16);
    expect(packet.subarray(0, 68).every((b) => b === 0xee)).toBe(true);
    expect(packet.subarray(68)).toEqual(chacha20poly1305(key, nonce, aad).encrypt(pt));

    const out = new Uint8Array(pt.length + 10).fill(1);
    expect(aead.openInto(nonce, packet.subarray(68), out, aad, 10)).toBe(pt.length);
    expect(out.subarray(10)).toEqual(pt);

    const bad = packet.slice(68);
    bad[5] ^= 1;
    const untouched = new Uint8Array(pt.length).fill(9);
    expect(() => aead.openInto(nonce, bad, untouched, aad)).toThrow(AuthenticationError);
    expect(untouched.every((b) => b === 9)).toBe(true);

    expect(() => aead.sealInto(nonce, pt, new Uint8Array(pt.length + 15), aad)).toThrow(/out must have room for 716 bytes/);
    expect(() => aead.openInto(nonce, packet.subarray(68), new Uint8Array(10), aad, 1)).toThrow(InvalidArgumentError);

    // Encrypting over the plaintext's own storage works (the input is copied first).
    const same = new Uint8Array(pt.length + 16);
    same.set(pt);
    aead.sealInto(nonce, same.subarray(0, pt.length), same, aad);
    expect(same).toEqual(chacha20poly1305(key, nonce, aad).encrypt(pt));
    aead.dispose();
  });

  it('copies in and out for ordinary arrays', () => {
    const aead = new ChaCha20Poly1305(key);
    const pt = rng(6).bytes(333);
    const data = pt.slice();
    const tag = aead.sealInPlace(nonce, data, aad);
    expect(concat(data, tag)).toEqual(chacha20poly1305(key, nonce, aad).encrypt(pt));
    const wrong = data.slice();
    expect(() => aead.openInPlace(nonce, wrong, tag, new Uint8Array(0))).toThrow(AuthenticationError);
    expect(wrong).toEqual(data);
    aead.openInPlace(nonce, data, tag, aad);
    expect(data).toEqual(pt);
    aead.dispose();
  });
});

describe('ChaCha20Poly1305: differential against node:crypto and @noble/ciphers', () => {
  /** Mostly packet-sized inputs, some around block boundaries, a few large ones up to 70,000. */
  function pickSize(r: ReturnType<typeof rng>): number {
    const u = r.int(1000);
    if (u < 600) return r.int(257);
    if (u < 750) return 64 * (1 + r.int(20)) + r.int(3) - 1; // block boundaries ±1
    if (u < 950) return 257 + r.int(1800);
    if (u < 990) return 2048 + r.int(14_000);
    return 16_000 + r.int(54_001);
  }

  it('10,000 random cases are byte-equal and open back', () => {
    const r = rng(0x8439);
    let aead: ChaCha20Poly1305 | undefined;
    let key: Uint8Array = new Uint8Array(0);
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      if (!aead || r.int(4) === 0) {
        aead?.dispose();
        key = r.bytes(32);
        aead = new ChaCha20Poly1305(key);
      }
      const nonce = r.bytes(12);
      const aad = r.bytes(r.int(8) === 0 ? r.int(600) : r.int(64));
      const pt = r.bytes(pickSize(r));
      total += pt.length;
      const sealed = aead.seal(nonce, pt, aad);
      expect(sealed.length).toBe(pt.length + 16);
      const viaNode = nodeSeal(key, nonce, pt, aad);
      const viaNoble = chacha20poly1305(key, nonce, aad).encrypt(pt);
      if (!Buffer.from(sealed).equals(viaNode) || !Buffer.from(sealed).equals(viaNoble)) {
        throw new Error(`case ${i}: mismatch (pt ${pt.length} bytes, aad ${aad.length} bytes)`);
      }
      const opened = aead.open(nonce, sealed, aad);
      if (!Buffer.from(opened).equals(pt)) throw new Error(`case ${i}: open did not round-trip`);
      // A random single-bit change anywhere in sealed, aad or nonce must be rejected.
      if (i % 10 === 0) {
        const where = r.int(3);
        const s2 = sealed.slice();
        const a2 = aad.slice();
        const n2 = nonce.slice();
        const target = where === 0 || a2.length === 0 ? s2 : where === 1 ? a2 : n2;
        target[r.int(target.length)] ^= 1 << r.int(8);
        expect(() => aead!.open(n2, s2, a2)).toThrow(AuthenticationError);
      }
    }
    aead?.dispose();
    expect(total).toBeGreaterThan(5_000_000);
  });

  it('matches @noble/ciphers at every length 0..1100 and around piece boundaries', () => {
    const r = rng(1100);
    const key = r.bytes(32);
    const aead = new ChaCha20Poly1305(key);
    const sizes = [...Array(1101).keys(), 4095, 4096, 4097, 8191, 8192, 8193, 12_289, 65_536];
    for (const n of sizes) {
      const nonce = r.bytes(12);
      const pt = r.bytes(n);
      // AAD of all-ones bytes drives the Poly1305 limbs to their largest values.
      const aad = new Uint8Array(n % 200).fill(0xff);
      const sealed = aead.seal(nonce, pt, aad);
      if (!Buffer.from(sealed).equals(chacha20poly1305(key, nonce, aad).encrypt(pt))) throw new Error(`length ${n}: mismatch`);
      if (!Buffer.from(aead.open(nonce, sealed, aad)).equals(pt)) throw new Error(`length ${n}: round trip`);
    }
    aead.dispose();
  });

  it('matches node:crypto on all-ones inputs up to 4 KiB (largest MAC limbs)', () => {
    const key = new Uint8Array(32).fill(0xff);
    const aead = new ChaCha20Poly1305(key);
    for (let n = 0; n <= 4096; n += 61) {
      const nonce = new Uint8Array(12).fill(n & 0xff);
      const ones = new Uint8Array(n).fill(0xff);
      expect(Buffer.from(aead.seal(nonce, ones, ones)).equals(nodeSeal(key, nonce, ones, ones)), `length ${n}`).toBe(true);
    }
    aead.dispose();
  });

  it('rejects a flip of every byte of sealed, aad and nonce', () => {
    const r = rng(77);
    const key = r.bytes(32);
    const nonce = r.bytes(12);
    const aad = r.bytes(37);
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, r.bytes(301), aad);
    for (const [name, arr] of [['sealed', sealed], ['aad', aad], ['nonce', nonce]] as const) {
      for (let i = 0; i < arr.length; i++) {
        arr[i] ^= 0x80;
        expect(() => aead.open(nonce, sealed, aad), `${name}[${i}]`).toThrow(AuthenticationError);
        arr[i] ^= 0x80;
      }
    }
    expect(aead.open(nonce, sealed, aad).length).toBe(301);
    // Truncation and extension are rejected too.
    expect(() => aead.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toThrow(AuthenticationError);
    expect(() => aead.open(nonce, concat(sealed, new Uint8Array(1)), aad)).toThrow(AuthenticationError);
    aead.dispose();
  });
});
