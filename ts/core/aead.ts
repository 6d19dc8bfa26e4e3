// ChaCha20-Poly1305 (RFC 8439) backed by the WASM core. The expanded key lives inside the core
// (a handle); each call copies its inputs into the per-thread scratch region once, runs the kernel
// in place there and copies the result out once.
import { AuthenticationError, ClosedError, CoreError, InvalidArgumentError } from '../errors.js';
import { heap, scratchBuffer, CoreBuffer } from './memory.js';
import { core } from './wasm.js';

export const AEAD_KEY_SIZE = 32;
export const AEAD_NONCE_SIZE = 12;
export const AEAD_TAG_SIZE = 16;

interface AeadExports {
  nm_aead_new(keyPtr: number): number;
  nm_aead_free(h: number): void;
  nm_aead_seal(h: number, noncePtr: number, aadPtr: number, aadLen: number, bufPtr: number, len: number, tagOutPtr: number): void;
  nm_aead_open(h: number, noncePtr: number, aadPtr: number, aadLen: number, bufPtr: number, len: number, tagPtr: number): number;
}

const EMPTY = new Uint8Array(0);

function exports(): AeadExports {
  return core() as unknown as AeadExports;
}

function checkBytes(name: string, v: unknown, size?: number): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidArgumentError(`${name} must be a Uint8Array`);
  if (size !== undefined && v.length !== size) {
    throw new InvalidArgumentError(`${name} must be ${size} bytes, got ${v.length}`);
  }
}

function checkRoom(out: unknown, offset: number, n: number): asserts out is Uint8Array {
  checkBytes('out', out);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > out.length) {
    throw new InvalidArgumentError(`out must have room for ${n} bytes at offset ${offset}, but is ${out.length} bytes`);
  }
}

/** Rounds up to the next multiple of 16, so each region in the scratch starts aligned. */
const align16 = (n: number): number => (n + 15) & ~15;

// Frees the core-side key state of instances that were never disposed.
const registry = new FinalizationRegistry<number>((handle) => {
  try {
    exports().nm_aead_free(handle);
  } catch {
    // the core is gone (thread ending): nothing to free
  }
});

/**
 * A small region for nonce, tag and AAD used by the in-place variants, separate from the scratch
 * region because the caller's data may itself live in the scratch region.
 */
let params: CoreBuffer | undefined;
function paramsBuffer(min: number): CoreBuffer {
  if (!params || params.size < min) {
    params?.free();
    params = new CoreBuffer(Math.max(min, 256));
  }
  return params;
}

/**
 * A view of core memory is detached when the memory grows (an allocation in the core); this re-makes
 * it from its recorded offset so inputs that live in core memory survive a scratch allocation.
 */
function refresh(v: Uint8Array, off: number, len: number): Uint8Array {
  return v.length === len ? v : heap().subarray(off, off + len);
}

/** True when `v` is a view of the core's linear memory (so the kernel can work on it directly). */
function inCore(v: Uint8Array): boolean {
  return v.buffer === core().memory.buffer;
}

/** A byte input and where it sits, recorded before any call that may grow core memory. */
interface Pinned {
  v: Uint8Array;
  off: number;
  len: number;
}
const pin = (v: Uint8Array): Pinned => ({ v, off: v.byteOffset, len: v.length });
const view = (p: Pinned): Uint8Array => refresh(p.v, p.off, p.len);

/**
 * ChaCha20-Poly1305 with a persistent key. `seal` returns ciphertext ‖ 16-byte tag; `open` takes the
 * same layout and throws AuthenticationError when the tag does not verify. A `sealed` input shorter
 * than the tag also throws AuthenticationError (it cannot be authentic), not InvalidArgumentError.
 *
 * Allocation-free variants for hot paths: `sealInto` / `openInto` write into a caller's array
 * (e.g. right after a packet header); `sealInPlace` / `openInPlace` transform an array in place,
 * with zero copies when it is a view of core memory (`CoreBuffer.view()`).
 */
export class ChaCha20Poly1305 {
  static readonly KEY_SIZE = AEAD_KEY_SIZE;
  static readonly NONCE_SIZE = AEAD_NONCE_SIZE;
  static readonly TAG_SIZE = AEAD_TAG_SIZE;

  #handle: number;

  /** `key`: 32 bytes; it is expanded inside the core and not kept on the JS side. */
  constructor(key: Uint8Array) {
    checkBytes('key', key, AEAD_KEY_SIZE);
    const ex = exports();
    const k = pin(key);
    const s = scratchBuffer(AEAD_KEY_SIZE);
    heap().set(view(k), s.ptr);
    const h = ex.nm_aead_new(s.ptr);
    heap().fill(0, s.ptr, s.ptr + AEAD_KEY_SIZE); // do not leave the raw key in the scratch
    if (h === 0) throw new CoreError('CORE_OUT_OF_MEMORY', 'net-mesh core: cannot allocate AEAD state');
    this.#handle = h;
    registry.register(this, h, this);
  }

  #live(): number {
    if (this.#handle === 0) throw new ClosedError('ChaCha20Poly1305');
    return this.#handle;
  }

  /** Encrypts and authenticates `plaintext` (and `aad`); returns ciphertext ‖ tag. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    const p = this.#sealInScratch(nonce, plaintext, aad);
    return heap().slice(p, p + plaintext.length + AEAD_TAG_SIZE);
  }

  /** Verifies and decrypts ciphertext ‖ tag; throws AuthenticationError when it does not verify. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    const p = this.#openInScratch(nonce, sealed, undefined, aad);
    return heap().slice(p, p + sealed.length - AEAD_TAG_SIZE);
  }

  /**
   * Like `seal`, but writes ciphertext ‖ tag into `out` at `outOffset` instead of allocating.
   * Returns the bytes written: plaintext.length + 16. `out` may overlap `plaintext`.
   */
  sealInto(nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array, aad: Uint8Array = EMPTY, outOffset = 0): number {
    checkBytes('plaintext', plaintext);
    const n = plaintext.length + AEAD_TAG_SIZE;
    checkRoom(out, outOffset, n);
    const oOff = out.byteOffset, oLen = out.length;
    const p = this.#sealInScratch(nonce, plaintext, aad);
    refresh(out, oOff, oLen).set(heap().subarray(p, p + n), outOffset);
    return n;
  }

  /**
   * Like `open`, but writes the plaintext into `out` at `outOffset` instead of allocating. Returns
   * the plaintext length (sealed.length - 16); on AuthenticationError `out` is left unchanged.
   */
  openInto(nonce: Uint8Array, sealed: Uint8Array, out: Uint8Array, aad: Uint8Array = EMPTY, outOffset = 0): number {
    checkBytes('sealed', sealed);
    const n = Math.max(0, sealed.length - AEAD_TAG_SIZE);
    checkRoom(out, outOffset, n);
    const oOff = out.byteOffset, oLen = out.length;
    const p = this.#openInScratch(nonce, sealed, undefined, aad);
    refresh(out, oOff, oLen).set(heap().subarray(p, p + n), outOffset);
    return n;
  }

  /**
   * Encrypts `data` in place and returns the detached 16-byte tag. When `data` is a view of the
   * core's linear memory (e.g. `CoreBuffer.view()`), the kernel works on it directly (zero copy);
   * any other Uint8Array goes through the scratch region.
   */
  sealInPlace(nonce: Uint8Array, data: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    const h = this.#live();
    checkBytes('nonce', nonce, AEAD_NONCE_SIZE);
    checkBytes('data', data);
    checkBytes('aad', aad);
    const d = pin(data);
    if (!inCore(data)) {
      const p = this.#sealInScratch(nonce, data, aad);
      const mem = heap();
      view(d).set(mem.subarray(p, p + d.len));
      return mem.slice(p + d.len, p + d.len + AEAD_TAG_SIZE);
    }
    const q = this.#params(nonce, aad);
    exports().nm_aead_seal(h, q, q + 32, aad.length, d.off, d.len, q + 16);
    return heap().slice(q + 16, q + 32);
  }

  /**
   * Verifies `tag` over `data` (and `aad`) and decrypts `data` in place; throws AuthenticationError
   * and leaves `data` unchanged when the tag does not verify. Zero copy for core-memory views.
   */
  openInPlace(nonce: Uint8Array, data: Uint8Array, tag: Uint8Array, aad: Uint8Array = EMPTY): void {
    const h = this.#live();
    checkBytes('nonce', nonce, AEAD_NONCE_SIZE);
    checkBytes('data', data);
    checkBytes('tag', tag, AEAD_TAG_SIZE);
    checkBytes('aad', aad);
    const d = pin(data);
    if (!inCore(data)) {
      const p = this.#openInScratch(nonce, data, tag, aad);
      view(d).set(heap().subarray(p, p + d.len));
      return;
    }
    const t = pin(tag);
    const q = this.#params(nonce, aad);
    heap().set(view(t), q + 16);
    const rc = exports().nm_aead_open(h, q, q + 32, aad.length, d.off, d.len, q + 16);
    if (rc !== 0) throw new AuthenticationError();
  }

  /** Frees the key state inside the core; later calls throw ClosedError. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    registry.unregister(this);
    exports().nm_aead_free(this.#handle);
    this.#handle = 0;
  }

  // Scratch layout for one call: nonce @0, aad @16, data @16+align16(aadLen), tag right after the
  // data (so ciphertext ‖ tag is contiguous and leaves with one copy).

  /** Seals in the scratch region; returns the offset of ciphertext ‖ tag there. */
  #sealInScratch(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): number {
    const h = this.#live();
    checkBytes('nonce', nonce, AEAD_NONCE_SIZE);
    checkBytes('plaintext', plaintext);
    checkBytes('aad', aad);
    const len = plaintext.length, aadLen = aad.length;
    const nOff = nonce.byteOffset, aOff = aad.byteOffset, dOff = plaintext.byteOffset;
    const bufOff = 16 + align16(aadLen);
    const p = scratchBuffer(bufOff + len + AEAD_TAG_SIZE).ptr;
    const mem = heap();
    mem.set(refresh(nonce, nOff, AEAD_NONCE_SIZE), p);
    if (aadLen) mem.set(refresh(aad, aOff, aadLen), p + 16);
    mem.set(refresh(plaintext, dOff, len), p + bufOff);
    exports().nm_aead_seal(h, p, p + 16, aadLen, p + bufOff, len, p + bufOff + len);
    return p + bufOff;
  }

  /**
   * Opens in the scratch region; returns the offset of the plaintext there or throws. `tag`
   * undefined: `ct` is ciphertext ‖ tag.
   */
  #openInScratch(nonce: Uint8Array, ct: Uint8Array, tag: Uint8Array | undefined, aad: Uint8Array): number {
    const h = this.#live();
    checkBytes('nonce', nonce, AEAD_NONCE_SIZE);
    checkBytes(tag ? 'data' : 'sealed', ct);
    checkBytes('aad', aad);
    if (!tag && ct.length < AEAD_TAG_SIZE) {
      throw new AuthenticationError(`authentication failed: sealed input is ${ct.length} bytes, shorter than the ${AEAD_TAG_SIZE}-byte tag`);
    }
    const ctLen = ct.length, aadLen = aad.length;
    const len = tag ? ctLen : ctLen - AEAD_TAG_SIZE;
    const nOff = nonce.byteOffset, aOff = aad.byteOffset, cOff = ct.byteOffset, tOff = tag ? tag.byteOffset : 0;
    const bufOff = 16 + align16(aadLen);
    const p = scratchBuffer(bufOff + len + AEAD_TAG_SIZE).ptr;
    const mem = heap();
    mem.set(refresh(nonce, nOff, AEAD_NONCE_SIZE), p);
    if (aadLen) mem.set(refresh(aad, aOff, aadLen), p + 16);
    mem.set(refresh(ct, cOff, ctLen), p + bufOff);
    if (tag) mem.set(refresh(tag, tOff, AEAD_TAG_SIZE), p + bufOff + len);
    const rc = exports().nm_aead_open(h, p, p + 16, aadLen, p + bufOff, len, p + bufOff + len);
    if (rc !== 0) throw new AuthenticationError();
    return p + bufOff;
  }

  /** Copies nonce (@0) and aad (@32) into the params region; the tag slot is @16. */
  #params(nonce: Uint8Array, aad: Uint8Array): number {
    const n = pin(nonce), a = pin(aad);
    const q = paramsBuffer(32 + a.len).ptr;
    const mem = heap();
    mem.set(view(n), q);
    if (a.len) mem.set(view(a), q + 32);
    return q;
  }
}
