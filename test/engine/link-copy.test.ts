// Payload copies into and out of link memory: byte-exact at every alignment, shared or not, and
// never touching bytes outside the target range.
import { describe, expect, it } from 'vitest';
import { copyIntoLink, copyOutOfLink } from '../../ts/engine/link-copy.js';

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
/** Byte equality without a per-element matcher (these arrays are KiBs long). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
const all = (a: Uint8Array, v: number): boolean => a.every((x) => x === v);

describe.each([
  ['shared', (n: number) => new Uint8Array(new SharedArrayBuffer(n))],
  ['plain', (n: number) => new Uint8Array(n)],
])('link copies (%s link memory)', (_kind, make) => {
  it('copies in at every alignment, byte for byte, leaving the neighbours alone', () => {
    for (const len of [0, 5, 255, 256, 1024, 8104]) {
      for (let srcOff = 0; srcOff < 8; srcOff++) {
        for (let at = 0; at < 8; at++) {
          const link = make(len + 32).fill(0xee);
          const src = pattern(len + srcOff, len + at).subarray(srcOff);
          copyIntoLink(link, at + 8, src);
          expect(same(link.subarray(at + 8, at + 8 + len), src)).toBe(true);
          expect(all(link.subarray(0, at + 8), 0xee) && all(link.subarray(at + 8 + len), 0xee)).toBe(true);
        }
      }
    }
  });

  it('copies out at every alignment into a buffer of its own', () => {
    for (const len of [0, 7, 256, 4000, 8104]) {
      const link = make(len + 16);
      link.set(pattern(len + 16, len));
      for (let start = 0; start < 8; start++) {
        const out = copyOutOfLink(link, start, start + len);
        expect(same(out, link.slice(start, start + len))).toBe(true);
        expect(out.buffer).not.toBe(link.buffer);
        expect(out.byteOffset).toBe(0);
        expect(out.buffer.byteLength).toBe(len);
      }
    }
    // Two copies never share memory (the scratch buffer is not handed out).
    const link = make(9000);
    link.set(pattern(9000, 1));
    const a = copyOutOfLink(link, 3, 3003);
    const b = copyOutOfLink(link, 3, 3003);
    a.fill(0);
    expect(same(b, link.slice(3, 3003))).toBe(true);
    expect(all(a, 0)).toBe(true);
  });
});
