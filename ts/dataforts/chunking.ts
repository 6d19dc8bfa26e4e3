// Chunking (dataforts.md §3): ≤ 4 MiB (0 included) → Small; larger → fixed 4 MiB chunks in a
// Manifest. The streaming chunker reads full 4 MiB windows and yields exactly the buffered ref.
// Large inputs hash in a hashing worker (core/hash-worker.ts) so the app thread stays responsive;
// `chunkPayload` is the synchronous form, `chunkPayloadAsync` the one the stores use.
import { InvalidArgumentError } from '../errors.js';
import { blake3 } from '../core/blake3.js';
import { Blake3Async, blake3Async, blake3Moved } from '../core/hash-worker.js';
import { BLOB_CHUNK_SIZE, BLOB_REF_MAX_SIZE } from './constants.js';
import { BlobRef, type BlobEncoding, type ManifestChunk } from './blob-ref.js';
import type { ChunkStore } from './chunk-store.js';
import { toHex } from './hex.js';

/** The URI `node.blobs.store` and the CLI's `send-blob` put in a ref (dataforts.md §3). */
export const TRANSFER_URI = 'mesh://transfer';

/** Options of `chunkPayload` and `storeBlobReader`: the URI recorded in the ref and the chunk store to write into. */
export interface ChunkOptions {
  /** Part of the encoded ref; default `mesh://transfer`. */
  uri?: string;
  encoding?: BlobEncoding;
  /** Use `mesh://<hex BLAKE3(whole content)>` as the URI (directory leaves and roots). */
  contentUri?: boolean;
}

function tooLarge(len: number | bigint): InvalidArgumentError {
  return new InvalidArgumentError(`data of ${len} bytes exceeds the 16 GiB blob limit`);
}

/** `whole` is BLAKE3 of the whole content, needed only with `contentUri` and more than one piece. */
function makeRef(pieces: { hash: Uint8Array; size: number }[], total: number, whole: Uint8Array | undefined, opts: ChunkOptions): BlobRef {
  const uri = opts.contentUri ? `mesh://${toHex(pieces.length === 1 ? pieces[0]!.hash : whole!)}` : (opts.uri ?? TRANSFER_URI);
  if (pieces.length === 1) return BlobRef.small({ hash: pieces[0]!.hash, size: total, uri });
  return BlobRef.manifest({ chunks: pieces as ManifestChunk[], totalSize: total, uri, encoding: opts.encoding });
}

/** `bytes` as its chunks: views of `bytes`, one (empty) chunk for empty input. */
function split(bytes: Uint8Array): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  if (BigInt(bytes.length) > BLOB_REF_MAX_SIZE) throw tooLarge(bytes.length);
  const chunks: Uint8Array[] = [];
  if (bytes.length === 0) chunks.push(bytes);
  for (let at = 0; at < bytes.length; at += BLOB_CHUNK_SIZE) chunks.push(bytes.subarray(at, Math.min(at + BLOB_CHUNK_SIZE, bytes.length)));
  return chunks;
}

/** Splits `bytes` into chunks and names them; deterministic. The chunks are views of `bytes`. */
export function chunkPayload(bytes: Uint8Array, opts: ChunkOptions = {}): { ref: BlobRef; chunks: Uint8Array[] } {
  const chunks = split(bytes);
  const pieces = chunks.map((c) => ({ hash: blake3(c), size: c.length }));
  const whole = opts.contentUri && pieces.length > 1 ? blake3(bytes) : undefined;
  return { ref: makeRef(pieces, bytes.length, whole, opts), chunks };
}

/** Chunks hashed at once by `chunkPayloadAsync` (each in flight is a 4 MiB copy). */
const HASH_AHEAD = 4;

/** `chunkPayload` with large chunks hashed off the app thread; the same ref and chunks. */
export async function chunkPayloadAsync(bytes: Uint8Array, opts: ChunkOptions = {}): Promise<{ ref: BlobRef; chunks: Uint8Array[] }> {
  const chunks = split(bytes);
  const hashes: Uint8Array[] = [];
  let whole: Uint8Array | undefined;
  if (opts.contentUri && chunks.length > 1) {
    // One trip per chunk names the chunk and feeds the whole-content hash.
    const h = new Blake3Async();
    try {
      for (const c of chunks) hashes.push((await h.hashAndUpdate(c)).hash);
      whole = await h.digest();
    } finally {
      h.dispose();
    }
  } else {
    for (let i = 0; i < chunks.length; i += HASH_AHEAD) hashes.push(...(await Promise.all(chunks.slice(i, i + HASH_AHEAD).map(blake3Async))));
  }
  const pieces = chunks.map((c, i) => ({ hash: hashes[i]!, size: c.length }));
  return { ref: makeRef(pieces, bytes.length, whole, opts), chunks };
}

/** What a streaming source may be: an async or sync iterable of byte pieces, or a web ReadableStream. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>;

async function* pieces(source: ByteSource): AsyncGenerator<Uint8Array> {
  const rs = source as ReadableStream<Uint8Array>;
  if (typeof rs.getReader === 'function') {
    const reader = rs.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (source && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    yield* source as AsyncIterable<Uint8Array>;
    return;
  }
  throw new InvalidArgumentError('data must be a Uint8Array, an (async) iterable of Uint8Array or a ReadableStream');
}

/**
 * The streaming chunker (the reference's store_blob_reader): reads full 4 MiB windows (short only
 * at EOF), hashes each and hands it to `onChunk` (or stores it in `store`) before reading on, so
 * peak memory is about one chunk. One window (an empty source gives one empty window) → Small;
 * more → Manifest; an aligned source gains no empty trailing chunk. Full windows move to a
 * hashing worker and back (they are the chunker's own buffers), so the app thread only reads.
 */
export async function storeBlobReader(
  source: ByteSource,
  opts: ChunkOptions & { store?: ChunkStore; onChunk?: (hash: Uint8Array, bytes: Uint8Array) => Promise<void> | void } = {},
): Promise<BlobRef> {
  // The whole-content hasher starts with the first full window: a short first window is the only one.
  let whole: Blake3Async | undefined;
  try {
    const out: { hash: Uint8Array; size: number }[] = [];
    let total = 0;
    let win = new Uint8Array(BLOB_CHUNK_SIZE);
    let fill = 0;
    const flush = async (window: Uint8Array): Promise<void> => {
      if (opts.contentUri && out.length === 0 && window.length === BLOB_CHUNK_SIZE) whole = new Blake3Async();
      const { hash, bytes } = whole ? await whole.hashAndUpdate(window, true) : await blake3Moved(window);
      out.push({ hash, size: bytes.length });
      if (opts.store) await opts.store.put(hash, bytes);
      if (opts.onChunk) await opts.onChunk(hash, bytes);
    };
    for await (const piece of pieces(source)) {
      if (!(piece instanceof Uint8Array)) throw new InvalidArgumentError('data must yield Uint8Array pieces');
      total += piece.length;
      if (BigInt(total) > BLOB_REF_MAX_SIZE) throw tooLarge(total);
      let at = 0;
      while (at < piece.length) {
        const n = Math.min(piece.length - at, BLOB_CHUNK_SIZE - fill);
        win.set(piece.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === BLOB_CHUNK_SIZE) {
          await flush(win);
          win = new Uint8Array(BLOB_CHUNK_SIZE);
          fill = 0;
        }
      }
    }
    if (fill > 0 || out.length === 0) await flush(win.subarray(0, fill));
    const wholeHash = opts.contentUri && out.length > 1 ? await whole!.digest() : undefined;
    return makeRef(out, total, wholeHash, opts);
  } finally {
    whole?.dispose();
  }
}
