// The TS side of the capindex ABI (core-rs/src/abi/capindex.rs): the only file that knows its
// exports and byte encodings. Entries and queries are written into the per-thread scratch region
// in one pass and handed over in one call; results are read in place from handle-owned buffers.
import { ClosedError, CoreError, InvalidArgumentError } from '../errors.js';
import { scratchBuffer } from '../core/memory.js';
import { core } from '../core/wasm.js';
import type { NormalizedQuery } from './query.js';

interface CapIndexExports {
  readonly memory: WebAssembly.Memory;
  nm_capindex_new(seed: bigint): number;
  nm_capindex_free(h: number): void;
  nm_capindex_apply(h: number, ptr: number, len: number): number;
  nm_capindex_remove(h: number, nodeId: bigint): number;
  nm_capindex_sweep(h: number, now: bigint, max: number): number;
  nm_capindex_next_expiry(h: number): bigint;
  nm_capindex_query(h: number, ptr: number, len: number, mode: number): number;
  nm_capindex_compaction_advised(h: number): number;
  nm_capindex_compact(h: number): number;
  nm_capindex_result_u32(h: number): number;
  nm_capindex_result_slots(h: number): number;
  nm_capindex_result_ids(h: number): number;
  nm_capindex_result_bytes(h: number): number;
  nm_capindex_result_contiguous(h: number): number;
  nm_capindex_len(h: number): number;
  nm_capindex_generation(h: number, nodeId: bigint): bigint;
  nm_capindex_slot_of(h: number, nodeId: bigint): number;
  nm_capindex_expires_at(h: number, nodeId: bigint): bigint;
  nm_capindex_tags_of(h: number, nodeId: bigint): number;
}

/** Query output modes of `nm_capindex_query`. */
export const QueryMode = { Slots: 0, NodeIds: 1, CountOnly: 2 } as const;
export type QueryMode = (typeof QueryMode)[keyof typeof QueryMode];

/**
 * `nm_capindex_apply`'s result: `slot << 2 | 1` inserted, `slot << 2 | 2` replaced, 0 rejected
 * (equal or older generation), APPLY_INVALID_GENERATION for generation 0.
 */
export const APPLY_INSERTED = 1;
export const APPLY_REPLACED = 2;
export const APPLY_REJECTED = 0;
export const APPLY_INVALID_GENERATION = -2;

export const NEVER_EXPIRES = (1n << 64n) - 1n;
const U64_MASK = (1n << 64n) - 1n;
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

let ex: CapIndexExports | undefined;
function exports(): CapIndexExports {
  ex ??= core() as unknown as CapIndexExports;
  return ex;
}

// Views of linear memory, re-made when it grows (growth detaches the old buffer).
let viewBuffer: ArrayBuffer | undefined;
let u8: Uint8Array = new Uint8Array(0);
let dv: DataView = new DataView(new ArrayBuffer(0));
function views(): void {
  const buf = exports().memory.buffer as ArrayBuffer;
  if (buf !== viewBuffer) {
    viewBuffer = buf;
    u8 = new Uint8Array(buf);
    dv = new DataView(buf);
  }
}

/** Writes `s` as UTF-8 at `pos` (ASCII fast path); returns the byte count. Room: 3 × length. */
function writeString(pos: number, s: string): number {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    u8[pos + i] = c;
  }
  if (i === n) return n;
  return i + utf8.encodeInto(s.slice(i), u8.subarray(pos + i)).written;
}

function stringsBound(list: readonly string[]): number {
  let n = 0;
  for (const s of list) n += 4 + 3 * s.length;
  return n;
}

function queryBound(q: NormalizedQuery): number {
  let n = 64 + stringsBound(q.tagsAll) + q.tagsAll.length + stringsBound(q.tagsAny);
  for (const g of q.groups) n += 5 + stringsBound(g);
  if (q.tagPrefix !== undefined) n += 5 + 3 * q.tagPrefix.length;
  if (q.region !== undefined) n += 5 + 3 * q.region.length;
  if (q.nodes) n += 5 + 8 * q.nodes.length;
  return n;
}

function u64(v: number): bigint {
  if (v >= 2 ** 64) return U64_MASK;
  return BigInt(v);
}

/** Encodes a normalized query at `ptr`; returns its length. */
function encodeQuery(ptr: number, q: NormalizedQuery): number {
  let p = ptr;
  const str = (s: string): void => {
    const n = writeString(p + 4, s);
    dv.setUint32(p, n, true);
    p += 4 + n;
  };
  const group = (op: number, list: readonly string[]): void => {
    u8[p++] = op;
    dv.setUint32(p, list.length, true);
    p += 4;
    for (const s of list) str(s);
  };
  for (const t of q.tagsAll) {
    u8[p++] = 1;
    str(t);
  }
  for (const g of q.groups) group(2, g);
  if (q.tagsAny.length > 0) group(3, q.tagsAny);
  if (q.region !== undefined) {
    u8[p++] = 4;
    str(q.region);
  }
  if (q.minMemoryGb !== undefined) {
    u8[p++] = 6;
    dv.setBigUint64(p, u64(q.minMemoryGb), true);
    p += 8;
  }
  if (q.minVramGb !== undefined) {
    u8[p++] = 7;
    dv.setBigUint64(p, u64(q.minVramGb), true);
    p += 8;
  }
  if (q.tagPrefix !== undefined) {
    u8[p++] = 8;
    str(q.tagPrefix);
  }
  if (q.nodes !== undefined) {
    u8[p++] = 9;
    dv.setUint32(p, q.nodes.length, true);
    p += 4;
    for (const id of q.nodes) {
      dv.setBigUint64(p, id, true);
      p += 8;
    }
  }
  if (q.limit > 0) {
    u8[p++] = 10;
    dv.setUint32(p, q.limit, true);
    p += 4;
  }
  return p - ptr;
}

const registry = new FinalizationRegistry<number>((h) => {
  try {
    exports().nm_capindex_free(h);
  } catch {
    // the core is gone (thread ending)
  }
});

/** A capindex handle. Not part of the public API: `CapabilityFold` wraps it. */
export class CoreIndex {
  #h: number;

  constructor(seed: bigint) {
    this.#h = exports().nm_capindex_new(BigInt.asUintN(64, seed));
    if (this.#h === 0) throw new CoreError('CORE_OUT_OF_MEMORY', 'net-mesh core: cannot allocate a capability index');
    registry.register(this, this.#h, this);
  }

  #handle(): number {
    if (this.#h === 0) throw new ClosedError('CapabilityFold');
    return this.#h;
  }

  /** Applies one entry; `generation` undefined means "current + 1". Returns the APPLY_* code. */
  apply(nodeId: bigint, generation: bigint | undefined, expiresAt: bigint, state: number, tags: readonly string[]): number {
    const h = this.#handle();
    const count = tags.length;
    // All tags back to back in one string: one encodeInto. When every character is ASCII the
    // byte count equals the UTF-16 length, so each tag's byte length is its string length.
    const joined = tags.join('');
    const ptr = scratchBuffer(32 + 4 * count + 3 * joined.length).ptr;
    views();
    dv.setBigUint64(ptr, nodeId, true);
    dv.setBigUint64(ptr + 8, generation ?? 0n, true);
    dv.setBigUint64(ptr + 16, expiresAt, true);
    u8[ptr + 24] = state;
    u8[ptr + 25] = generation === undefined ? 1 : 0;
    u8[ptr + 26] = 0;
    u8[ptr + 27] = 0;
    dv.setUint32(ptr + 28, count, true);
    const body = ptr + 32 + 4 * count;
    let end = body + utf8.encodeInto(joined, u8.subarray(body, body + 3 * joined.length)).written;
    if (end - body === joined.length) {
      for (let i = 0, lens = ptr + 32; i < count; i++, lens += 4) dv.setUint32(lens, tags[i]!.length, true);
    } else {
      end = body;
      for (let i = 0, lens = ptr + 32; i < count; i++, lens += 4) {
        const n = writeString(end, tags[i]!);
        dv.setUint32(lens, n, true);
        end += n;
      }
    }
    const r = exports().nm_capindex_apply(h, ptr, end - ptr);
    if (r >= 0 || r === APPLY_INVALID_GENERATION) return r;
    throw new InvalidArgumentError(`capability index refused the entry (status ${r})`);
  }

  /** Removes a node; returns its former slot or -1. */
  remove(nodeId: bigint): number {
    return exports().nm_capindex_remove(this.#handle(), nodeId);
  }

  /** Removes up to `max` expired entries; returns their slots. */
  sweep(nowMs: bigint, max: number): Uint32Array {
    const e = exports();
    const h = this.#handle();
    const n = e.nm_capindex_sweep(h, nowMs, max);
    if (n <= 0) return new Uint32Array(0);
    views();
    const p = e.nm_capindex_result_u32(h);
    return new Uint32Array(u8.buffer, p, n).slice();
  }

  nextExpiry(): bigint {
    return BigInt.asUintN(64, exports().nm_capindex_next_expiry(this.#handle()));
  }

  /** Runs a query; read the results with `slots` / `ids` before the next call. */
  query(q: NormalizedQuery, mode: QueryMode): number {
    const h = this.#handle();
    const ptr = scratchBuffer(queryBound(q)).ptr;
    views();
    const len = encodeQuery(ptr, q);
    const n = exports().nm_capindex_query(h, ptr, len, mode);
    if (n < 0) throw new InvalidArgumentError(`capability index refused the query (status ${n})`);
    return n;
  }

  /** A view of the last query's slots (valid until the next call into the core). */
  slots(n: number): Uint32Array {
    const p = exports().nm_capindex_result_slots(this.#handle());
    views();
    return new Uint32Array(u8.buffer, p, n);
  }

  /** The first slot when the last query's slots are consecutive and ascending, else -1. */
  contiguousFrom(n: number): number {
    const e = exports();
    const h = this.#handle();
    if (n === 0 || e.nm_capindex_result_contiguous(h) === 0) return -1;
    views();
    return new Uint32Array(u8.buffer, e.nm_capindex_result_slots(h), 1)[0]!;
  }

  /** A copy of the last query's node ids (mode NodeIds). */
  ids(n: number): BigUint64Array {
    const p = exports().nm_capindex_result_ids(this.#handle());
    views();
    return new BigUint64Array(u8.buffer, p, n).slice();
  }

  compactionAdvised(): boolean {
    return exports().nm_capindex_compaction_advised(this.#handle()) !== 0;
  }

  /** Renumbers slots; returns old slot → new slot (0xffffffff = none). */
  compact(): Uint32Array {
    const e = exports();
    const h = this.#handle();
    const n = e.nm_capindex_compact(h);
    views();
    return new Uint32Array(u8.buffer, e.nm_capindex_result_u32(h), n).slice();
  }

  get size(): number {
    return this.#h === 0 ? 0 : exports().nm_capindex_len(this.#h);
  }

  generation(nodeId: bigint): bigint | undefined {
    const g = exports().nm_capindex_generation(this.#handle(), nodeId);
    return g === 0n ? undefined : BigInt.asUintN(64, g);
  }

  slotOf(nodeId: bigint): number {
    return exports().nm_capindex_slot_of(this.#handle(), nodeId);
  }

  /** Expiry in ms (NEVER_EXPIRES for ∞), or undefined when absent. */
  expiresAt(nodeId: bigint): bigint | undefined {
    if (this.slotOf(nodeId) < 0) return undefined;
    return BigInt.asUintN(64, exports().nm_capindex_expires_at(this.#handle(), nodeId));
  }

  tagsOf(nodeId: bigint): string[] | undefined {
    const e = exports();
    const h = this.#handle();
    const n = e.nm_capindex_tags_of(h, nodeId);
    if (n < 0) return undefined;
    views();
    const lens = new Uint32Array(u8.buffer, e.nm_capindex_result_u32(h), n);
    let p = e.nm_capindex_result_bytes(h);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      out.push(utf8d.decode(u8.subarray(p, p + lens[i]!)));
      p += lens[i]!;
    }
    return out;
  }

  dispose(): void {
    if (this.#h === 0) return;
    registry.unregister(this);
    exports().nm_capindex_free(this.#h);
    this.#h = 0;
  }

  get disposed(): boolean {
    return this.#h === 0;
  }
}
