// Dataforts' public names (sdk.md "Dataforts", dataforts.md §10): refs, chunking, stores, the
// transfer wire codecs, directory manifests. node.blobs is the Blobs object.
export { BlobRef, type BlobEncoding, type BlobRefKind, type ManifestChunk } from './blob-ref.js';
export { chunkPayload, storeBlobReader, type ChunkOptions, type ByteSource } from './chunking.js';
export type { ChunkStore } from './chunk-store.js';
export { MemoryChunkStore } from './memory-store.js';
export { DiskChunkStore } from './disk-store.js';
export { transferWire, type TransferHeader } from './wire.js';
export { DirManifest, type DirEntry, type EntryKind, type DirStats } from './dir-manifest.js';
export { storeDir } from './dir-store.js';
export type { Blobs, BlobOptions } from './blobs.js';
export type { TransferInfo, EngineStats } from './engine.js';
export type { FetchOptions } from './blob-fetch.js';
export type { FetchDirOptions } from './dir-fetch.js';
