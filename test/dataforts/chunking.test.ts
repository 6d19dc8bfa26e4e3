// Chunking (dataforts.md §3): the Small/Manifest boundary, fixed 4 MiB chunks, and the streaming
// chunker producing exactly the buffered ref whatever the piece sizes.
import { describe, expect, it } from 'vitest';
import { chunkPayload, storeBlobReader } from '../../ts/dataforts/chunking.js';
import { MemoryChunkStore } from '../../ts/dataforts/memory-store.js';
import { blake3 } from '../../ts/core/blake3.js';
import { toHex } from '../../ts/dataforts/hex.js';

const MiB4 = 4 * 1024 * 1024;

/** Deterministic bytes (xorshift), different per seed. */
function bytes(len: number, seed = 1): Uint8Array {
  const out = new Uint8Array(len);
  const w = new Uint32Array(out.buffer, 0, len >>> 2);
  let x = seed * 0x9e3779b1 || 1;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x >>> 0;
  }
  for (let i = w.length * 4; i < len; i++) out[i] = i & 0xff;
  return out;
}

/** `data` as pieces of the given sizes (cycled), as a stream would deliver it. */
async function* piecesOf(data: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < data.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield data.subarray(at, at + n);
    at += n;
  }
}

const BOUNDARIES: [string, number, 'small' | 'manifest', number][] = [
  ['0 B', 0, 'small', 1],
  ['1 B', 1, 'small', 1],
  ['4 MiB − 1', MiB4 - 1, 'small', 1],
  ['4 MiB', MiB4, 'small', 1],
  ['4 MiB + 1', MiB4 + 1, 'manifest', 2],
  ['8 MiB (exact multiple)', 2 * MiB4, 'manifest', 2],
  ['12 MiB (exact multiple)', 3 * MiB4, 'manifest', 3],
];

describe('chunkPayload boundaries', () => {
  it.each(BOUNDARIES)('%s', (_name, len, kind, count) => {
    const data = bytes(len, len + 3);
    const { ref, chunks } = chunkPayload(data);
    expect(ref.kind).toBe(kind);
    expect(ref.size()).toBe(BigInt(len));
    expect(chunks.length).toBe(count);
    expect(ref.uri).toBe('mesh://transfer');
    const hashes = ref.chunkHashes();
    expect(hashes.length).toBe(count);
    let at = 0;
    chunks.forEach((c, i) => {
      expect(c.length).toBe(i < count - 1 ? MiB4 : len - at);
      expect(toHex(hashes[i]!)).toBe(toHex(blake3(data.subarray(at, at + c.length))));
      at += c.length;
    });
    expect(at).toBe(len);
    if (kind === 'manifest') {
      expect(ref.chunks!.map((c) => c.size)).toEqual(chunks.map((c) => c.length));
      expect(ref.chunks![count - 1]!.size).toBeGreaterThan(0); // aligned sources gain no empty chunk
    }
    // Deterministic.
    expect(chunkPayload(bytes(len, len + 3)).ref.equals(ref)).toBe(true);
  });

  it('the empty blob is Small with the hash of empty input', () => {
    const { ref } = chunkPayload(new Uint8Array(0));
    expect(toHex(ref.hash!)).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('contentUri names the whole content', () => {
    const small = bytes(1000);
    expect(chunkPayload(small, { contentUri: true }).ref.uri).toBe(`mesh://${toHex(blake3(small))}`);
    const big = bytes(MiB4 + 10);
    expect(chunkPayload(big, { contentUri: true }).ref.uri).toBe(`mesh://${toHex(blake3(big))}`);
  });
});

describe('storeBlobReader equals chunkPayload', () => {
  it.each(BOUNDARIES.filter(([, len]) => len <= 2 * MiB4))('%s, in several piece patterns', async (_name, len) => {
    const data = bytes(len, len + 11);
    const expected = chunkPayload(data).ref;
    const patterns = len <= 4096 ? [[1], [7, 1000], [len || 1]] : [[len], [65_536, 3, MiB4 + 5], [MiB4]];
    for (const sizes of patterns) {
      const store = new MemoryChunkStore();
      const ref = await storeBlobReader(piecesOf(data, sizes), { store });
      expect(ref.equals(expected)).toBe(true);
      expect(store.size).toBe(new Set(expected.chunkHashes().map(toHex)).size);
      for (const h of expected.chunkHashes()) expect(await store.has(h)).toBe(true);
    }
    // A web ReadableStream and a plain iterable give the same ref.
    const rs = new ReadableStream<Uint8Array>({
      start(c) {
        if (len) c.enqueue(data);
        c.close();
      },
    });
    expect((await storeBlobReader(rs)).equals(expected)).toBe(true);
    expect((await storeBlobReader([data])).equals(expected)).toBe(true);
    expect((await storeBlobReader(piecesOf(data, [len || 1]), { contentUri: true })).equals(chunkPayload(data, { contentUri: true }).ref)).toBe(true);
  });

  it('an empty source is one empty chunk (Small, size 0)', async () => {
    const ref = await storeBlobReader((async function* () {})());
    expect(ref.kind).toBe('small');
    expect(ref.size()).toBe(0n);
    expect(ref.equals(chunkPayload(new Uint8Array(0)).ref)).toBe(true);
  });

  it('hands each chunk on before reading the next window (about one chunk in memory)', async () => {
    const data = bytes(3 * MiB4 + 7);
    const readWhenHanded: number[] = [];
    let read = 0;
    async function* src(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < data.length; at += 1 << 20) {
        const piece = data.subarray(at, Math.min(at + (1 << 20), data.length));
        read += piece.length;
        yield piece;
      }
    }
    await storeBlobReader(src(), { onChunk: () => void readWhenHanded.push(read) });
    expect(readWhenHanded).toEqual([MiB4, 2 * MiB4, 3 * MiB4, 3 * MiB4 + 7]);
  });
});
