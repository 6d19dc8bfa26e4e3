// The slice of postcard 1.x the dataforts formats use (dataforts.md preamble): unsigned integers
// wider than u8 as LEB128 varints, u8 raw, strings and byte vectors as varint length + bytes, fixed
// arrays raw, enums as a varint variant index. The reader throws `PostcardError` on truncation,
// varint overflow and invalid UTF-8; callers turn it into their own typed error.

export class PostcardError extends Error {}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class PostcardWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  /** An unsigned varint (u16/u32/u64/usize), from a number or a bigint. */
  varint(v: number | bigint): this {
    this.room(10);
    if (typeof v === 'number' && v < 0x8000_0000) {
      while (v >= 0x80) {
        this.buf[this.len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.len++] = v;
      return this;
    }
    let b = BigInt(v);
    while (b >= 0x80n) {
      this.buf[this.len++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    this.buf[this.len++] = Number(b);
    return this;
  }

  /** Raw bytes (a fixed-size array). */
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Varint length + bytes (Vec<u8>). */
  bytes(b: Uint8Array): this {
    return this.varint(b.length).raw(b);
  }

  string(s: string): this {
    return this.bytes(utf8.encode(s));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class PostcardReader {
  private at = 0;

  constructor(private readonly buf: Uint8Array) {}

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  u8(what: string): number {
    if (this.at >= this.buf.length) throw new PostcardError(`truncated before ${what}`);
    return this.buf[this.at++]!;
  }

  /** A varint of at most `bits` bits (postcard rejects longer encodings and overflow). */
  varint(what: string, bits: 16 | 32 | 64): bigint {
    const maxBytes = Math.ceil(bits / 7);
    let v = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8(what);
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) {
        if (v >> BigInt(bits) !== 0n) throw new PostcardError(`${what} overflows u${bits}`);
        return v;
      }
    }
    throw new PostcardError(`${what} is not a valid u${bits} varint`);
  }

  /** A varint that must fit a safe JS number (lengths, counts, u32 fields). */
  varintNumber(what: string, bits: 16 | 32 | 64 = 32): number {
    const v = this.varint(what, bits);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PostcardError(`${what} is too large`);
    return Number(v);
  }

  raw(n: number, what: string): Uint8Array {
    if (this.remaining < n) throw new PostcardError(`truncated in ${what}`);
    const out = this.buf.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** Varint length + bytes. */
  bytes(what: string): Uint8Array {
    const n = this.varintNumber(`${what} length`, 64);
    if (n > this.remaining) throw new PostcardError(`truncated in ${what}`);
    return this.raw(n, what);
  }

  string(what: string): string {
    const b = this.bytes(what);
    try {
      return strictUtf8.decode(b);
    } catch {
      throw new PostcardError(`${what} is not valid UTF-8`);
    }
  }
}
