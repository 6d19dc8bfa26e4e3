// Fetching whole blobs (dataforts.md §7.1, §9.4): every chunk of a ref, verified, in manifest order.
// A few chunks are in flight at once (CHUNK_PIPELINE_DEPTH) so one blob is not one round trip per
// chunk; they are handed out strictly in order. Only chunk hashes are used: the sizes a ref claims
// are not compared with what arrives (a bare-hash ref of size 0 fetches fine).
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import type { BlobRef } from './blob-ref.js';
import { BLOB_CHUNK_SIZE, CHUNK_PIPELINE_DEPTH } from './constants.js';
import { errnoCode, ioError, nodeFs } from './fs.js';
import { INTERNAL_ABORT, onAbort } from './abort.js';
import { discoverySource, namedSource, type ChunkSource, type SourceContext } from './sources.js';

/** Options of `node.blobs.fetch` and `fetchToFile`: the holder (`from`), an AbortSignal and a progress callback. */
export interface FetchOptions {
  /** The holder to fetch from (a direct peer, or this node); absent = fold-driven discovery. */
  from?: bigint;
  signal?: AbortSignal;
  /** Bytes received so far and, when known, the blob's size. */
  onProgress?: (done: number, total?: number) => void;
}

export function checkFetchOptions(opts: unknown): FetchOptions {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('options must be an object');
  const o = opts as FetchOptions;
  if (o.from !== undefined && (typeof o.from !== 'bigint' || o.from < 0n || o.from >= 1n << 64n)) throw new InvalidArgumentError('from must be a u64 bigint node id');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new InvalidArgumentError('signal must be an AbortSignal');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new InvalidArgumentError('onProgress must be a function');
  return o;
}

/** Transfer paths refuse Tree refs (dataforts.md §2). */
function transferable(ref: BlobRef): void {
  if (ref.kind === 'tree') throw new SubstrateError('backend', 'tree refs cannot be transferred');
}

export function sourceFor(ctx: SourceContext, ref: BlobRef, from: bigint | undefined): ChunkSource {
  return from === undefined ? discoverySource(ctx, ref.leadHash) : namedSource(ctx, from);
}

/**
 * The verified chunks of `ref` in order, up to CHUNK_PIPELINE_DEPTH fetched ahead. With `into`
 * (a buffer of the blob's size), a Manifest chunk whose length is as the ref says lands in its
 * place there, and the yielded chunk is that view.
 */
export async function* fetchChunks(
  ctx: SourceContext,
  ref: BlobRef,
  opts: FetchOptions = {},
  source = sourceFor(ctx, ref, opts.from),
  into?: Uint8Array,
): AsyncGenerator<Uint8Array> {
  transferable(ref);
  const hashes = ref.chunkHashes();
  const ac = new AbortController();
  const outer = opts.signal;
  if (outer?.aborted) throw new SubstrateError('cancelled', 'the fetch was aborted', { cause: outer.reason });
  const unlink = outer ? onAbort(outer, () => ac.abort(outer.reason)) : undefined;
  const known = ref.size() > 0n ? Number(ref.size()) : undefined;
  let completed = 0;
  const inflight = new Map<number, number>();
  const progress = opts.onProgress;
  const report = (): void => {
    let done = completed;
    for (const v of inflight.values()) done += v;
    progress!(done, known ?? (hashes.length === 1 ? chunkTotal : undefined));
  };
  let chunkTotal: number | undefined;
  const queue: Promise<Uint8Array>[] = [];
  let next = 0;
  const sizes = ref.chunks?.map((c) => c.size);
  const start = (i: number): void => {
    const at = i * BLOB_CHUNK_SIZE;
    const p = source.chunk(hashes[i]!, {
      into: into && sizes && at + sizes[i]! <= into.length ? into.subarray(at, at + sizes[i]!) : undefined,
      signal: ac.signal,
      onProgress: progress
        ? (received, total) => {
            chunkTotal = total;
            inflight.set(i, received);
            report();
          }
        : undefined,
    });
    p.catch(() => undefined); // awaited in order below; an early failure must not go unhandled
    queue.push(p);
  };
  let handed = 0;
  try {
    for (let i = 0; i < hashes.length; i++) {
      while (next < hashes.length && queue.length < CHUNK_PIPELINE_DEPTH) start(next++);
      const bytes = await queue.shift()!;
      inflight.delete(i);
      completed += bytes.length;
      handed = i + 1;
      yield bytes;
    }
  } finally {
    // The first error (or an early return) cancels the chunks still in flight.
    if (handed < hashes.length) ac.abort(INTERNAL_ABORT);
    unlink?.();
  }
}

/** The whole blob in memory (Manifest chunks land in place; a lying ref only costs copies). */
export async function fetchBlob(ctx: SourceContext, ref: BlobRef, opts: FetchOptions = {}): Promise<Uint8Array> {
  const expected = ref.kind === 'manifest' ? Number(ref.size()) : 0;
  let buf = new Uint8Array(expected);
  const target = buf;
  let len = 0;
  for await (const c of fetchChunks(ctx, ref, opts, undefined, target)) {
    if (len === 0 && buf.length === 0 && ref.kind === 'small') return c;
    if (c.buffer === buf.buffer && c.byteOffset === len) {
      len += c.length; // already in place
      continue;
    }
    if (len + c.length > buf.length) {
      const grown = new Uint8Array(Math.max(len + c.length, buf.length * 2));
      grown.set(buf.subarray(0, len));
      buf = grown;
    }
    buf.set(c, len);
    len += c.length;
  }
  return len === buf.length ? buf : buf.slice(0, len);
}

/**
 * dataforts.md §9.4: create parent dirs, truncate `<path>.partial` before the first chunk, append
 * each verified chunk, flush, close and rename over `<path>`. On failure the `.partial` stays for
 * inspection and `<path>` is not created.
 */
export async function fetchBlobToFile(ctx: SourceContext, ref: BlobRef, path: string, opts: FetchOptions = {}): Promise<{ bytes: number }> {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path must be a non-empty string');
  transferable(ref);
  const { fs, path: p } = await nodeFs();
  const partial = `${path}.partial`;
  let fh: Awaited<ReturnType<typeof fs.open>>;
  try {
    await fs.mkdir(p.dirname(p.resolve(path)), { recursive: true });
    fh = await fs.open(partial, 'w');
  } catch (e) {
    throw ioError(`opening ${partial}`, e);
  }
  let bytes = 0;
  try {
    for await (const c of fetchChunks(ctx, ref, opts)) {
      await writeAll(fh, c);
      bytes += c.length;
    }
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw ioError(`writing ${partial}`, e);
  }
  try {
    await fh.close();
    await fs.rename(partial, path);
  } catch (e) {
    throw ioError(errnoCode(e) === 'EISDIR' ? `${path} is a directory` : `installing ${path}`, e);
  }
  return { bytes };
}

/** Writes all of `bytes` at the handle's position (a write may be short). */
export async function writeAll(fh: { write(b: Uint8Array, off: number, len: number): Promise<{ bytesWritten: number }> }, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
}
