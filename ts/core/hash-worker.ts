// Off-thread BLAKE3 for large inputs. A tiny pool of hashing workers (one per spare core, at least
// one, at most MAX_POOL) runs the same WASM core: the compiled WebAssembly.Module is sent to each
// (wasm.ts coreModule, as the engine worker gets it) and the worker code is inlined at build time
// (scripts/build.mjs → generated/hash-worker-source.ts). Workers start on first use, are unref'd
// whenever nothing is pending (so they never keep a process alive, yet an awaited hash does), and
// a worker that dies fails its pending hashes with HashWorkerFailedError; the next call starts a
// new one. Inputs under the threshold, and runtimes without workers (browsers here), hash inline.
//
// Bytes cross by copy (`blake3Async`: the caller keeps its buffer) or by move (`blake3Moved`: the
// whole ArrayBuffer is transferred there and back, for buffers the caller owns). Measured on the
// app thread for a 4 MiB chunk: a copy costs a sizeable fraction of hashing it, a transfer almost
// nothing, so owned buffers (received chunks, chunker windows, store reads) move and the rest copy.
// SharedArrayBuffer-backed inputs are shared as they are.
import { HashWorkerFailedError, InvalidArgumentError } from '../errors.js';
import { builtin, runtimeName } from '../runtime/detect.js';
import { Blake3, blake3 } from './blake3.js';
import { HASH_WORKER_SOURCE } from './generated/hash-worker-source.js';
import { WASM_BASE64 } from './generated/wasm-base64.js';
import type { FromHashWorker, ToHashWorker, WireBytes } from './hash-worker-protocol.js';
import { coreModule } from './wasm.js';
import { spawnWorker, type SpawnedWorker } from '../runtime/spawn-worker.js';

/** Inputs of at least this many bytes hash in a worker by default (bench/core.ts "hash offload"). */
export const HASH_OFFLOAD_THRESHOLD = 1 << 20;
const MAX_POOL = 4;

let threshold = HASH_OFFLOAD_THRESHOLD;
let poolSize = defaultPoolSize();
/** False once spawning failed: this runtime hashes inline from then on. */
let spawnable = true;

function defaultPoolSize(): number {
  let cores = 1;
  try {
    if (runtimeName() === 'node') cores = builtin<{ availableParallelism(): number }>('node:os').availableParallelism();
    else cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  } catch {
    cores = 1;
  }
  // One core stays with the app thread (and the engine worker shares the rest).
  return Math.max(1, Math.min(MAX_POOL, cores - 1));
}

/**
 * Tunes offloading (tests and benches): `threshold` in bytes (Infinity hashes everything inline),
 * `workers` the pool size. Running workers are kept; the pool only grows to the new size.
 */
export function configureHashWorkers(opts: { threshold?: number; workers?: number }): void {
  if (opts.threshold !== undefined) {
    if (!(opts.threshold >= 0)) throw new InvalidArgumentError('threshold must be a number ≥ 0');
    threshold = opts.threshold;
  }
  if (opts.workers !== undefined) {
    if (!Number.isInteger(opts.workers) || opts.workers < 1) throw new InvalidArgumentError('workers must be an integer ≥ 1');
    poolSize = opts.workers;
  }
}

/** True when a hash of `len` bytes goes to a worker. */
export function offloads(len: number): boolean {
  return len >= threshold && spawnable && HASH_WORKER_SOURCE !== '' && runtimeName() !== 'browser';
}

function spawn(): SpawnedWorker<ToHashWorker, FromHashWorker> {
  // Deno too: its node:worker_threads workers can be unref'd, its Web Workers cannot. Bun: a
  // module Web Worker (Bun gives it ref/unref).
  return spawnWorker<ToHashWorker, FromHashWorker>(HASH_WORKER_SOURCE, ['node', 'deno']);
}

interface Waiter {
  resolve(m: Extract<FromHashWorker, { t: 'done' }>): void;
  reject(e: Error): void;
}

/** One hashing worker and the requests it owes answers to. */
class HashWorker {
  readonly pending = new Map<number, Waiter>();
  dead: Error | undefined;
  private readonly w: SpawnedWorker<ToHashWorker, FromHashWorker>;

  constructor() {
    this.w = spawn();
    this.w.hold(false);
    this.w.onMessage((m) => this.onMessage(m));
    this.w.onDeath((why) => this.die(new HashWorkerFailedError(`hashing worker died: ${why}`)));
    try {
      this.w.post({ t: 'init', module: coreModule() });
    } catch {
      // Runtimes that cannot clone a WebAssembly.Module get the bytes instead.
      this.w.post({ t: 'init', wasmBase64: WASM_BASE64 });
    }
  }

  private onMessage(m: FromHashWorker): void {
    if (m.t === 'fatal') {
      this.die(new HashWorkerFailedError(`hashing worker failed: ${m.message}`));
      return;
    }
    const waiter = this.pending.get(m.id);
    if (!waiter) {
      // A session update failed: the session's state is unknown, so the worker goes.
      if (m.t === 'error') this.die(new HashWorkerFailedError(`hashing worker failed: ${m.message}`));
      return;
    }
    this.settled(m.id);
    if (m.t === 'error') waiter.reject(new HashWorkerFailedError(`hashing worker failed: ${m.message}`));
    else waiter.resolve(m);
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.dead) this.w.hold(false);
  }

  /** Sends a request that gets an answer; `id` must be the request's id. */
  ask(id: number, m: ToHashWorker, transfer: Transferable[] = []): Promise<Extract<FromHashWorker, { t: 'done' }>> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.w.hold(true);
      this.pending.set(id, { resolve, reject });
      try {
        this.w.post(m, transfer);
      } catch (e) {
        this.settled(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Sends a request without an answer (ordered with the others). */
  tell(m: ToHashWorker, transfer: Transferable[] = []): void {
    if (!this.dead) this.w.post(m, transfer);
  }

  die(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    const i = pool.indexOf(this);
    if (i >= 0) pool.splice(i, 1);
    const waiters = [...this.pending.values()];
    this.pending.clear();
    void this.w.terminate().catch(() => undefined);
    for (const w of waiters) w.reject(err);
  }
}

const pool: HashWorker[] = [];
let nextId = 1;

/** The least busy worker, starting one while the pool is below its size and all are busy. */
function pick(): HashWorker {
  let best = pool[0];
  for (const w of pool) if (w.pending.size < best!.pending.size) best = w;
  if (best && (best.pending.size === 0 || pool.length >= poolSize)) return best;
  try {
    const w = new HashWorker();
    pool.push(w);
    return w;
  } catch (e) {
    if (best) return best;
    spawnable = false; // no workers in this runtime: everything hashes inline from now on
    throw e;
  }
}

/**
 * Copies go into reused buffers that travel there and back: a fresh multi-MiB allocation per copy
 * costs page faults that measured dearer than hashing the bytes inline. Up to SPARE_MAX buffers of
 * up to SPARE_BYTES are kept; larger copies are allocated and dropped.
 */
const SPARE_BYTES = 4 << 20;
const SPARE_MAX = 4;
const spare: ArrayBuffer[] = [];

function copyBuffer(len: number): ArrayBuffer {
  if (len <= SPARE_BYTES) {
    const i = spare.findIndex((b) => b.byteLength >= len);
    if (i >= 0) return spare.splice(i, 1)[0]!;
    return new ArrayBuffer(Math.max(len, Math.min(SPARE_BYTES, 2 ** Math.ceil(Math.log2(Math.max(len, 1))))));
  }
  return new ArrayBuffer(len);
}

function releaseCopy(buf: ArrayBuffer | SharedArrayBuffer | undefined): void {
  if (buf instanceof ArrayBuffer && buf.byteLength <= SPARE_BYTES && spare.length < SPARE_MAX) spare.push(buf);
}

/**
 * Bytes to send: shared as they are, moved (a whole buffer), or copied into a spare buffer that is
 * moved (`copied`: the reply brings it back for reuse).
 */
function wire(data: Uint8Array, move: boolean): { bytes: WireBytes; transfer: Transferable[]; copied: boolean } {
  const buf = data.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) {
    return { bytes: { buf, off: data.byteOffset, len: data.length }, transfer: [], copied: false };
  }
  // Only a view of a whole buffer moves: a part may share its buffer with views the caller keeps.
  if (move && data.byteOffset === 0 && data.byteLength === buf.byteLength) {
    return { bytes: { buf: buf as ArrayBuffer, off: 0, len: data.length }, transfer: [buf as ArrayBuffer], copied: false };
  }
  const copy = copyBuffer(data.length);
  new Uint8Array(copy, 0, data.length).set(data);
  return { bytes: { buf: copy, off: 0, len: data.length }, transfer: [copy], copied: true };
}

function checkData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array');
}

/** Starts a worker, or undefined when this runtime has none (the caller hashes inline). */
function worker(): HashWorker | undefined {
  try {
    return pick();
  } catch {
    return undefined;
  }
}

/** The caller's bytes after a reply: its own buffer come back when it moved; a spare copy goes back to the pool. */
function back(sent: ReturnType<typeof wire>, r: Extract<FromHashWorker, { t: 'done' }>, data: Uint8Array): Uint8Array {
  if (sent.copied) {
    releaseCopy(r.bytes?.buf);
    return data;
  }
  return sent.transfer.length > 0 && r.bytes ? new Uint8Array(r.bytes.buf, r.bytes.off, r.bytes.len) : data;
}

/**
 * BLAKE3 (32 bytes) of `data`, in a hashing worker when `data` is large; the bytes are copied
 * there (or shared, for a SharedArrayBuffer), so the caller may go on using them.
 */
export async function blake3Async(data: Uint8Array): Promise<Uint8Array> {
  checkData(data);
  const w = offloads(data.length) ? worker() : undefined;
  if (!w) return blake3(data);
  const id = nextId++;
  const { bytes, transfer } = wire(data, false);
  const r = await w.ask(id, { t: 'hash', id, bytes, back: true }, transfer);
  releaseCopy(r.bytes?.buf);
  return r.hash;
}

/**
 * BLAKE3 of `data` without copying it when `data` spans its whole ArrayBuffer: the buffer moves to
 * a worker and back. The caller must own that buffer and use the returned `bytes` (a view of the
 * same memory) instead of `data`, which is detached meanwhile. Partial views, and buffers that
 * cannot move (WebAssembly memory), are copied instead.
 */
export async function blake3Moved(data: Uint8Array): Promise<{ hash: Uint8Array; bytes: Uint8Array }> {
  checkData(data);
  const w = offloads(data.length) ? worker() : undefined;
  if (!w) return { hash: blake3(data), bytes: data };
  const id = nextId++;
  let sent = wire(data, true);
  let r;
  try {
    r = await w.ask(id, { t: 'hash', id, bytes: sent.bytes, back: true }, sent.transfer);
  } catch (e) {
    if (!(e instanceof Error) || e instanceof HashWorkerFailedError || data.buffer.byteLength === 0) throw e;
    // Not transferable (DataCloneError): send a copy.
    sent = wire(data, false);
    r = await w.ask(id, { t: 'hash', id, bytes: sent.bytes, back: true }, sent.transfer);
  }
  return { hash: r.hash, bytes: back(sent, r, data) };
}

/**
 * Incremental BLAKE3 (plain mode) whose state lives in a hashing worker; inline where there are
 * none. Input is absorbed in call order. A dead worker fails the next `digest` (and `hashAndUpdate`)
 * with HashWorkerFailedError.
 */
export class Blake3Async {
  readonly #sid = nextId++;
  #worker: HashWorker | undefined;
  #inline: Blake3 | undefined;
  #disposed = false;

  constructor() {
    // Meant for streams of large pieces: in a worker whenever offloading is on at all.
    this.#worker = offloads(Number.MAX_SAFE_INTEGER) ? worker() : undefined;
    if (!this.#worker) this.#inline = new Blake3();
  }

  #live(): void {
    if (this.#disposed) throw new InvalidArgumentError('Blake3Async hasher used after dispose()');
  }

  /** Absorbs a copy of `data`. */
  update(data: Uint8Array): this {
    this.#live();
    checkData(data);
    if (this.#inline) this.#inline.update(data);
    else {
      const copy = data.slice(); // no reply brings it back, so no spare buffer
      this.#worker!.tell({ t: 'update', sid: this.#sid, bytes: { buf: copy.buffer, off: 0, len: copy.length } }, [copy.buffer]);
    }
    return this;
  }

  /**
   * BLAKE3 of `data` on its own, and `data` absorbed, in one trip. With `move`, `data`'s buffer
   * moves there and back (see `blake3Moved`); use the returned `bytes`.
   */
  async hashAndUpdate(data: Uint8Array, move = false): Promise<{ hash: Uint8Array; bytes: Uint8Array }> {
    this.#live();
    checkData(data);
    if (this.#inline) {
      this.#inline.update(data);
      return { hash: blake3(data), bytes: data };
    }
    const id = nextId++;
    const sent = wire(data, move);
    const r = await this.#worker!.ask(id, { t: 'hash', id, bytes: sent.bytes, sid: this.#sid, back: true }, sent.transfer);
    return { hash: r.hash, bytes: back(sent, r, data) };
  }

  /** The 32-byte hash of everything absorbed so far. */
  async digest(): Promise<Uint8Array> {
    this.#live();
    if (this.#inline) return this.#inline.digest();
    const id = nextId++;
    return (await this.#worker!.ask(id, { t: 'digest', id, sid: this.#sid })).hash;
  }

  /** Frees the state (idempotent). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#inline?.dispose();
    this.#worker?.tell({ t: 'free', sid: this.#sid });
  }
}

/** Terminates every hashing worker; pending hashes fail with HashWorkerFailedError. The next hash starts a new one. */
export function terminateHashWorkers(): void {
  for (const w of [...pool]) w.die(new HashWorkerFailedError('hashing worker terminated'));
}
