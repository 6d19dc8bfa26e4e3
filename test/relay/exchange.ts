// The relay path's end-to-end exchange, run by a browser page (bundled by test/browser) and by a
// Deno client (test/relay/deno-client.ts): send `count` packets of mixed sizes through a bound
// WebTransportTransport to a UDP echo peer and check every echo byte for byte.
//
// Datagrams are unreliable on every hop (QUIC datagrams, UDP), so the exchange keeps a window of
// packets in flight and sends one again when its echo is late, as the mesh itself would; each
// packet's bytes are a function of its index, so a late duplicate is still checked exactly.
// It takes the transport as an argument: the page gets the class from dist/browser/webtransport.mjs.

import { Xoshiro128 } from '../../ts/transports/prng.js';
import type { Datagram } from '../../ts/transports/transport.js';

export interface ExchangeTransport {
  readonly address: string;
  readonly maxDatagramSize: number;
  send(batch: readonly Datagram[]): void;
  onReceive(handler: (batch: Datagram[]) => void): void;
  stats(): { datagramsIn: number; datagramsOut: number; sendErrors: number; dropped: number; lastError?: string };
}

export interface ExchangeOptions {
  /** The echo peer's mesh address. */
  peer: string;
  count: number;
  seed: number;
  /** Largest packet (default 8210, the relay's limit). */
  maxSize?: number;
  /** Packets in flight at once. Default 32. */
  window?: number;
  /** A packet whose echo has not come back after this long is sent again. Default 1000 ms. */
  resendAfterMs?: number;
  /** Give up after this long. Default 40,000 ms. */
  deadlineMs?: number;
}

export interface ExchangeResult {
  count: number;
  /** Distinct packets whose echo came back byte-exact from the peer's address. */
  matched: number;
  /** Echoes whose bytes or length differ from what was sent, or that came from another address. */
  mismatched: number;
  duplicates: number;
  resends: number;
  /** Packets whose prefixed size fits the datagram path (at the maxDatagramSize seen at the start). */
  viaDatagram: number;
  viaStream: number;
  largest: number;
  maxDatagramSize: number;
  elapsedMs: number;
  timedOut: boolean;
  firstProblem?: string;
  transportStats: ReturnType<ExchangeTransport['stats']>;
}

/** Deterministic sizes: small, around the datagram limit, large, and the 8,210-byte maximum. */
export function exchangeSizes(count: number, seed: number, maxDatagramSize: number, prefixBytes: number, maxSize = 8210): number[] {
  const g = new Xoshiro128(seed);
  const rand = (): number => g.nextU32();
  const edge = maxDatagramSize - prefixBytes; // largest packet that still goes as a datagram
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand() % 100;
    let n: number;
    if (i % 97 === 5) n = maxSize;
    else if (r < 55) n = 8 + (rand() % Math.max(1, edge - 8));
    else if (r < 70) n = edge - 3 + (rand() % 7); // both sides of the limit
    else n = edge + 1 + (rand() % (maxSize - edge));
    sizes.push(Math.max(8, Math.min(maxSize, n)));
  }
  return sizes;
}

/** The bytes of packet `index`: its index (u32 LE), then a keyed pseudo-random fill. */
export function exchangePacket(index: number, size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = index & 0xff;
  out[1] = (index >>> 8) & 0xff;
  out[2] = (index >>> 16) & 0xff;
  out[3] = (index >>> 24) & 0xff;
  const g = new Xoshiro128(seed * 65536 + index);
  for (let i = 4; i < size; i++) out[i] = g.nextU32() & 0xff;
  return out;
}

export async function runExchange(t: ExchangeTransport, opts: ExchangeOptions): Promise<ExchangeResult> {
  const window = opts.window ?? 32;
  const resendAfter = opts.resendAfterMs ?? 1000;
  const deadline = opts.deadlineMs ?? 40_000;
  const maxDatagramSize = t.maxDatagramSize;
  if (!(maxDatagramSize > 0)) throw new Error(`the transport reports maxDatagramSize ${String(maxDatagramSize)}: is it bound (and the bundle current)?`);
  const prefixBytes = opts.peer.startsWith('[') ? 19 : 7;
  const sizes = exchangeSizes(opts.count, opts.seed, maxDatagramSize, prefixBytes, opts.maxSize);
  const packets = sizes.map((n, i) => exchangePacket(i, n, opts.seed));
  const sentAt = new Map<number, number>();
  const matched = new Set<number>();
  const result: ExchangeResult = {
    count: opts.count,
    matched: 0,
    mismatched: 0,
    duplicates: 0,
    resends: 0,
    viaDatagram: sizes.filter((n) => n + prefixBytes <= maxDatagramSize).length,
    viaStream: sizes.filter((n) => n + prefixBytes > maxDatagramSize).length,
    largest: Math.max(...sizes),
    maxDatagramSize,
    elapsedMs: 0,
    timedOut: false,
    transportStats: t.stats(),
  };
  const problem = (what: string): void => {
    result.mismatched++;
    result.firstProblem ??= what;
  };
  let next = 0;
  const t0 = Date.now();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));

  const fill = (): void => {
    const batch: Datagram[] = [];
    while (sentAt.size < window && next < opts.count) {
      sentAt.set(next, Date.now());
      batch.push({ data: packets[next]!, address: opts.peer });
      next++;
    }
    if (batch.length > 0) t.send(batch);
  };

  t.onReceive((batch) => {
    for (const dg of batch) {
      const d = dg.data;
      const index = d.length >= 4 ? (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0 : -1;
      const want = packets[index];
      if (dg.address !== opts.peer) {
        problem(`packet from ${dg.address}, expected ${opts.peer}`);
        continue;
      }
      if (want === undefined || !sameBytes(d, want)) {
        problem(`echo of ${d.length} bytes (index ${index}) does not match what was sent`);
        continue;
      }
      if (matched.has(index)) {
        result.duplicates++;
        continue;
      }
      matched.add(index);
      sentAt.delete(index);
    }
    if (matched.size === opts.count) finish();
    else fill();
  });

  const timer = setInterval(() => {
    const now = Date.now();
    if (now - t0 > deadline) {
      result.timedOut = true;
      finish();
      return;
    }
    const late: Datagram[] = [];
    for (const [index, at] of sentAt) {
      if (now - at < resendAfter) continue;
      sentAt.set(index, now);
      late.push({ data: packets[index]!, address: opts.peer });
    }
    if (late.length > 0) {
      result.resends += late.length;
      t.send(late);
    }
  }, Math.max(50, resendAfter / 4));

  fill();
  await finished;
  clearInterval(timer);
  result.matched = matched.size;
  result.elapsedMs = Date.now() - t0;
  result.transportStats = t.stats();
  return result;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
