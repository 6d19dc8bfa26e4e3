// Chunk stores (dataforts.md §4): content-addressed, verified on put and on get, idempotent,
// concurrent puts of one hash serialised; the disk store writes atomically and reads on demand.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryChunkStore } from '../../ts/dataforts/memory-store.js';
import { DiskChunkStore } from '../../ts/dataforts/disk-store.js';
import { storeBlob, type ChunkStore } from '../../ts/dataforts/chunk-store.js';
import { chunkPayload } from '../../ts/dataforts/chunking.js';
import { toHex } from '../../ts/dataforts/hex.js';
import { blake3 } from '../../ts/core/blake3.js';
import { HashMismatchError, NotFoundError, SubstrateError } from '../../ts/errors.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'nm-store-'));
  dirs.push(d);
  return d;
}

const stores: [string, () => Promise<ChunkStore>][] = [
  ['memory', async () => new MemoryChunkStore()],
  ['disk', async () => new DiskChunkStore(join(await tempDir(), 'blobs'))],
];

describe.each(stores)('%s chunk store', (_name, make) => {
  it('stores by hash, verifies on put and get, deletes', async () => {
    const s = await make();
    const bytes = new TextEncoder().encode('hello chunk');
    const hash = blake3(bytes);
    expect(await s.has(hash)).toBe(false);
    expect(await s.read(hash)).toBeUndefined();
    await expect(s.get(hash)).rejects.toBeInstanceOf(NotFoundError);
    await expect(s.put(blake3(new Uint8Array([1])), bytes)).rejects.toBeInstanceOf(HashMismatchError);
    await s.put(hash, bytes);
    await s.put(hash, bytes); // a no-op the second time
    expect(await s.has(hash)).toBe(true);
    expect(await s.get(hash)).toEqual(bytes);
    expect(await s.delete(hash)).toBe(true);
    expect(await s.delete(hash)).toBe(false);
    expect(await s.has(hash)).toBe(false);
  });

  it('the empty chunk is a chunk like any other', async () => {
    const s = await make();
    const empty = new Uint8Array(0);
    await s.put(blake3(empty), empty);
    expect((await s.get(blake3(empty))).length).toBe(0);
  });

  it('storeBlob checks a ref against its bytes', async () => {
    const s = await make();
    const data = new Uint8Array(4 * 1024 * 1024 + 100).map((_, i) => i * 7);
    const { ref } = chunkPayload(data);
    await storeBlob(s, ref, data);
    for (const h of ref.chunkHashes()) expect(await s.has(h)).toBe(true);
    await expect(storeBlob(s, ref, data.subarray(1))).rejects.toBeInstanceOf(SubstrateError);
    const other = data.slice();
    other[10] ^= 1;
    await expect(storeBlob(s, ref, other)).rejects.toBeInstanceOf(HashMismatchError);
    const small = chunkPayload(new Uint8Array([1, 2, 3])).ref;
    await expect(storeBlob(s, small, new Uint8Array([1, 2]))).rejects.toBeInstanceOf(SubstrateError);
  });
});

describe('disk chunk store', () => {
  it('keeps one file per chunk, re-verifies on read, refuses to re-store over corruption', async () => {
    const dir = join(await tempDir(), 'blobs');
    const s = new DiskChunkStore(dir);
    const bytes = new Uint8Array(5000).fill(3);
    const hash = blake3(bytes);
    await s.put(hash, bytes);
    const hex = toHex(hash);
    const file = join(dir, hex.slice(0, 2), hex);
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    const corrupt = bytes.slice();
    corrupt[100] ^= 0xff;
    await writeFile(file, corrupt);
    await expect(s.get(hash)).rejects.toBeInstanceOf(HashMismatchError);
    expect(await s.read(hash)).toEqual(corrupt); // the serving path hands out what is stored
    await expect(s.put(hash, bytes)).rejects.toBeInstanceOf(HashMismatchError);
  });

  it('serialises concurrent puts of one hash and leaves no temp files', async () => {
    const dir = join(await tempDir(), 'blobs');
    const s = new DiskChunkStore(dir);
    const bytes = new Uint8Array(100_000).map((_, i) => i);
    const hash = blake3(bytes);
    await Promise.all(Array.from({ length: 20 }, () => s.put(hash, bytes)));
    const hex = toHex(hash);
    expect(await readdir(join(dir, hex.slice(0, 2)))).toEqual([hex]);
    expect(await s.get(hash)).toEqual(bytes);
  });

  it('reads on demand: a chunk another writer adds to the directory is found', async () => {
    const dir = join(await tempDir(), 'blobs');
    const reader = new DiskChunkStore(dir);
    const writer = new DiskChunkStore(dir);
    const bytes = new TextEncoder().encode('added elsewhere');
    expect(await reader.has(blake3(bytes))).toBe(false);
    await writer.put(blake3(bytes), bytes);
    expect(await reader.get(blake3(bytes))).toEqual(bytes);
  });
});
