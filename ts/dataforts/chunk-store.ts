// The chunk store contract (dataforts.md §4): content-addressed by BLAKE3, a Small blob is one
// chunk, storing a hash twice is a no-op after re-verifying what is there, concurrent stores of one
// hash are serialised, reads re-verify. `read` is the holder's serving path: the stored bytes as
// they are, verified by the requester (so a corrupted store yields HashMismatch there).
// Verification of large chunks runs in a hashing worker (core/hash-worker.ts).
import { HashMismatchError, InvalidArgumentError, SubstrateError } from '../errors.js';
import { blake3Async, blake3Moved } from '../core/hash-worker.js';
import { BLOB_CHUNK_SIZE } from './constants.js';
import type { BlobRef } from './blob-ref.js';
import { sameBytes } from './hex.js';

/** Where a node keeps blob chunks, addressed by their BLAKE3 hash; `MemoryChunkStore` and `DiskChunkStore` implement it (dataforts.md §4). */
export interface ChunkStore {
  /** True when a chunk is stored under `hash` (its bytes are not checked). */
  has(hash: Uint8Array): Promise<boolean>;
  /** The chunk, re-verified: NotFoundError when absent, HashMismatchError when the bytes are corrupt. */
  get(hash: Uint8Array): Promise<Uint8Array>;
  /** The stored bytes unverified, or undefined when absent (the serving path). */
  read(hash: Uint8Array): Promise<Uint8Array | undefined>;
  /** Stores `bytes` under `hash` after checking BLAKE3(bytes) == hash; a no-op when present and intact. */
  put(hash: Uint8Array, bytes: Uint8Array): Promise<void>;
  /** Removes a chunk; false when it was absent. */
  delete(hash: Uint8Array): Promise<boolean>;
}

export function checkHash32(hash: unknown, name = 'hash'): asserts hash is Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new InvalidArgumentError(`${name} must be a 32-byte Uint8Array`);
}

/**
 * Throws HashMismatchError unless BLAKE3(bytes) == hash, hashing large chunks off the app thread;
 * resolves to the bytes. With `owned` (the caller's own buffer, used by no one else) the buffer
 * moves to the worker and back: use the returned bytes, `bytes` is detached.
 */
export async function verifyChunkAsync(hash: Uint8Array, bytes: Uint8Array, owned = false): Promise<Uint8Array> {
  const r = owned ? await blake3Moved(bytes) : { hash: await blake3Async(bytes), bytes };
  if (!sameBytes(r.hash, hash)) throw new HashMismatchError(hash.slice(), r.hash);
  return r.bytes;
}

/** Hashes `bytes` and stores them; returns the hash (the reference's store_chunk). */
export async function storeChunk(store: ChunkStore, bytes: Uint8Array): Promise<Uint8Array> {
  const hash = await blake3Async(bytes);
  await store.put(hash, bytes);
  return hash;
}

/** Stores the chunks chunkPayload made for `ref` (already hashed there; put verifies again). */
export async function putChunks(store: ChunkStore, ref: BlobRef, chunks: readonly Uint8Array[]): Promise<void> {
  const hashes = ref.chunkHashes();
  for (let i = 0; i < chunks.length; i++) await store.put(hashes[i]!, chunks[i]!);
}

/**
 * The reference's store(ref, bytes): Small needs size == len; Manifest needs Replicated encoding,
 * total_size == len and exactly its chunk list when re-chunked; Tree refs cannot be stored.
 */
export async function storeBlob(store: ChunkStore, ref: BlobRef, bytes: Uint8Array): Promise<void> {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  if (ref.kind === 'small') {
    if (ref.size() !== BigInt(bytes.length)) throw new SubstrateError('backend', `small ref says ${ref.size()} bytes, got ${bytes.length}`);
    await store.put(ref.hash!, bytes);
    return;
  }
  if (ref.kind === 'tree') throw new SubstrateError('backend', 'tree refs cannot be stored');
  if (ref.encoding.kind !== 'replicated') throw new SubstrateError('backend', 'only Replicated manifests can be stored');
  if (ref.size() !== BigInt(bytes.length)) throw new SubstrateError('backend', `manifest says ${ref.size()} bytes, got ${bytes.length}`);
  const chunks = ref.chunks!;
  const pieces = chunks.map((c, i) => bytes.subarray(i * BLOB_CHUNK_SIZE, i * BLOB_CHUNK_SIZE + c.size));
  for (let i = 0; i < pieces.length; i++) await verifyChunkAsync(chunks[i]!.hash, pieces[i]!);
  for (let i = 0; i < pieces.length; i++) await store.put(chunks[i]!.hash, pieces[i]!);
}

/** Serialises async work per key (concurrent stores of one hash, dataforts.md §4). */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

