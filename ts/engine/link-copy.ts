// Payload copies into and out of link memory. Into or out of a SharedArrayBuffer (the worker
// placement's rings), V8 copies word by word only when source and destination have the same
// alignment mod 8, and byte by byte otherwise: several times slower for KiB payloads, and a
// frame's bytes sit 4 bytes after its length prefix. A misaligned copy therefore goes through a
// private scratch buffer placed at the shared side's alignment (two fast copies, not one slow one).
// Ordinary buffers (the inline placement) are copied directly.

/** Below this, the direct copy costs less than the detour. */
const DETOUR_MIN = 256;
let scratch = new Uint8Array(16 << 10);

const isShared = (b: Uint8Array): boolean => typeof SharedArrayBuffer !== 'undefined' && b.buffer instanceof SharedArrayBuffer;

function scratchAt(align: number, len: number): Uint8Array {
  if (scratch.length < len + 8) scratch = new Uint8Array(Math.max(len + 8, 2 * scratch.length));
  return scratch.subarray(align, align + len);
}

/** Copies `src` into link memory `dst` at offset `at`. */
export function copyIntoLink(dst: Uint8Array, at: number, src: Uint8Array): void {
  const align = (dst.byteOffset + at) & 7;
  if (src.length < DETOUR_MIN || ((src.byteOffset & 7) === align) || !isShared(dst)) {
    dst.set(src, at);
    return;
  }
  const s = scratchAt(align, src.length);
  s.set(src);
  dst.set(s, at);
}

/** An owned copy of link memory `buf[start, end)`. */
export function copyOutOfLink(buf: Uint8Array, start: number, end: number): Uint8Array {
  const len = end - start;
  const out = new Uint8Array(len);
  const align = (buf.byteOffset + start) & 7;
  if (len < DETOUR_MIN || align === 0 || !isShared(buf)) {
    out.set(buf.subarray(start, end));
    return out;
  }
  const s = scratchAt(align, len);
  s.set(buf.subarray(start, end));
  out.set(s);
  return out;
}
