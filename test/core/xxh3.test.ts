// XXH3-64 (seed 0) through the WASM core against the reference's published values, one or more
// per length branch of the algorithm (0, 1–3, 4–8, 9–16, 17–128, 129–240, > 240 bytes).
//
// Source of the values: Cyan4973/xxHash `cli/xsum_sanity_check.c`, table `XSUM_XXH3_testdata`
// (rows with seed 0). Each row hashes the first `len` bytes of the buffer `XSUM_fillTestBuffer`
// produces: byteGen = PRIME32 (2654435761); byte i = byteGen >> 56; byteGen *= PRIME64
// (11400714785074694797) mod 2^64.
import { describe, expect, it } from 'vitest';
import { xxh3_64 } from '../../ts/core/xxh3.js';
import { InvalidArgumentError } from '../../ts/errors.js';

function sanityBuffer(len: number): Uint8Array {
  const out = new Uint8Array(len);
  let gen = 2654435761n;
  for (let i = 0; i < len; i++) {
    out[i] = Number(gen >> 56n);
    gen = BigInt.asUintN(64, gen * 11400714785074694797n);
  }
  return out;
}

const VECTORS: [number, bigint, string][] = [
  [0, 0x2d06800538d394c2n, 'empty'],
  [1, 0xc44bdff4074eecdbn, '1–3'],
  [6, 0x27b56a84cd2d7325n, '4–8'],
  [12, 0xa713daf0dfbb77e7n, '9–16'],
  [24, 0xa3fe70bf9d3510ebn, '17–128 (17–32)'],
  [48, 0x397da259ecba1f11n, '17–128 (33–64)'],
  [80, 0xbcdefbbb2c47c90an, '17–128 (65–96)'],
  [195, 0xcd94217ee362ec3an, '129–240'],
  [403, 0xcdeb804d65c6dea4n, '> 240: one block, last stripe overlapping'],
  [512, 0x617e49599013cb6bn, '> 240: one block, ends on a stripe boundary'],
  [2048, 0xdd59e2c3a5f038e0n, '> 240: two blocks, ends on a block boundary'],
  [2240, 0x6e73a90539cf2948n, '> 240: three blocks, ends on a stripe boundary'],
  [2367, 0xcb37aeb9e5d361edn, '> 240: three blocks, last stripe overlapping'],
];

describe('xxh3_64 (seed 0)', () => {
  const buf = sanityBuffer(2367);
  it.each(VECTORS)('len %i matches the published value (%s)', (len, want) => {
    expect(xxh3_64(buf.subarray(0, len))).toBe(want);
    expect(xxh3_64(buf.slice(0, len))).toBe(want);
  });

  it('hashes a string as its UTF-8 bytes and rejects other inputs', () => {
    expect(xxh3_64('a/b')).toBe(xxh3_64(new TextEncoder().encode('a/b')));
    expect(xxh3_64('')).toBe(0x2d06800538d394c2n);
    expect(() => xxh3_64(42 as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });
});
