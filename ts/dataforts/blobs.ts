// node.blobs (sdk.md "Dataforts"): the node's chunk store (on disk under `<dataDir>/blobs` with
// dataDir, read on demand; in memory otherwise), served to authenticated peers unless
// `serveBlobs: false`, and the fetch side (blobs, files, directories) over the transfer engine.
import { ClosedError, InvalidArgumentError } from '../errors.js';
import type { CapabilityContribution, MeshHost } from '../node/host.js';
import { BlobRef } from './blob-ref.js';
import { checkFetchOptions, fetchBlob, fetchBlobToFile, fetchChunks, type FetchOptions } from './blob-fetch.js';
import { putChunks, type ChunkStore } from './chunk-store.js';
import { chunkPayloadAsync, storeBlobReader, type ByteSource } from './chunking.js';
import { MAX_HAS_HINTS, TAG_BLOB_HAS_PREFIX, TAG_BLOB_SERVE } from './constants.js';
import { checkFetchDirOptions, fetchDir, type FetchDirOptions } from './dir-fetch.js';
import type { DirStats } from './dir-manifest.js';
import { storeDir } from './dir-store.js';
import { DiskChunkStore } from './disk-store.js';
import { TransferEngine, type EngineStats, type TransferInfo } from './engine.js';
import { toHex } from './hex.js';
import { MemoryChunkStore } from './memory-store.js';
import type { SourceContext } from './sources.js';

/** The MeshNodeOptions this layer reads. */
export interface BlobOptions {
  /** With it, the node's chunk store lives on disk under `<dataDir>/blobs`. */
  dataDir?: string;
  /** false: do not serve the store to peers (dataforts.md §6). Default true. */
  serveBlobs?: boolean;
  /** A store to use (and serve) instead of the default one, e.g. `new DiskChunkStore(dir)`. */
  blobStore?: ChunkStore;
}

const STORE_METHODS = ['has', 'get', 'read', 'put', 'delete'] as const;
/** Advertisement changes are coalesced: one re-announce for a burst of stores. */
const TAG_UPDATE_DELAY_MS = 500;

/** Throws InvalidArgumentError naming the bad blob option (called before the node binds anything). */
export function checkBlobOptions(opts: BlobOptions): void {
  if (opts.dataDir !== undefined && (typeof opts.dataDir !== 'string' || opts.dataDir === '')) throw new InvalidArgumentError('dataDir must be a non-empty path');
  if (opts.serveBlobs !== undefined && typeof opts.serveBlobs !== 'boolean') throw new InvalidArgumentError('serveBlobs must be a boolean');
  const s = opts.blobStore as Record<string, unknown> | undefined;
  if (s !== undefined && (typeof s !== 'object' || s === null || STORE_METHODS.some((m) => typeof s[m] !== 'function'))) {
    throw new InvalidArgumentError(`blobStore must be a ChunkStore (methods ${STORE_METHODS.join(', ')})`);
  }
}

function toRef(ref: unknown): BlobRef {
  if (ref instanceof BlobRef) return ref;
  if (typeof ref === 'string') return BlobRef.parse(ref);
  if (ref instanceof Uint8Array) {
    const r = BlobRef.decode(ref);
    if (r) return r;
  }
  throw new InvalidArgumentError('ref must be a BlobRef, its text form or its encoding');
}

/** `node.blobs` (sdk.md "Dataforts"): store and fetch BLAKE3-addressed blobs and directories, list and cancel transfers. */
export class Blobs {
  /** The node's chunk store (the one it serves). */
  readonly chunkStore: ChunkStore;
  private readonly engine: TransferEngine;
  private readonly ctx: SourceContext;
  private readonly serve: boolean;
  private readonly hints: string[] = [];
  private tagTimer: ReturnType<typeof setTimeout> | undefined;
  /** This layer's slot in the node's announcements (dataforts.md §7.2 tags); none when not serving. */
  private readonly advert: CapabilityContribution | undefined;

  constructor(
    private readonly host: MeshHost,
    opts: BlobOptions,
  ) {
    this.chunkStore = opts.blobStore ?? (opts.dataDir ? new DiskChunkStore(joinPath(opts.dataDir, 'blobs')) : new MemoryChunkStore());
    this.serve = opts.serveBlobs !== false;
    this.engine = new TransferEngine(host, this.serve ? this.chunkStore : undefined);
    this.ctx = { engine: this.engine, host, local: this.chunkStore };
    this.advert = this.serve ? host.contributeCapabilities() : undefined;
    this.advert?.set({ tags: [TAG_BLOB_SERVE] });
    host.onClose(() => {
      if (this.tagTimer !== undefined) clearTimeout(this.tagTimer);
    });
  }

  private open(): void {
    if (this.host.closed) throw new ClosedError('MeshNode');
  }

  /** Chunks `data` into the node's store (Uint8Array, or streamed); returns its ref (URI `mesh://transfer` by default). */
  async store(data: Uint8Array | ByteSource, opts: { uri?: string } = {}): Promise<BlobRef> {
    this.open();
    let ref: BlobRef;
    if (data instanceof Uint8Array) {
      const { ref: r, chunks } = await chunkPayloadAsync(data, { uri: opts.uri });
      await putChunks(this.chunkStore, r, chunks);
      ref = r;
    } else {
      ref = await storeBlobReader(data, { uri: opts.uri, store: this.chunkStore });
    }
    this.hint(ref);
    return ref;
  }

  /** The whole blob, every chunk verified (from `opts.from`, or found through discovery). */
  async fetch(ref: BlobRef | string | Uint8Array, opts?: FetchOptions): Promise<Uint8Array> {
    this.open();
    return fetchBlob(this.ctx, toRef(ref), checkFetchOptions(opts));
  }

  /** The blob's verified chunks in order, as they arrive (a few fetched ahead). */
  fetchStream(ref: BlobRef | string | Uint8Array, opts?: FetchOptions): AsyncIterable<Uint8Array> {
    this.open();
    return fetchChunks(this.ctx, toRef(ref), checkFetchOptions(opts));
  }

  /** Streams the blob into `<path>.partial`, then renames it to `path` (the `.partial` stays on failure). */
  async fetchToFile(ref: BlobRef | string | Uint8Array, path: string, opts?: FetchOptions): Promise<{ bytes: number }> {
    this.open();
    return fetchBlobToFile(this.ctx, toRef(ref), path, checkFetchOptions(opts));
  }

  /** Stores the directory tree under `root`; returns the root manifest's ref. */
  async storeDir(root: string): Promise<BlobRef> {
    this.open();
    const ref = await storeDir(this.chunkStore, root);
    this.hint(ref);
    return ref;
  }

  /** Fetches a stored tree into `dest` atomically: the complete tree, or `dest` untouched. */
  async fetchDir(rootRef: BlobRef | string | Uint8Array, dest: string, opts?: FetchDirOptions): Promise<DirStats> {
    this.open();
    const o = checkFetchDirOptions(opts);
    checkFetchOptions({ from: o.from, signal: o.signal, onProgress: o.onProgress });
    return fetchDir(this.ctx, toRef(rootRef), dest, o);
  }

  /** Requester-side chunk transfers in flight (what `blob.transfers` lists). */
  transfers(): TransferInfo[] {
    return this.engine.transfers();
  }

  /** Cancels a transfer listed by transfers(); its fetch fails with SubstrateError `cancelled`. */
  cancel(id: bigint): boolean {
    if (typeof id !== 'bigint') throw new InvalidArgumentError('cancel(id) takes the bigint transfer id');
    return this.engine.cancel(id);
  }

  /** True when every chunk of `ref` is in this node's store. */
  async has(ref: BlobRef | string | Uint8Array): Promise<boolean> {
    for (const h of toRef(ref).chunkHashes()) if (!(await this.chunkStore.has(h))) return false;
    return true;
  }

  /** Engine counters (served, notFound, fetched, failed, ...). */
  stats(): EngineStats {
    return this.engine.stats();
  }

  /** dataforts.md §7.2: up to 16 `dataforts.blob.has=<lead hash>` hints, newest first. */
  private hint(ref: BlobRef): void {
    if (!this.serve) return;
    const tag = `${TAG_BLOB_HAS_PREFIX}${toHex(ref.leadHash)}`;
    if (this.hints[0] === tag) return;
    const at = this.hints.indexOf(tag);
    if (at >= 0) this.hints.splice(at, 1);
    this.hints.unshift(tag);
    if (this.hints.length > MAX_HAS_HINTS) this.hints.length = MAX_HAS_HINTS;
    if (this.tagTimer !== undefined) return;
    this.tagTimer = setTimeout(() => {
      this.tagTimer = undefined;
      if (!this.host.closed) this.advert?.set({ tags: [TAG_BLOB_SERVE, ...this.hints] });
    }, TAG_UPDATE_DELAY_MS);
    (this.tagTimer as { unref?: () => void }).unref?.();
  }
}

/** `<dir>/<name>` without importing node:path at load time (browsers have no data dir anyway). */
function joinPath(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}
