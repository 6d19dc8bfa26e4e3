// The in-memory chunk store: chunks copied in, keyed by hex hash, re-verified on get.
import { NotFoundError } from '../errors.js';
import { checkHash32, verifyChunkAsync, type ChunkStore } from './chunk-store.js';
import { toHex } from './hex.js';

/** A chunk store in memory (the default without `dataDir`). */
export class MemoryChunkStore implements ChunkStore {
  private readonly chunks = new Map<string, Uint8Array>();

  /** Number of chunks held. */
  get size(): number {
    return this.chunks.size;
  }

  async has(hash: Uint8Array): Promise<boolean> {
    checkHash32(hash);
    return this.chunks.has(toHex(hash));
  }

  async get(hash: Uint8Array): Promise<Uint8Array> {
    const bytes = await this.read(hash);
    if (!bytes) throw new NotFoundError(`chunk ${toHex(hash)} is not in the store`);
    return verifyChunkAsync(hash, bytes.slice(), true); // the copy handed out is the one verified
  }

  async read(hash: Uint8Array): Promise<Uint8Array | undefined> {
    checkHash32(hash);
    return this.chunks.get(toHex(hash));
  }

  async put(hash: Uint8Array, bytes: Uint8Array): Promise<void> {
    checkHash32(hash);
    const copy = await verifyChunkAsync(hash, bytes.slice(), true); // the copy kept is the one verified
    const key = toHex(hash);
    const existing = this.chunks.get(key);
    // Synchronous from the check to the insert, so concurrent puts of one hash cannot interleave.
    if (existing) await verifyChunkAsync(hash, existing);
    else this.chunks.set(key, copy);
  }

  async delete(hash: Uint8Array): Promise<boolean> {
    checkHash32(hash);
    return this.chunks.delete(toHex(hash));
  }
}
