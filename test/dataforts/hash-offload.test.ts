// Dataforts hashing off the app thread (core/hash-worker.ts): chunkPayloadAsync and the streaming
// chunker produce exactly chunkPayload's refs (plain and content-addressed URIs) on both sides of
// the offload threshold; store reads and writes stay verified; and the app thread keeps running
// timers while a 64 MiB blob is stored (no timing bound asserted: only that timers ran at all).
import { afterAll, describe, expect, it } from 'vitest';
import { blake3 } from '../../ts/core/blake3.js';
import { HASH_OFFLOAD_THRESHOLD, terminateHashWorkers } from '../../ts/core/hash-worker.js';
import { BlobRef } from '../../ts/dataforts/blob-ref.js';
import { putChunks } from '../../ts/dataforts/chunk-store.js';
import { chunkPayload, chunkPayloadAsync, storeBlobReader } from '../../ts/dataforts/chunking.js';
import { MemoryChunkStore } from '../../ts/dataforts/memory-store.js';
import { HashMismatchError } from '../../ts/errors.js';
import { patternBytes as bytes, sameBytes as same } from './helpers.js';

const MiB = 1024 * 1024;
const T = HASH_OFFLOAD_THRESHOLD;


async function* windowsOf(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}


afterAll(() => terminateHashWorkers());

const SIZES = [0, 1, T - 1, T, T + 1, 4 * MiB, 4 * MiB + 1, 9 * MiB + 7];

describe('hashing off the app thread', () => {
  it.each(SIZES)('chunkPayloadAsync and storeBlobReader equal chunkPayload for %i bytes (plain and contentUri)', async (n) => {
    const data = bytes(n, n + 11);
    for (const opts of [{}, { contentUri: true }]) {
      const want = chunkPayload(data, opts).ref.encode();
      const got = await chunkPayloadAsync(data, opts);
      expect(Buffer.from(got.ref.encode()).toString('hex')).toBe(Buffer.from(want).toString('hex'));
      expect(got.chunks.reduce((s, c) => s + c.length, 0)).toBe(n);
      const streamed = await storeBlobReader(windowsOf(data, 3 * MiB + 5), opts);
      expect(Buffer.from(streamed.encode()).toString('hex')).toBe(Buffer.from(want).toString('hex'));
    }
    expect(data).toHaveLength(n); // the caller's buffer was copied, never moved
  });

  it('the streaming chunker hands the store the exact bytes of each moved window', async () => {
    const data = bytes(9 * MiB + 3, 2);
    const store = new MemoryChunkStore();
    const ref = await storeBlobReader(windowsOf(data, MiB), { store });
    let at = 0;
    for (const h of ref.chunkHashes()) {
      const c = await store.get(h);
      expect(same(c, data.subarray(at, at + c.length))).toBe(true);
      at += c.length;
    }
    expect(at).toBe(data.length);
  });

  it('memory store reads hand out intact copies and still catch corruption', async () => {
    const store = new MemoryChunkStore();
    const chunk = bytes(3 * MiB, 6);
    const hash = blake3(chunk);
    await store.put(hash, chunk);
    const a = await store.get(hash);
    const b = await store.get(hash);
    expect(same(a, chunk) && same(b, chunk)).toBe(true);
    a[0]! ^= 1; // a copy: the store is unaffected
    expect(same(await store.get(hash), chunk)).toBe(true);
    (await store.read(hash))![5]! ^= 0xff; // corrupt the stored bytes themselves
    await expect(store.get(hash)).rejects.toBeInstanceOf(HashMismatchError);
    await expect(store.put(hash, chunk)).rejects.toBeInstanceOf(HashMismatchError);
    await expect(store.put(hash, bytes(3 * MiB, 7))).rejects.toBeInstanceOf(HashMismatchError);
  });

  it('BlobRef.verifyAsync agrees with verify', async () => {
    const data = bytes(2 * T + 1, 8);
    const ref = BlobRef.small({ hash: blake3(data), size: BigInt(data.length), uri: 'u' });
    expect(await ref.verifyAsync(data)).toBe(true);
    expect(ref.verify(data)).toBe(true);
    const other = data.slice();
    other[T] ^= 1;
    expect(await ref.verifyAsync(other)).toBe(false);
  });

  it('timers keep running on the app thread while a 64 MiB blob is stored', async () => {
    const data = bytes(64 * MiB, 9);
    const store = new MemoryChunkStore();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const { ref, chunks } = await chunkPayloadAsync(data);
      await putChunks(store, ref, chunks);
      expect(ref.kind).toBe('manifest');
      expect(store.size).toBe(16);
    } finally {
      clearInterval(timer);
    }
    // Hashing inline would run the store to completion without yielding to timers once.
    expect(ticks).toBeGreaterThan(0);
  });
});
