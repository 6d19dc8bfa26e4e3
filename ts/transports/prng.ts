// xoshiro128** (Blackman & Vigna), seeded through splitmix32. Small, fast, and the same sequence on
// every runtime for a given seed: the memory hub's loss/duplicate/reorder/delay decisions come from it.

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any finite number (its integer part, taken modulo 2^32 twice over to keep the high bits) or a bigint. */
  constructor(seed: number | bigint) {
    let lo: number;
    let hi: number;
    if (typeof seed === 'bigint') {
      lo = Number(seed & 0xffffffffn);
      hi = Number((seed >> 32n) & 0xffffffffn);
    } else {
      const n = Math.trunc(Number.isFinite(seed) ? seed : 0);
      lo = n >>> 0;
      hi = Math.floor(n / 4294967296) >>> 0;
    }
    let s = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    const next = (): number => {
      // splitmix32
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** A generator with an explicit state (for known-answer tests). */
  static fromState(a: number, b: number, c: number, d: number): Xoshiro128 {
    const g = new Xoshiro128(0);
    g.a = a >>> 0;
    g.b = b >>> 0;
    g.c = c >>> 0;
    g.d = d >>> 0;
    return g;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
