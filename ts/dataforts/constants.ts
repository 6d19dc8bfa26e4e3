// The constants of dataforts.md §1 (Net v0.27.0 values) and the few this project adds.

export const SUBPROTOCOL_BLOB_TRANSFER = 0x1100;
/** Fixed chunk stride and the Small threshold (inclusive). */
export const BLOB_CHUNK_SIZE = 4 * 1024 * 1024;
/** Cap on a Small size or a Manifest total. */
export const BLOB_REF_MAX_SIZE = 16n * 1024n * 1024n * 1024n;
export const BLOB_MANIFEST_MAX_CHUNKS = 8192;
/** Chunk bytes per data event. */
export const DATA_FRAME_BYTES = 8000;
/** The serving stream's credit window (32 × 8000). */
export const TRANSFER_STREAM_WINDOW = 256_000;
/** Largest `total_len` a receiver accepts. */
export const TRANSFER_MAX_CHUNK_BYTES = 16 * 1024 * 1024;
/** Per-chunk wait, and the graceful-close bound on the server. */
export const TRANSFER_TIMEOUT_MS = 30_000;
/** Packets buffered beyond the next expected seq. */
export const MAX_REORDER_AHEAD = 1024;
/** Per candidate holder during discovery. */
export const DISCOVERY_PROBE_TIMEOUT_MS = 10_000;
export const DIR_MANIFEST_VERSION = 1;
/** Leaf files in flight in fetchDir. */
export const DEFAULT_FETCH_CONCURRENCY = 16;
/** Byte budget across leaf fetches. */
export const DEFAULT_INFLIGHT_BUDGET = 8 * 1024 * 1024;

/** Blob advertisement tags (dataforts.md §7.2). */
export const TAG_BLOB_SERVE = 'dataforts.blob.serve';
export const TAG_BLOB_HAS_PREFIX = 'dataforts.blob.has=';
export const MAX_HAS_HINTS = 16;

// ---- project choices (dataforts.md leaves them open) ----

/** Floor of the request re-send interval (dataforts.md §5, project rule: max(200 ms, 2 × RTT)). */
export const REQUEST_RESEND_MIN_MS = 200;
/**
 * Resends per packet on a serving stream before give-up handling. Higher than the stream default
 * (3): a give-up costs the requester the whole chunk, and at 10% loss four straight losses of one
 * packet (p = 1e-4) happen about once per 40 MiB.
 */
export const SERVE_MAX_RETRIES = 12;
/** Chunks of one blob in flight at once (fetch, fetchToFile, fetchStream). */
export const CHUNK_PIPELINE_DEPTH = 4;
/** The largest directory manifest fetchDir accepts (it is held in memory to decode it). */
export const MAX_DIR_MANIFEST_BYTES = 256 * 1024 * 1024;
