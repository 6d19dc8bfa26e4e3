// BLAKE3 through the TS API: official vectors (all three modes, full extended output, whole and
// split input), SIMD vs portable kernels, and differential checks against hash-wasm and blake3-jit.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBLAKE3 } from 'hash-wasm';
import { createDeriveKey, createKeyed, hash as jitHash } from 'blake3-jit';
import { beforeAll, describe, expect, it } from 'vitest';
import { Blake3, blake3, blake3Portable, deriveKey, keyedHash } from '../../ts/core/blake3.js';
import { CoreBuffer } from '../../ts/core/memory.js';
import { core, initCore } from '../../ts/core/wasm.js';
import { ClosedError, InvalidArgumentError } from '../../ts/errors.js';

interface VectorCase {
  input_len: number;
  hash: string;
  keyed_hash: string;
  derive_key: string;
}
interface VectorFile {
  key: string;
  context_string: string;
  cases: VectorCase[];
}

const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, '../vectors/blake3-official.json'), 'utf8')) as VectorFile;
const KEY = new TextEncoder().encode(vectors.key);
const CONTEXT = vectors.context_string;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The vectors' input: byte i is i % 251. */
function vectorInput(len: number): Uint8Array {
  const d = new Uint8Array(len);
  for (let i = 0; i < len; i++) d[i] = i % 251;
  return d;
}

/** Seeded xorshift32, so every run sees the same "random" lengths, bytes and splits. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

function randomBytes(len: number, next: (n: number) => number): Uint8Array {
  const d = new Uint8Array(len);
  const words = new Uint32Array(d.buffer, 0, len >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = next(0x100000000);
  for (let i = words.length * 4; i < len; i++) d[i] = next(256);
  return d;
}

/** Feeds `data` to `h` in random pieces (0..max bytes, sometimes big), then returns it. */
function feedSplit(h: Blake3, data: Uint8Array, next: (n: number) => number, max = 3000): Blake3 {
  let off = 0;
  while (off < data.length) {
    const cap = next(5) === 0 ? 20_000 : max;
    const n = Math.min(next(cap + 1), data.length - off);
    h.update(data.subarray(off, off + n));
    off += n;
  }
  return h;
}

type Mode = 'hash' | 'keyed_hash' | 'derive_key';
const MODES: Mode[] = ['hash', 'keyed_hash', 'derive_key'];
const optsFor = (mode: Mode) => (mode === 'keyed_hash' ? { key: KEY } : mode === 'derive_key' ? { context: CONTEXT } : undefined);

function oneShot(mode: Mode, data: Uint8Array, outLen: number): Uint8Array {
  if (mode === 'hash') return blake3(data, outLen);
  if (mode === 'keyed_hash') return keyedHash(KEY, data, outLen);
  return deriveKey(CONTEXT, data, outLen);
}

beforeAll(async () => {
  await initCore();
});

describe('official vectors', () => {
  it('has every case', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(30);
    expect(KEY.length).toBe(32);
  });

  for (const mode of MODES) {
    it(`${mode}: one-shot, default and full extended output`, () => {
      for (const c of vectors.cases) {
        const data = vectorInput(c.input_len);
        const full = c[mode];
        const outLen = full.length / 2;
        expect(hex(oneShot(mode, data, outLen)), `len ${c.input_len}`).toBe(full);
        expect(hex(oneShot(mode, data, 32)), `len ${c.input_len}`).toBe(full.slice(0, 64));
        if (mode === 'hash') {
          expect(hex(blake3(data)), `len ${c.input_len}`).toBe(full.slice(0, 64));
          expect(hex(blake3Portable(data, outLen)), `portable len ${c.input_len}`).toBe(full);
        }
      }
    });

    it(`${mode}: incremental, whole and in random splits, SIMD and portable`, () => {
      const next = rng(0xb1a4e3 + mode.length);
      for (const c of vectors.cases) {
        const data = vectorInput(c.input_len);
        const full = c[mode];
        const outLen = full.length / 2;
        for (const make of [() => new Blake3(optsFor(mode)), () => Blake3.portable(optsFor(mode))]) {
          const whole = make().update(data);
          expect(hex(whole.digest(outLen)), `whole len ${c.input_len}`).toBe(full);
          expect(hex(whole.digest()), `whole len ${c.input_len}`).toBe(full.slice(0, 64));
          whole.dispose();
          for (let round = 0; round < 3; round++) {
            const h = feedSplit(make(), data, next, round === 0 ? 70 : 3000);
            expect(hex(h.digest(outLen)), `split len ${c.input_len}`).toBe(full);
            h.dispose();
          }
        }
      }
    });
  }

  it('digestAt reads the extendable output from any offset', () => {
    for (const c of vectors.cases.filter((_, i) => i % 4 === 0)) {
      const full = Buffer.from(c.hash, 'hex');
      const h = new Blake3().update(vectorInput(c.input_len));
      for (const [off, len] of [[0, 131], [1, 64], [31, 33], [63, 2], [64, 67], [100, 31], [130, 1], [7, 0]] as const) {
        expect(hex(h.digestAt(off, len))).toBe(hex(full.subarray(off, off + len)));
        expect(hex(h.digestAt(BigInt(off), len))).toBe(hex(full.subarray(off, off + len)));
      }
      h.dispose();
    }
  });
});

describe('SIMD vs portable kernels', () => {
  const boundaries = [
    0, 1, 63, 64, 65, 127, 128, 1023, 1024, 1025, 2047, 2048, 2049, 3071, 3072, 3073, 4095, 4096, 4097, 5119, 5120,
    6144, 7168, 8191, 8192, 8193, 12288, 16383, 16384, 16385, 20480, 32767, 32768, 32769, 65535, 65536, 65537,
    131072, 131073,
  ];

  it('one-shot at chunk and batch boundaries', () => {
    const next = rng(42);
    for (const len of boundaries) {
      const data = randomBytes(len, next);
      expect(hex(blake3(data)), `len ${len}`).toBe(hex(blake3Portable(data)));
      expect(hex(blake3(data, 200)), `len ${len}`).toBe(hex(blake3Portable(data, 200)));
    }
  });

  it('one-shot over random lengths', () => {
    const next = rng(7);
    for (let i = 0; i < 150; i++) {
      const len = i < 100 ? next(9000) : next(300_000);
      const data = randomBytes(len, next);
      expect(hex(blake3(data)), `len ${len}`).toBe(hex(blake3Portable(data)));
    }
  });

  it('incremental with random splits in all modes', () => {
    const next = rng(99);
    for (let i = 0; i < 40; i++) {
      const mode = MODES[i % 3]!;
      const len = next(i < 30 ? 20_000 : 400_000);
      const data = randomBytes(len, next);
      const a = feedSplit(new Blake3(optsFor(mode)), data, next);
      const b = feedSplit(Blake3.portable(optsFor(mode)), data, next);
      expect(hex(a.digest(100)), `${mode} len ${len}`).toBe(hex(b.digest(100)));
      a.dispose();
      b.dispose();
    }
  });

  it('multi-MiB inputs, one-shot and incremental', () => {
    const next = rng(1234);
    for (const len of [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345, 5 * (1 << 20)]) {
      const data = randomBytes(len, next);
      const expected = hex(blake3Portable(data, 64));
      expect(hex(blake3(data, 64)), `len ${len}`).toBe(expected);
      const h = feedSplit(new Blake3(), data, next, 300_000);
      expect(hex(h.digest(64)), `split len ${len}`).toBe(expected);
      h.dispose();
    }
  });
});

describe('differential vs hash-wasm and blake3-jit', () => {
  it('plain hash of random inputs 0..200 KiB (hash-wasm, blake3-jit)', async () => {
    const hw = await createBLAKE3();
    const hw512 = await createBLAKE3(512);
    const next = rng(2024);
    for (let i = 0; i < 80; i++) {
      const len = i < 20 ? next(2048) : next(200 * 1024 + 1);
      const data = randomBytes(len, next);
      hw.init();
      hw.update(data);
      expect(hex(blake3(data)), `len ${len}`).toBe(hex(hw.digest('binary')));
      hw512.init();
      hw512.update(data);
      expect(hex(blake3(data, 64)), `len ${len}`).toBe(hex(hw512.digest('binary')));
      expect(hex(blake3(data)), `len ${len}`).toBe(hex(jitHash(data)));
    }
  });

  it('keyed hash vs hash-wasm, derive-key vs blake3-jit', async () => {
    const next = rng(5150);
    for (let i = 0; i < 30; i++) {
      const key = randomBytes(32, next);
      const len = next(200 * 1024 + 1);
      const data = randomBytes(len, next);
      const hw = await createBLAKE3(256, key);
      hw.init();
      hw.update(data);
      const expected = hex(hw.digest('binary'));
      expect(hex(keyedHash(key, data)), `len ${len}`).toBe(expected);
      const h = feedSplit(new Blake3({ key }), data, next);
      expect(hex(h.digest()), `split len ${len}`).toBe(expected);
      h.dispose();
      expect(hex(keyedHash(key, data, 48)), `len ${len}`).toBe(hex(createKeyed(key).update(data).finalize(48)));

      const context = `net-mesh test ${i} ${'ü'.repeat(i % 3)}`;
      const derived = hex(createDeriveKey(context).update(data).finalize(40));
      expect(hex(deriveKey(context, data, 40)), `len ${len}`).toBe(derived);
      const d = feedSplit(new Blake3({ context }), data, next);
      expect(hex(d.digest(40)), `split len ${len}`).toBe(derived);
      d.dispose();
    }
  });

  it('a few multi-MiB inputs vs hash-wasm', async () => {
    const hw = await createBLAKE3();
    const next = rng(77);
    for (const len of [2 * (1 << 20) + 1, 7 * (1 << 20) + 333]) {
      const data = randomBytes(len, next);
      hw.init();
      hw.update(data);
      expect(hex(blake3(data)), `len ${len}`).toBe(hex(hw.digest('binary')));
    }
  });

  it('a 64 MiB input hashes without growing core memory by 64 MiB', async () => {
    const data = new Uint8Array(64 << 20);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i >>> 12) & 0xff;
    blake3(new Uint8Array(16)); // core and scratch warmed up
    const before = core().memory.buffer.byteLength;
    const got = hex(blake3(data));
    const grown = core().memory.buffer.byteLength - before;
    expect(grown).toBeLessThan(4 << 20);
    const hw = await createBLAKE3();
    hw.init();
    hw.update(data);
    expect(got).toBe(hex(hw.digest('binary')));
  });
});

describe('API behaviour', () => {
  it('digest is not destructive: the hasher keeps absorbing', () => {
    const data = vectorInput(10_000);
    const h = new Blake3();
    h.update(data.subarray(0, 3000));
    expect(hex(h.digest())).toBe(hex(blake3(data.subarray(0, 3000))));
    h.update(data.subarray(3000));
    expect(hex(h.digest())).toBe(hex(blake3(data)));
    expect(hex(h.reset().update(data.subarray(0, 5)).digest())).toBe(hex(blake3(data.subarray(0, 5))));
    h.dispose();
  });

  it('hashes inputs that already live in core memory, and subarrays', () => {
    const data = vectorInput(70_000);
    const buf = new CoreBuffer(data.length);
    buf.view().set(data);
    expect(hex(blake3(buf.view()))).toBe(hex(blake3(data)));
    expect(hex(blake3(buf.view(), 100))).toBe(hex(blake3Portable(data, 100)));
    const h = new Blake3({ key: KEY }).update(buf.view(1000)).update(buf.view().subarray(1000));
    expect(hex(h.digest())).toBe(hex(keyedHash(KEY, data)));
    h.dispose();
    buf.free();
    const wide = vectorInput(5000);
    expect(hex(blake3(wide.subarray(17, 4000)))).toBe(hex(blake3(wide.slice(17, 4000))));
  });

  it('long outputs (more than one output slice)', () => {
    const data = vectorInput(3000);
    const long = blake3(data, 100_000);
    expect(long.length).toBe(100_000);
    expect(hex(long.subarray(0, 32))).toBe(hex(blake3(data)));
    const h = new Blake3().update(data);
    expect(hex(h.digestAt(50_000, 40_000))).toBe(hex(long.subarray(50_000, 90_000)));
    expect(hex(h.digestAt(2n ** 40n, 8))).toBe(hex(h.digestAt(2 ** 40, 8)));
    expect(hex(blake3Portable(data, 70_000))).toBe(hex(long.subarray(0, 70_000)));
    h.dispose();
    expect(blake3(data, 0).length).toBe(0);
  });

  it('rejects bad keys, contexts, options, data and lengths with InvalidArgumentError', () => {
    expect(() => new Blake3({ key: new Uint8Array(31) })).toThrow(InvalidArgumentError);
    expect(() => new Blake3({ key: new Uint8Array(31) })).toThrow(/key must be 32 bytes/);
    expect(() => new Blake3({ key: KEY, context: 'x' })).toThrow(/key and context are exclusive/);
    expect(() => new Blake3({ context: 42 as unknown as string })).toThrow(/context must be a string/);
    expect(() => new Blake3({ key: 'k'.repeat(32) as unknown as Uint8Array })).toThrow(InvalidArgumentError);
    expect(() => keyedHash(new Uint8Array(33), new Uint8Array(1))).toThrow(/key must be 32 bytes/);
    expect(() => blake3('abc' as unknown as Uint8Array)).toThrow(/data must be a Uint8Array/);
    expect(() => blake3(new Uint8Array(1), -1)).toThrow(/outLen/);
    expect(() => blake3(new Uint8Array(1), 1.5)).toThrow(/outLen/);
    const h = new Blake3();
    expect(() => h.update([1, 2] as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => h.digest(-3)).toThrow(InvalidArgumentError);
    expect(() => h.digestAt(-1, 4)).toThrow(/offset/);
    expect(() => h.digestAt(2n ** 64n - 3n, 4)).toThrow(/offset/);
    expect(hex(h.digestAt(2n ** 64n - 4n, 4))).toHaveLength(8);
    h.dispose();
  });

  it('a disposed hasher throws ClosedError; dispose is idempotent', () => {
    const h = new Blake3({ context: CONTEXT });
    h.update(new Uint8Array(10));
    h.dispose();
    h.dispose();
    expect(() => h.update(new Uint8Array(1))).toThrow(ClosedError);
    expect(() => h.digest()).toThrow(ClosedError);
    expect(() => h.reset()).toThrow(ClosedError);
    expect(() => h.digestAt(0, 1)).toThrow(ClosedError);
  });

  it('a Buffer is accepted as input', () => {
    const b = Buffer.from('hello blake3');
    expect(hex(blake3(b))).toBe(hex(jitHash(new Uint8Array(b))));
  });
});
