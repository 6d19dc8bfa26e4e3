// BLAKE3 backed by the WASM core (SIMD128 kernels; abi/blake3.rs).
//
// Inputs are copied into the per-thread scratch region IN_SLICE bytes at a time, so a 64 MiB input
// never grows core memory by 64 MiB (64 KiB pieces also measured faster than 1 MiB ones: the
// copy stays in L2 for the kernel to read). Inputs that already live in core memory are hashed
// where they are. Outputs go through a small dedicated buffer, OUT_SLICE bytes at a time; the
// output is extendable, so any length is allowed.
import { ClosedError, CoreError, InvalidArgumentError } from '../errors.js';
import { CoreBuffer, heap, scratchBuffer } from './memory.js';
import { core } from './wasm.js';

export const BLAKE3_OUT_LEN = 32;
export const BLAKE3_KEY_LEN = 32;

interface Blake3Exports {
  readonly memory: WebAssembly.Memory;
  nm_blake3_hash(inPtr: number, inLen: number, outPtr: number, outLen: number): void;
  nm_blake3_hash_portable(inPtr: number, inLen: number, outPtr: number, outLen: number): void;
  nm_blake3_keyed_hash(keyPtr: number, inPtr: number, inLen: number, outPtr: number, outLen: number): number;
  nm_blake3_derive_key(ctxPtr: number, ctxLen: number, inPtr: number, inLen: number, outPtr: number, outLen: number): void;
  nm_blake3_new(mode: number, ptr: number, len: number): number;
  nm_blake3_update(h: number, ptr: number, len: number): number;
  nm_blake3_finalize(h: number, offsetLo: number, offsetHi: number, outPtr: number, outLen: number): number;
  nm_blake3_reset(h: number): number;
  nm_blake3_free(h: number): void;
}

// nm_blake3_new modes (abi/blake3.rs).
const MODE_PLAIN = 0;
const MODE_KEYED = 1;
const MODE_DERIVE_KEY = 2;
const MODE_PORTABLE = 0x100;

/** Largest input piece copied into core memory per kernel call. */
const IN_SLICE = 1 << 16;
/** Largest output piece produced per kernel call. */
const OUT_SLICE = 1 << 14;
/** Largest output one call returns. */
const MAX_OUT_LEN = 2 ** 31 - 1;
const TWO_32 = 2 ** 32;
const EMPTY = new Uint8Array(0);

let ex: Blake3Exports | undefined;
function exports(): Blake3Exports {
  return (ex ??= core() as unknown as Blake3Exports);
}

let outBuffer: CoreBuffer | undefined;
/** The output buffer's pointer (allocated once; call it before taking a heap view). */
function outPtr(): number {
  return (outBuffer ??= new CoreBuffer(OUT_SLICE)).ptr;
}

const encoder = new TextEncoder();
const align16 = (n: number): number => (n + 15) & ~15;

function checkBytes(name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidArgumentError(`${name} must be a Uint8Array`);
}

function checkOutLen(outLen: unknown): asserts outLen is number {
  if (typeof outLen !== 'number' || !Number.isInteger(outLen) || outLen < 0 || outLen > MAX_OUT_LEN) {
    throw new InvalidArgumentError(`outLen must be an integer in 0..${MAX_OUT_LEN}, got ${String(outLen)}`);
  }
}

function checkKey(key: unknown): asserts key is Uint8Array {
  checkBytes('key', key);
  if (key.length !== BLAKE3_KEY_LEN) throw new InvalidArgumentError(`key must be ${BLAKE3_KEY_LEN} bytes, got ${key.length}`);
}

function checkContext(context: unknown): asserts context is string {
  if (typeof context !== 'string') throw new InvalidArgumentError('context must be a string');
}

/** True when `v` is a view of the core's linear memory, so the kernel can read it in place. */
function inCore(v: Uint8Array): boolean {
  return v.buffer === exports().memory.buffer;
}

/** A new core hasher; `param` is the key or the UTF-8 context, passed through the scratch. */
function newHandle(mode: number, param: Uint8Array = EMPTY): number {
  const len = param.length;
  const ptr = len > 0 ? scratchBuffer(len).ptr : 0;
  if (len > 0) heap().set(param, ptr);
  const h = exports().nm_blake3_new(mode, ptr, len);
  if (len > 0) heap().fill(0, ptr, ptr + len); // leave no key material in the scratch
  if (h === 0) throw new CoreError('CORE_OUT_OF_MEMORY', 'net-mesh core: cannot allocate BLAKE3 state');
  return h;
}

/** Absorbs `data` into hasher `h`: in place when it is core memory, else IN_SLICE at a time. */
function feed(h: number, data: Uint8Array): void {
  const e = exports();
  const len = data.length;
  if (len === 0) return;
  if (inCore(data)) {
    e.nm_blake3_update(h, data.byteOffset, len);
    return;
  }
  const s = scratchBuffer(Math.min(len, IN_SLICE)).ptr;
  const mem = heap(); // updates never allocate, so this view stays valid
  for (let off = 0; off < len; off += IN_SLICE) {
    const n = Math.min(IN_SLICE, len - off);
    mem.set(n === len ? data : data.subarray(off, off + n), s);
    e.nm_blake3_update(h, s, n);
  }
}

/** `outLen` bytes of hasher `h`'s extendable output from byte `offset`. */
function squeeze(h: number, offset: number | bigint, outLen: number): Uint8Array {
  const e = exports();
  const o = outPtr();
  if (outLen <= OUT_SLICE && typeof offset === 'number' && offset < TWO_32) {
    e.nm_blake3_finalize(h, offset, 0, o, outLen);
    return heap().slice(o, o + outLen);
  }
  const out = new Uint8Array(outLen);
  let pos = BigInt(offset);
  for (let done = 0; done < outLen; done += OUT_SLICE) {
    const n = Math.min(OUT_SLICE, outLen - done);
    e.nm_blake3_finalize(h, Number(pos & 0xffffffffn), Number(pos >> 32n), o, n);
    out.set(heap().subarray(o, o + n), done);
    pos += BigInt(n);
  }
  return out;
}

/** Hashes `data` with a temporary hasher (inputs over IN_SLICE, outputs over OUT_SLICE). */
function viaHandle(mode: number, param: Uint8Array | undefined, data: Uint8Array, outLen: number): Uint8Array {
  const h = newHandle(mode, param);
  try {
    feed(h, data);
    return squeeze(h, 0, outLen);
  } finally {
    exports().nm_blake3_free(h);
  }
}

const enum Kind {
  Plain,
  Portable,
  Keyed,
  DeriveKey,
}

/**
 * One-shot hash of `data` in one kernel call when it fits the slices, else through a temporary
 * hasher. `param` (key or context bytes) is laid out at the start of the scratch, the input after it.
 */
function oneShot(kind: Kind, param: Uint8Array | undefined, data: Uint8Array, outLen: number): Uint8Array {
  const len = data.length;
  if (len > IN_SLICE || outLen > OUT_SLICE) {
    const mode = kind === Kind.Keyed ? MODE_KEYED : kind === Kind.DeriveKey ? MODE_DERIVE_KEY : MODE_PLAIN;
    return viaHandle(kind === Kind.Portable ? mode | MODE_PORTABLE : mode, param, data, outLen);
  }
  const e = exports();
  const o = outPtr();
  const pLen = param ? param.length : 0;
  const direct = len > 0 && inCore(data);
  const dOff = data.byteOffset; // still valid if the scratch grows memory (the view would not be)
  const s = scratchBuffer(align16(pLen) + (direct ? 0 : len)).ptr;
  const mem = heap();
  if (param) mem.set(param, s);
  const inPtr = direct ? dOff : s + align16(pLen);
  if (!direct && len > 0) mem.set(data, inPtr);
  switch (kind) {
    case Kind.Plain:
      e.nm_blake3_hash(inPtr, len, o, outLen);
      break;
    case Kind.Portable:
      e.nm_blake3_hash_portable(inPtr, len, o, outLen);
      break;
    case Kind.Keyed:
      e.nm_blake3_keyed_hash(s, inPtr, len, o, outLen);
      mem.fill(0, s, s + pLen); // leave no key in the scratch
      break;
    case Kind.DeriveKey:
      e.nm_blake3_derive_key(s, pLen, inPtr, len, o, outLen);
      break;
  }
  return mem.slice(o, o + outLen); // the kernels never allocate, so `mem` is still current
}

/** BLAKE3 of `data`: `outLen` bytes (32 by default) of its extendable output. */
export function blake3(data: Uint8Array, outLen = BLAKE3_OUT_LEN): Uint8Array {
  checkBytes('data', data);
  if (outLen !== BLAKE3_OUT_LEN) checkOutLen(outLen);
  const len = data.length;
  if (len <= IN_SLICE && outLen <= OUT_SLICE) {
    // The common case inline: one copy in, one call, one copy out.
    const o = outPtr();
    let mem = heap();
    if (data.buffer !== mem.buffer) {
      const s = scratchBuffer(len).ptr;
      if (mem.length === 0) mem = heap(); // the scratch grew memory: the old view is detached
      mem.set(data, s);
      exports().nm_blake3_hash(s, len, o, outLen);
    } else {
      exports().nm_blake3_hash(data.byteOffset, len, o, outLen);
    }
    return mem.slice(o, o + outLen);
  }
  return oneShot(Kind.Plain, undefined, data, outLen);
}

/**
 * `blake3` on the core's portable (non-SIMD) compression path: the same bytes, slower. It exists
 * so tests can check the SIMD kernels against an independent path.
 */
export function blake3Portable(data: Uint8Array, outLen = BLAKE3_OUT_LEN): Uint8Array {
  checkBytes('data', data);
  checkOutLen(outLen);
  return oneShot(Kind.Portable, undefined, data, outLen);
}

/** Keyed BLAKE3 (a MAC / PRF) of `data` under a 32-byte key. */
export function keyedHash(key: Uint8Array, data: Uint8Array, outLen = BLAKE3_OUT_LEN): Uint8Array {
  checkKey(key);
  checkBytes('data', data);
  checkOutLen(outLen);
  return oneShot(Kind.Keyed, key, data, outLen);
}

/**
 * BLAKE3 derive-key: `outLen` bytes (32 by default) of key derived from `keyMaterial` in the
 * domain named by `context` (a hard-coded, globally unique, application-specific string).
 */
export function deriveKey(context: string, keyMaterial: Uint8Array, outLen = BLAKE3_OUT_LEN): Uint8Array {
  checkContext(context);
  checkBytes('keyMaterial', keyMaterial);
  checkOutLen(outLen);
  return oneShot(Kind.DeriveKey, encoder.encode(context), keyMaterial, outLen);
}

// Frees the core-side state of hashers that were never disposed.
const registry = new FinalizationRegistry<number>((handle) => {
  try {
    exports().nm_blake3_free(handle);
  } catch {
    // the core is gone (thread ending): nothing to free
  }
});

/** Set by `Blake3.portable` for the one constructor call it makes. */
let nextPortable = false;

/** How a Blake3 hasher keys itself: plain hashing (no options), keyed hashing or derive-key. */
export interface Blake3Options {
  /** 32-byte key: keyed hashing (MAC / PRF). Exclusive with `context`. */
  key?: Uint8Array;
  /** Derive-key mode: the input is key material, `context` names the domain. Exclusive with `key`. */
  context?: string;
}

/**
 * Incremental BLAKE3 (plain, keyed or derive-key). `digest` does not end the hasher: more input
 * may follow, and a later digest covers everything so far. `dispose` frees the core state.
 */
export class Blake3 {
  #handle: number;

  constructor(opts?: Blake3Options) {
    const flags = nextPortable ? MODE_PORTABLE : 0;
    nextPortable = false;
    this.#handle = Blake3.#create(opts, flags);
    registry.register(this, this.#handle, this);
  }

  /** A hasher on the core's portable (non-SIMD) path, for differential tests. */
  static portable(opts?: Blake3Options): Blake3 {
    nextPortable = true;
    try {
      return new Blake3(opts);
    } finally {
      nextPortable = false;
    }
  }

  static #create(opts: Blake3Options | undefined, flags: number): number {
    if (opts === undefined || opts === null) return newHandle(MODE_PLAIN | flags);
    if (typeof opts !== 'object') throw new InvalidArgumentError('Blake3 options must be an object');
    const { key, context } = opts;
    if (key !== undefined && context !== undefined) {
      throw new InvalidArgumentError('Blake3 options: key and context are exclusive (keyed hashing or derive-key, not both)');
    }
    if (key !== undefined) {
      checkKey(key);
      return newHandle(MODE_KEYED | flags, key);
    }
    if (context !== undefined) {
      checkContext(context);
      return newHandle(MODE_DERIVE_KEY | flags, encoder.encode(context));
    }
    return newHandle(MODE_PLAIN | flags);
  }

  #live(): number {
    if (this.#handle === 0) throw new ClosedError('Blake3 hasher');
    return this.#handle;
  }

  /** Absorbs `data`. */
  update(data: Uint8Array): this {
    const h = this.#live();
    checkBytes('data', data);
    feed(h, data);
    return this;
  }

  /** `outLen` bytes (32 by default) of output over everything absorbed so far. */
  digest(outLen = BLAKE3_OUT_LEN): Uint8Array {
    const h = this.#live();
    checkOutLen(outLen);
    return squeeze(h, 0, outLen);
  }

  /** `outLen` bytes of the extendable output starting at byte `offset` (a seekable XOF). */
  digestAt(offset: number | bigint, outLen: number): Uint8Array {
    const h = this.#live();
    checkOutLen(outLen);
    const ok =
      typeof offset === 'bigint'
        ? offset >= 0n && offset + BigInt(outLen) <= 1n << 64n
        : Number.isSafeInteger(offset) && offset >= 0;
    if (!ok) throw new InvalidArgumentError(`offset must be a non-negative integer with offset + outLen <= 2^64, got ${String(offset)}`);
    return squeeze(h, offset, outLen);
  }

  /** Forgets all input, keeping the mode (key or context). */
  reset(): this {
    exports().nm_blake3_reset(this.#live());
    return this;
  }

  /** Frees the core state; later calls throw ClosedError. Idempotent. */
  dispose(): void {
    if (this.#handle === 0) return;
    registry.unregister(this);
    exports().nm_blake3_free(this.#handle);
    this.#handle = 0;
  }
}
