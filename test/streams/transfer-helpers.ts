// Shared helpers for stream tests on MeshNode: patterned transfers verified byte for byte on the
// receiving side, with duplicate detection that keeps counting after the transfer completed.
import { afterEach } from 'vitest';
import type { MeshNode, MeshNodeOptions } from '../../ts/node/mesh-node.js';
import type { Stream } from '../../ts/streams/stream.js';
import type { StreamConfig } from '../../ts/streams/config.js';
import { MemoryHub, type Tap } from '../../ts/transports/memory-hub.js';
import { connectPair, hubNodes, type Placement } from '../node/helpers.js';

const BASE_LEN = 1 << 16;
const BASE = (() => {
  const b = new Uint8Array(2 * BASE_LEN);
  let x = 0x9e3779b9;
  for (let k = 0; k < b.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[k] = x & 0xff;
  }
  return b;
})();

/** The pattern bytes of event `i` after its 4-byte index (a window into a fixed random buffer). */
function body(i: number, len: number): Uint8Array {
  const off = (i * 4099) % BASE_LEN;
  return BASE.subarray(off, off + len - 4);
}

/** Event `i` of a transfer: its index in the first 4 bytes, then a pattern derived from it. */
export function transferEvent(i: number, len: number): Uint8Array {
  if (len > BASE_LEN) throw new RangeError(`transfer events are at most ${BASE_LEN} bytes`);
  const b = new Uint8Array(len);
  if (len >= 4) {
    new DataView(b.buffer).setUint32(0, i, true);
    b.set(body(i, len), 4);
  }
  return b;
}

/** True when `p` is exactly event `i` of length `len`. */
export function isTransferEvent(p: Uint8Array, i: number, len: number): boolean {
  if (p.length !== len) return false;
  if (len < 4) return true;
  return Buffer.compare(Buffer.from(p.buffer, p.byteOffset + 4, len - 4), body(i, len)) === 0;
}

export interface Collector {
  /** Distinct, intact events received so far. */
  events: number;
  bytes: number;
  /** Events whose index had already been received (delivered twice). */
  duplicates: number;
  /** Events that do not match `transferEvent(index, len)`. */
  corrupt: number;
  /** Resolves once every event arrived; rejects with the iterator's error (e.g. a reset). */
  done: Promise<void>;
  /** Ends the subscription (counting stops). */
  stop(): void;
}

/**
 * Receives `count` patterned events of `len` bytes on (`from`, `stream`), verifying each. Keeps
 * listening after completion (until `stop()`), so late duplicates are counted too.
 */
export function collect(node: MeshNode, from: bigint, stream: bigint, count: number, len: number, onEvent?: (index: number, c: Collector) => void): Collector {
  return collectMany(node, from, [stream], count, len, onEvent && ((_s, i, c) => onEvent(i, c)))[0]!;
}

/**
 * `collect` for several streams from one peer through a single events() iterator, so the
 * collectors see events in exactly the order the node delivered them (cross-stream comparisons
 * measure delivery, not how two iterators happened to interleave).
 */
export function collectMany(node: MeshNode, from: bigint, streams: bigint[], count: number, len: number, onEvent?: (stream: bigint, index: number, c: Collector) => void): Collector[] {
  const ac = new AbortController();
  const state = new Map<bigint, { c: Collector; seen: Uint8Array; resolve: () => void; reject: (e: unknown) => void }>();
  for (const stream of streams) {
    const c: Collector = { events: 0, bytes: 0, duplicates: 0, corrupt: 0, done: Promise.resolve(), stop: () => ac.abort() };
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    c.done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    c.done.catch(() => undefined);
    if (count === 0) resolve();
    state.set(stream, { c, seen: new Uint8Array(count), resolve, reject });
  }
  const single = streams.length === 1 ? streams[0] : undefined;
  void (async () => {
    try {
      for await (const e of node.events({ stream: single, from, signal: ac.signal })) {
        const st = state.get(e.streamId);
        if (!st) continue;
        const { c, seen } = st;
        const p = e.payload;
        const i = p.length >= 4 ? new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true) : -1;
        if (i < 0 || i >= count || !isTransferEvent(p, i, len)) {
          c.corrupt++;
          continue;
        }
        if (seen[i]) {
          c.duplicates++;
          continue;
        }
        seen[i] = 1;
        c.events++;
        c.bytes += p.length;
        onEvent?.(e.streamId, i, c);
        if (c.events === count) st.resolve();
      }
    } catch (e) {
      for (const st of state.values()) st.reject(e);
    }
  })();
  return streams.map((s) => state.get(s)!.c);
}

/** Sends events `first..first+count` of the pattern in calls of `perCall` events. */
export async function sendTransfer(stream: Stream, count: number, len: number, perCall = 16, first = 0): Promise<void> {
  for (let i = first; i < first + count; i += perCall) {
    const batch: Uint8Array[] = [];
    for (let k = i; k < Math.min(first + count, i + perCall); k++) batch.push(transferEvent(k, len));
    await stream.send(batch);
  }
}

export const reliable = (extra: StreamConfig = {}): StreamConfig => ({ reliability: 'reliable', ...extra });

/** Header fields of a datagram seen by a hub tap (the 68-byte header is cleartext). */
export interface SeenHeader {
  subprotocol: number;
  streamId: bigint;
  seq: bigint;
  flags: number;
  eventCount: number;
}

export function header(d: Uint8Array): SeenHeader | null {
  if (d.length < 84) return null;
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  if (dv.getUint16(0, true) !== 0x4e45) return null;
  return { flags: d[3]!, subprotocol: dv.getUint16(8, true), streamId: dv.getBigUint64(32, true), seq: dv.getBigUint64(40, true), eventCount: dv.getUint16(66, true) };
}

export const SP_WINDOW = 0x0b00;
export const SP_NACK = 0x0b01;
export const SP_RESET = 0x0b02;

/**
 * Watches the data packets of `stream` from `from` to `to` (header fields are cleartext): `sent`
 * once seq `last` has passed, `resent` once any seq passed a second time (a retransmission).
 */
export function dataWatch(hub: MemoryHub, from: string, to: string, stream: bigint, last: bigint): { sent: boolean; resent: boolean } {
  const w = { sent: false, resent: false };
  const seen = new Set<bigint>();
  linkTap(hub, from, to, (h) => {
    if (h.streamId !== stream || h.subprotocol !== 0 || h.eventCount === 0) return;
    if (seen.has(h.seq)) w.resent = true;
    seen.add(h.seq);
    if (h.seq === last) w.sent = true;
  });
  return w;
}

/** A tap that sees only datagrams from `from` to `to`, with their decoded header. */
export function linkTap(hub: MemoryHub, from: string, to: string, fn: (h: SeenHeader) => 'drop' | 'pass' | void): () => void {
  const tap: Tap = (d, f, t) => {
    if (f !== from || t !== to) return 'pass';
    const h = header(d.data);
    return h ? (fn(h) ?? 'pass') : 'pass';
  };
  return hub.tap(tap);
}

export interface HubPair {
  hub: MemoryHub;
  a: MeshNode;
  b: MeshNode;
}

/**
 * For a test file: returns `pair(seed)`, which builds two connected nodes (engines placed as
 * `engine` says) on a fresh seeded memory hub (link impairments are applied by the caller, after
 * the handshake), and registers an `afterEach` that closes the nodes of the last pair and every
 * hub built since the previous test.
 */
/** `opts` go to both nodes (e.g. a short sessionTimeoutMs, which also bounds stream give-up). */
export function hubPairs(engine: Placement, opts: Partial<MeshNodeOptions> = {}): (seed: number) => Promise<HubPair> {
  let nodes: MeshNode[] = [];
  let hubs: MemoryHub[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await Promise.all(hubs.map((h) => h.close()));
    nodes = [];
    hubs = [];
  });
  return async (seed) => {
    const hub = new MemoryHub({ seed });
    hubs.push(hub);
    nodes = await hubNodes(2, hub, { engine, ...opts });
    const [a, b] = nodes as [MeshNode, MeshNode];
    await connectPair(a, b);
    return { hub, a, b };
  };
}
