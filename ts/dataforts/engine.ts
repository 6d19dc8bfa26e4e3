// The chunk-transfer engine (dataforts.md §5–§6) over MeshHost: it serves chunks of the local
// store to authenticated peers, and fetches one chunk from a named holder per transfer stream.
//
// Requester: open the transfer stream as a reliable receive stream, send the 0x1100 request (seq 0,
// RELIABLE, straight to the peer) and re-send it every max(200 ms, 2 × RTT) until the header
// arrives; reorder reply packets by seq in [next, next + 1024); first event = header, then data up
// to total_len; verify BLAKE3; settle (success, NotFound, HashMismatch, timeout, reset, cancel,
// holder failure), always removing the entry and closing the stream.
// Holder: one serve per (peer, transfer id), repeats ignored; the reply goes on a reliable,
// scheduled stream (weight 1, 256,000-byte window): header at seq 0, ≤ 8000-byte events after,
// then a graceful close bounded by 30 s.
import { blake3Async, blake3Moved } from '../core/hash-worker.js';
import { FLAG_RELIABLE } from '../core/reliable.js';
import { ClosedError, HashMismatchError, NotFoundError, NotConnectedError, SubstrateError } from '../errors.js';
import type { InboundPacket, MeshHost } from '../node/host.js';
import type { Stream } from '../streams/stream.js';
import { SUBPROTOCOL_STREAM_RESET, encodeStreamReset } from '../streams/control-frames.js';
import { warn } from '../util/diagnostics.js';
import { scheduleAfterIo } from '../transports/receive-batcher.js';
import { onAbort } from './abort.js';
import type { ChunkStore } from './chunk-store.js';
import {
  BLOB_CHUNK_SIZE,
  DATA_FRAME_BYTES,
  MAX_REORDER_AHEAD,
  REQUEST_RESEND_MIN_MS,
  SERVE_MAX_RETRIES,
  SUBPROTOCOL_BLOB_TRANSFER,
  TRANSFER_MAX_CHUNK_BYTES,
  TRANSFER_STREAM_WINDOW,
  TRANSFER_TIMEOUT_MS,
} from './constants.js';
import { sameBytes, toHex } from './hex.js';
import { decodeHeader, decodeRequest, encodeHeader, encodeRequest, isTransferStream, transferStreamId } from './wire.js';

/** A requester-side chunk transfer in flight (what `blob.transfers` reports, dataforts.md §8). */
export interface TransferInfo {
  /** The transfer stream id (cancel(id) takes it). */
  id: bigint;
  /** The holder it is fetched from. */
  peer: bigint;
  /** The chunk's BLAKE3, 64 lowercase hex. */
  hash: string;
  /** Data bytes received so far (the header excluded). */
  bytesReceived: number;
  /** The header's total_len, once it arrived. */
  totalBytes?: number;
}

export interface FetchChunkOptions {
  /** Per-chunk bound (default 30 s); on expiry NotFoundError so callers fail over. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Data bytes of this chunk received so far, and its total once known. */
  onProgress?: (received: number, total: number) => void;
  /**
   * Where the chunk should land when its total_len is exactly this view's length (a blob's
   * buffer, so it is not copied again); any other length gets a buffer of its own.
   */
  into?: Uint8Array;
}

/** Counters of the chunk-transfer engine: requests served and made, bytes, resets, failures. */
export interface EngineStats {
  /** Requests answered with Found / NotFound, and those dropped (undecodable, repeats, overload). */
  served: number;
  notFound: number;
  requestsDropped: number;
  repeatsIgnored: number;
  /** Requester side. */
  fetched: number;
  failed: number;
  requestsResent: number;
}

/** BLAKE3 of empty input (a literal: computing it at import would load the core synchronously). */
const EMPTY_HASH = Uint8Array.from([
  0xaf, 0x13, 0x49, 0xb9, 0xf5, 0xf9, 0xa1, 0xa6, 0xa0, 0x40, 0x4d, 0xea, 0x36, 0xdc, 0xc9, 0x49,
  0x9b, 0xcb, 0x25, 0xc9, 0xad, 0xc1, 0x12, 0xb7, 0xcc, 0x9a, 0x93, 0xca, 0xe4, 0x1f, 0x32, 0x62,
]);
/** Serves running at once; more requests wait in a bounded queue (then are dropped and counted). */
const MAX_ACTIVE_SERVES = 512;
const MAX_QUEUED_SERVES = 8192;
/** Chunk bytes serves may hold at once (read from the store, not yet queued on their streams). */
const SERVE_BYTE_BUDGET = 64 * 1024 * 1024;
/** A served (peer, id) ignores repeats for this long (the requester stops re-sending on the header). */
const SERVED_MEMORY_MS = 2 * TRANSFER_TIMEOUT_MS;
const MAX_SERVED_MEMORY = 1 << 16;
const TICK_MS = 50;
/** Transfers in flight toward one holder; more wait (each is a stream record, capped at 4096 per session). */
const MAX_TRANSFERS_PER_HOLDER = 1024;

interface Pending {
  readonly id: bigint;
  readonly holder: bigint;
  readonly hash: Uint8Array;
  readonly stream: Stream;
  readonly deadline: number;
  readonly resendEvery: number;
  readonly onProgress: ((received: number, total: number) => void) | undefined;
  readonly into: Uint8Array | undefined;
  readonly resolve: (b: Uint8Array) => void;
  readonly reject: (e: Error) => void;
  readonly timeoutMs: number;
  nextResendAt: number;
  headerSeen: boolean;
  total: number;
  buf: Uint8Array | undefined;
  received: number;
  next: number;
  readonly reorder: Map<number, Uint8Array[]>;
  unlinkSignal: (() => void) | undefined;
  /** Every byte arrived; the BLAKE3 check is running (maybe in a hashing worker). */
  verifying: boolean;
}

/**
 * Transfer nonces: a per-process counter, as in Net v0.27.0, but starting at a random 48-bit value
 * rather than 1. Both directions of a session share one stream-id space and one record per id,
 * so two nodes fetching from each other with counters in step would put a serve and a fetch on
 * one record (and closing the fetch would cut the serve).
 */
let nextNonce = randomNonce();

function randomNonce(): bigint {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return ((BigInt(w[0]! & 0xffff) << 32n) | BigInt(w[1]!)) + 1n;
}

/** The message of the error a holder's STREAM_RESET produces (dataforts.md §6 table). */
export const HOLDER_RESET = 'holder reset stream (retransmit exhausted)';

/** True for the error of a holder's reset: its retransmission gave up, the chunk may be asked again. */
export function isHolderReset(e: unknown): boolean {
  return e instanceof SubstrateError && e.kind === 'backend' && e.message === `transfer: ${HOLDER_RESET}`;
}

export class TransferEngine {
  private readonly pending = new Map<bigint, Pending>();
  private outbox: Pending[] = [];
  /** Transfers in flight per holder, and fetches waiting for one to end. */
  private readonly perHolder = new Map<bigint, number>();
  private readonly admissionQueue = new Map<bigint, { resolve: () => void; reject: (e: Error) => void }[]>();
  private readonly activeServes = new Set<string>();
  private readonly servedAt = new Map<string, number>();
  private readonly serveQueue: { from: bigint; id: bigint; hash: Uint8Array }[] = [];
  private servesRunning = 0;
  private serveBytes = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly releases: (() => void)[] = [];
  private readonly counters: EngineStats = { served: 0, notFound: 0, requestsDropped: 0, repeatsIgnored: 0, fetched: 0, failed: 0, requestsResent: 0 };

  constructor(
    private readonly host: MeshHost,
    /** The store served to peers; undefined = serving off (requests are dropped, §6 step 1). */
    private readonly serveStore: ChunkStore | undefined,
  ) {
    this.releases.push(
      host.claimStreams(isTransferStream, { packet: (p) => this.onPacket(p), reset: (from, id) => this.onReset(from, id) }, { views: true }),
      host.onSubprotocol(SUBPROTOCOL_BLOB_TRANSFER, (from, frames, meta) => this.onRequest(from, frames, meta.streamId)),
      host.onPeerEvent((e) => {
        if (e.kind === 'failed') this.failHolder(e.nodeId);
      }),
      host.onClose(() => this.close()),
    );
  }

  get serving(): boolean {
    return this.serveStore !== undefined && !this.closed;
  }

  stats(): EngineStats {
    return { ...this.counters };
  }

  // ---- requester ------------------------------------------------------------------------------

  /** Fetches one chunk from `holder` (a direct peer), verified against `hash`. */
  async fetchChunk(holder: bigint, hash: Uint8Array, opts: FetchChunkOptions = {}): Promise<Uint8Array> {
    if (sameBytes(hash, EMPTY_HASH)) return new Uint8Array(0); // known content, verifies by definition
    if (this.closed || this.host.closed) throw new SubstrateError('cancelled', 'the node is closed');
    if (opts.signal?.aborted) throw cancelled(opts.signal);
    const used = this.perHolder.get(holder) ?? 0;
    if (used < MAX_TRANSFERS_PER_HOLDER) this.perHolder.set(holder, used + 1);
    else await this.admission(holder, opts.signal); // a releasing transfer hands its slot over
    try {
      return await this.startTransfer(holder, hash, opts);
    } finally {
      this.release(holder);
    }
  }

  /** Waits for a free transfer slot toward `holder` (the slot is handed over on release). */
  private admission(holder: bigint, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.admissionQueue.get(holder);
      if (!queue) this.admissionQueue.set(holder, (queue = []));
      const q = queue;
      const entry = { resolve: () => (unlink?.(), resolve()), reject: (e: Error) => (unlink?.(), reject(e)) };
      const unlink = signal
        ? onAbort(signal, () => {
            const i = q.indexOf(entry);
            if (i >= 0) q.splice(i, 1);
            reject(cancelled(signal));
          })
        : undefined;
      q.push(entry);
    }).then(() => undefined);
  }

  private release(holder: bigint): void {
    const queue = this.admissionQueue.get(holder);
    const next = queue?.shift();
    if (next) {
      next.resolve(); // the slot passes to the next waiter
      return;
    }
    if (queue) this.admissionQueue.delete(holder);
    const n = (this.perHolder.get(holder) ?? 1) - 1;
    if (n > 0) this.perHolder.set(holder, n);
    else this.perHolder.delete(holder);
  }

  private startTransfer(holder: bigint, hash: Uint8Array, opts: FetchChunkOptions): Promise<Uint8Array> {
    if (this.closed || this.host.closed) return Promise.reject(new SubstrateError('cancelled', 'the node is closed'));
    if (opts.signal?.aborted) return Promise.reject(cancelled(opts.signal));
    const id = transferStreamId(nextNonce++);
    let stream: Stream;
    try {
      stream = this.host.openStream(holder, id, { reliability: 'reliable' });
    } catch (e) {
      if (e instanceof NotConnectedError || e instanceof ClosedError) return Promise.reject(noRoute(holder, e));
      return Promise.reject(e);
    }
    const now = this.host.now();
    const rtt = this.host.peers().find((p) => p.nodeId === holder)?.rttMs ?? 0;
    const timeoutMs = opts.timeoutMs ?? TRANSFER_TIMEOUT_MS;
    return new Promise<Uint8Array>((resolve, reject) => {
      const t: Pending = {
        id,
        holder,
        hash: hash.slice(),
        stream,
        deadline: now + timeoutMs,
        timeoutMs,
        resendEvery: Math.max(REQUEST_RESEND_MIN_MS, 2 * rtt),
        nextResendAt: now + Math.max(REQUEST_RESEND_MIN_MS, 2 * rtt),
        onProgress: opts.onProgress,
        into: opts.into,
        resolve,
        reject,
        headerSeen: false,
        total: 0,
        buf: undefined,
        received: 0,
        next: 0,
        reorder: new Map(),
        unlinkSignal: undefined,
        verifying: false,
      };
      this.pending.set(id, t);
      if (opts.signal) {
        const signal = opts.signal;
        t.unlinkSignal = onAbort(signal, () => this.settle(t, cancelled(signal), true));
      }
      // Requests made during one turn leave together (one batch to the packet path, not one each).
      this.outbox.push(t);
      if (this.outbox.length === 1) scheduleAfterIo(this.flushOutbox);
      this.armTicker();
    });
  }

  private readonly flushOutbox = (): void => {
    const now = this.host.now();
    const batch = this.outbox;
    this.outbox = [];
    for (const t of batch) if (this.pending.get(t.id) === t) this.sendRequest(t, now);
  };

  private sendRequest(t: Pending, now: number): void {
    t.nextResendAt = now + t.resendEvery;
    try {
      // wire.md §8: RELIABLE, the transfer stream id, that stream's next TX seq (0: it sends nothing).
      this.host.sendPacket(t.holder, { flags: FLAG_RELIABLE, subprotocol: SUBPROTOCOL_BLOB_TRANSFER, streamId: t.id, sequence: 0n }, [encodeRequest(t.hash)]);
    } catch (e) {
      this.settle(t, noRoute(t.holder, e), false);
    }
  }

  private onPacket(p: InboundPacket): void {
    const t = this.pending.get(p.streamId);
    if (!t || t.holder !== p.from || t.verifying) return; // late packets of a settled or complete transfer, or forged
    if (p.seq < BigInt(t.next) || p.seq >= BigInt(t.next + MAX_REORDER_AHEAD)) return;
    const seq = Number(p.seq);
    if (seq !== t.next) {
      // Delivered events are views into the received batch: what waits for its turn is copied.
      if (!t.reorder.has(seq)) t.reorder.set(seq, p.events.map((e) => e.slice()));
      return;
    }
    let events: Uint8Array[] | undefined = p.events;
    while (events) {
      t.next++;
      if (!this.absorb(t, events)) return; // settled
      events = t.reorder.get(t.next);
      if (events) t.reorder.delete(t.next);
    }
  }

  /** Processes the events of the next in-order packet; false once the transfer settled. */
  private absorb(t: Pending, events: Uint8Array[]): boolean {
    for (const ev of events) {
      if (!t.headerSeen) {
        let h;
        try {
          h = decodeHeader(ev);
        } catch {
          this.settle(t, new SubstrateError('backend', `undecodable reply header from node ${t.holder}`), true);
          return false;
        }
        t.headerSeen = true;
        if (h.kind === 'not_found') {
          this.settle(t, new NotFoundError(`node ${t.holder} does not have chunk ${toHex(t.hash)}`), false);
          return false;
        }
        if (h.totalLen > BigInt(TRANSFER_MAX_CHUNK_BYTES)) {
          this.settle(t, new SubstrateError('backend', `chunk total_len ${h.totalLen} exceeds ${TRANSFER_MAX_CHUNK_BYTES}`), true);
          return false;
        }
        t.total = Number(h.totalLen);
        t.buf = t.into && t.into.length === t.total ? t.into : new Uint8Array(t.total);
        t.onProgress?.(0, t.total);
      } else {
        if (t.received + ev.length > t.total) {
          this.settle(t, new SubstrateError('backend', `node ${t.holder} sent more than total_len ${t.total} bytes`), true);
          return false;
        }
        t.buf!.set(ev, t.received);
        t.received += ev.length;
        if (ev.length) t.onProgress?.(t.received, t.total);
      }
      if (t.headerSeen && t.received === t.total) {
        this.complete(t);
        return false;
      }
    }
    return true;
  }

  private complete(t: Pending): void {
    t.verifying = true;
    // A buffer of our own moves to the hashing worker and back; the caller's `into` is copied there.
    const check = t.buf === t.into ? blake3Async(t.buf!).then((hash) => ({ hash, bytes: t.buf! })) : blake3Moved(t.buf!);
    check.then(
      ({ hash, bytes }) => {
        if (!sameBytes(hash, t.hash)) {
          this.settle(t, new HashMismatchError(t.hash, hash), false);
          return;
        }
        if (this.pending.get(t.id) === t) this.counters.fetched++;
        this.settle(t, bytes, false);
      },
      (e: unknown) => this.settle(t, e instanceof Error ? e : new Error(String(e)), false),
    );
  }

  /** Removes the entry, closes the receive stream, settles the promise; a reset tells the holder to stop. */
  private settle(t: Pending, outcome: Uint8Array | Error, resetHolder: boolean): void {
    if (this.pending.get(t.id) !== t) return;
    this.pending.delete(t.id);
    t.unlinkSignal?.();
    t.stream.close();
    t.reorder.clear();
    if (outcome instanceof Uint8Array) {
      t.resolve(outcome);
      return;
    }
    this.counters.failed++;
    t.buf = undefined;
    if (resetHolder && !this.host.closed) {
      // Not in Net v0.27.0 (its holder retransmits into a closed stream until it gives up): a
      // StreamReset for the transfer id makes a holder stop sending at once.
      try {
        this.host.sendSubprotocol(t.holder, SUBPROTOCOL_STREAM_RESET, encodeStreamReset(t.id));
      } catch {
        // no session any more: nothing to stop
      }
    }
    t.reject(outcome);
  }

  private onReset(from: bigint, id: bigint): void {
    const t = this.pending.get(id);
    if (t && t.holder === from) this.settle(t, new SubstrateError('backend', HOLDER_RESET), false);
  }

  private failHolder(holder: bigint): void {
    for (const t of [...this.pending.values()]) {
      if (t.holder === holder) this.settle(t, new SubstrateError('holder_failed', `the session to holder ${holder} failed`), false);
    }
  }

  /** Requester-side transfers in flight. */
  transfers(): TransferInfo[] {
    return [...this.pending.values()].map((t) => ({
      id: t.id,
      peer: t.holder,
      hash: toHex(t.hash),
      bytesReceived: t.received,
      ...(t.headerSeen ? { totalBytes: t.total } : {}),
    }));
  }

  /** Cancels a requester-side transfer: its fetch fails with SubstrateError `cancelled`. */
  cancel(id: bigint): boolean {
    const t = this.pending.get(id);
    if (!t) return false;
    this.settle(t, new SubstrateError('cancelled', `transfer ${id} was cancelled`), true);
    return true;
  }

  private armTicker(): void {
    if (this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    (this.ticker as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    const now = this.host.now();
    for (const t of [...this.pending.values()]) {
      if (t.verifying) continue; // complete: only the hash check is left
      if (now >= t.deadline) {
        this.settle(t, new NotFoundError(`timed out fetching mesh://${toHex(t.hash)} from node ${t.holder} after ${t.timeoutMs} ms`), true);
      } else if (!t.headerSeen && t.next === 0 && now >= t.nextResendAt) {
        // Project rule (dataforts.md §5): the request is re-sent until the header arrives.
        this.counters.requestsResent++;
        this.sendRequest(t, now);
      }
    }
    for (const [key, at] of this.servedAt) {
      if (now - at < SERVED_MEMORY_MS) break; // insertion order = time order
      this.servedAt.delete(key);
    }
    if (this.pending.size === 0 && this.servedAt.size === 0) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  // ---- holder ---------------------------------------------------------------------------------

  private onRequest(from: bigint, frames: Uint8Array[], streamId: bigint): void {
    // §6 step 1: authenticated sessions only (from ≠ 0), engine serving, a transfer stream id.
    if (!this.serving || from === 0n || !isTransferStream(streamId) || frames.length === 0) {
      this.counters.requestsDropped++;
      return;
    }
    let hash: Uint8Array;
    try {
      hash = decodeRequest(frames[0]!).hash;
    } catch {
      this.counters.requestsDropped++; // undecodable control frames are dropped silently
      return;
    }
    const key = `${from}:${streamId}`;
    if (this.activeServes.has(key) || this.servedAt.has(key)) {
      this.counters.repeatsIgnored++;
      return;
    }
    if (this.serveQueue.length >= MAX_QUEUED_SERVES) {
      this.counters.requestsDropped++;
      return;
    }
    this.activeServes.add(key);
    this.serveQueue.push({ from, id: streamId, hash });
    this.pump();
  }

  private pump(): void {
    while (this.servesRunning < MAX_ACTIVE_SERVES && this.serveQueue.length > 0 && this.serveBytes + BLOB_CHUNK_SIZE <= SERVE_BYTE_BUDGET) {
      const r = this.serveQueue.shift()!;
      this.servesRunning++;
      void this.serve(r.from, r.id, r.hash).finally(() => {
        this.servesRunning--;
        const key = `${r.from}:${r.id}`;
        this.activeServes.delete(key);
        this.rememberServed(key);
        if (!this.closed) this.pump();
      });
    }
  }

  private rememberServed(key: string): void {
    this.servedAt.delete(key);
    this.servedAt.set(key, this.host.now());
    if (this.servedAt.size > MAX_SERVED_MEMORY) this.servedAt.delete(this.servedAt.keys().next().value!);
    this.armTicker();
  }

  /** Chunk bytes held by serves: a full chunk is reserved before the read, the real size after it. */
  private reserve(delta: number): void {
    this.serveBytes += delta;
    if (delta < 0 && !this.closed) this.pump();
  }

  private async serve(from: bigint, id: bigint, hash: Uint8Array): Promise<void> {
    let held = BLOB_CHUNK_SIZE;
    this.reserve(held);
    try {
      await this.serveHeld(from, id, hash, (n) => {
        this.reserve(n - held);
        held = n;
      });
    } finally {
      this.reserve(-held);
    }
  }

  private async serveHeld(from: bigint, id: bigint, hash: Uint8Array, holding: (bytes: number) => void): Promise<void> {
    const store = this.serveStore;
    let bytes: Uint8Array | undefined;
    try {
      // The local store only, never onward (§6 step 3). Bytes are sent as stored: the requester
      // verifies every chunk, so a corrupted store surfaces there as HashMismatch.
      bytes = store ? await store.read(hash) : undefined;
    } catch (e) {
      warn(this.host.warnings, 'BLOB_STORE_READ_FAILED', `reading chunk ${toHex(hash)} for node ${from}: ${e instanceof Error ? e.message : String(e)}`);
      bytes = undefined;
    }
    holding(bytes?.length ?? 0);
    if (this.closed || this.host.closed) return;
    let s: Stream;
    try {
      s = this.host.openStream(from, id, { reliability: 'reliable', scheduled: true, weight: 1, windowBytes: TRANSFER_STREAM_WINDOW, maxRetries: SERVE_MAX_RETRIES });
    } catch {
      return; // §6 step 2: no session to the requester, the request is dropped
    }
    try {
      if (!bytes) {
        this.counters.notFound++;
        await s.send([encodeHeader({ kind: 'not_found' })]);
      } else {
        this.counters.served++;
        // Header alone at seq 0, then one ≤ 8000-byte event per packet at seq 1..N.
        await s.send([encodeHeader({ kind: 'found', totalLen: BigInt(bytes.length) })]);
        for (let at = 0; at < bytes.length; at += DATA_FRAME_BYTES) {
          const ev = [bytes.subarray(at, Math.min(at + DATA_FRAME_BYTES, bytes.length))];
          if (!s.trySend(ev)) await s.send(ev);
        }
      }
      bytes = undefined;
      holding(0); // every event is queued (the stream keeps its own copies until acked)
      await s.closeGraceful(TRANSFER_TIMEOUT_MS);
    } catch {
      // Reset by the requester, session gone, or the close timed out: nobody is waiting for this.
      s.close();
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const closing = (): SubstrateError => new SubstrateError('cancelled', 'the engine was closed (node closing)');
    for (const q of this.admissionQueue.values()) for (const w of q.splice(0)) w.reject(closing());
    for (const t of [...this.pending.values()]) this.settle(t, closing(), false);
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    this.serveQueue.length = 0;
    for (const r of this.releases.splice(0)) r();
  }
}

function cancelled(signal: AbortSignal): SubstrateError {
  return new SubstrateError('cancelled', 'the fetch was aborted', { cause: signal.reason });
}

function noRoute(holder: bigint, cause: unknown): SubstrateError {
  return new SubstrateError(
    'no_route',
    `no session to node ${holder}: relayed sources are not supported yet, so the source must be a direct peer (fetching from peer ${holder}; connect to it first)`,
    { cause },
  );
}
