import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../ts/transports/prng.js';

describe('Xoshiro128', () => {
  it('matches the reference xoshiro128** output', () => {
    // Reference C implementation (Blackman & Vigna) from state {1, 2, 3, 4}.
    const g = Xoshiro128.fromState(1, 2, 3, 4);
    expect([0, 1, 2, 3, 4, 5].map(() => g.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    const h = Xoshiro128.fromState(0x9e3779b9, 0x12345678, 0xdeadbeef, 0xcafebabe);
    for (let i = 0; i < 1000; i++) h.nextU32();
    expect(h.nextU32()).toBe(1320115819);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const seq = (seed: number | bigint) => {
      const g = new Xoshiro128(seed);
      return Array.from({ length: 8 }, () => g.nextU32());
    };
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(seq(2 ** 40)).not.toEqual(seq(0));
    expect(seq(5n)).toEqual(seq(5));
  });

  it('next() is uniform in [0, 1) and int() covers its inclusive range', () => {
    const g = new Xoshiro128(7);
    let sum = 0;
    const n = 100_000;
    const counts = new Array(6).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const x = g.next();
      if (!(x >= 0 && x < 1)) outOfRange++;
      sum += x;
      counts[g.int(0, 5)]++;
    }
    expect(outOfRange).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    for (const c of counts) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.01);
  });
});
