// XXH3-64 (seed 0) backed by the WASM core (abi/xxh3.rs): the canonical channel hash
// (channels.md §1) and the reference's `stream_id_from_key` (wire.md §9).
import { InvalidArgumentError } from '../errors.js';
import { heap, scratchBuffer } from './memory.js';
import { core } from './wasm.js';

interface Xxh3Exports {
  readonly memory: WebAssembly.Memory;
  nm_xxh3_64(ptr: number, len: number): bigint;
}

let ex: Xxh3Exports | undefined;
function exports(): Xxh3Exports {
  return (ex ??= core() as unknown as Xxh3Exports);
}

const encoder = new TextEncoder();

/** XXH3-64 with seed 0 of `data` (a string is hashed as its UTF-8 bytes), as an unsigned bigint. */
export function xxh3_64(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('xxh3_64 takes a Uint8Array or a string');
  const x = exports();
  const len = bytes.length;
  if (len === 0) return BigInt.asUintN(64, x.nm_xxh3_64(0, 0));
  if (bytes.buffer === x.memory.buffer) return BigInt.asUintN(64, x.nm_xxh3_64(bytes.byteOffset, len));
  const ptr = scratchBuffer(len).ptr;
  heap().set(bytes, ptr);
  return BigInt.asUintN(64, x.nm_xxh3_64(ptr, len));
}
