// Copies a kernel call's inputs into the per-thread scratch region and wipes secrets afterwards:
// the shared plumbing of the one-shot crypto wrappers (x25519, ed25519, sha512, blake2s).
import { heap, scratchBuffer } from './memory.js';
import { core } from './wasm.js';

/** Pointers of one staged call: each input's copy, then `out` for the kernel's output. */
export interface Staged {
  readonly ptrs: number[];
  readonly out: number;
  /** Start and end of the whole staged region. */
  readonly start: number;
  readonly end: number;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * Lays `inputs` out in the scratch region (each 16-byte aligned, in order) followed by `outLen`
 * bytes for the output. An input that is a view of core memory is re-read from its recorded
 * offset, since growing the scratch may detach such views.
 */
export function stage(inputs: readonly Uint8Array[], outLen: number): Staged {
  const memBuffer = core().memory.buffer;
  const pinned = inputs.map((v) => ({ v, off: v.byteOffset, len: v.length, inCore: v.buffer === memBuffer }));
  let size = 0;
  for (const p of pinned) size += align16(p.len);
  const start = scratchBuffer(size + outLen).ptr;
  const mem = heap();
  const ptrs: number[] = [];
  let at = start;
  for (const p of pinned) {
    ptrs.push(at);
    if (p.len > 0) mem.set(p.inCore ? mem.subarray(p.off, p.off + p.len) : p.v, at);
    at += align16(p.len);
  }
  return { ptrs, out: at, start, end: at + outLen };
}

/** Zeroes `len` bytes of core memory at `ptr` (a secret input or output copy). */
export function wipe(ptr: number, len: number): void {
  heap().fill(0, ptr, ptr + len);
}

/** Zeroes the whole staged region. */
export function wipeStaged(s: Staged): void {
  wipe(s.start, s.end - s.start);
}
