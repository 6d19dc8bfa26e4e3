// Pingwave origination and receipt (wire.md §16), sans-IO: the engine hands in each pingwave with
// its source address and the time, and its direct peers; this decides what to learn into the
// routing table and which copies to pass on, and remembers which (origin, seq) it has seen.
import { encodePingwave, forwardedPingwave, parsePingwave, PINGWAVE_MAX_HOPS, PINGWAVE_TTL } from './pingwave.js';
import type { RoutingTable } from './routing-table.js';

/** Origins whose seen-seqs are remembered (the oldest is forgotten beyond it). */
const MAX_ORIGINS = 4096;
/** Seqs this far behind an origin's highest count as seen. */
const SEEN_WINDOW = 64n;

export interface DirectPeers {
  /** Is a direct peer registered at this address? */
  has(address: string): boolean;
  /** Every direct peer's address. */
  addresses(): Iterable<string>;
}

export type PingwaveDrop = 'self' | 'hops' | 'notPeer' | 'duplicate' | 'malformed';

export interface PingwaveResult {
  /** Why it was dropped before a route was learned or after it was seen, if it was. */
  dropped?: PingwaveDrop;
  /** Copies to send on: [datagram, address]. */
  forward: [Uint8Array, string][];
}

interface Seen {
  max: bigint;
  /** Bit i set: seq max − i was seen. */
  bits: bigint;
}

export class PingwaveRelay {
  private seq = 0n;
  private readonly seen = new Map<bigint, Seen>();
  received = 0;

  constructor(
    private readonly ownNodeId: bigint,
    private readonly table: RoutingTable,
  ) {}

  /** This tick's pingwave (one per tick, the same bytes to every direct peer). */
  originate(timestampUs: bigint): Uint8Array {
    this.seq++;
    return encodePingwave({
      origin: this.ownNodeId,
      seq: this.seq,
      ttl: PINGWAVE_TTL,
      hopCount: 0,
      timestampUs,
      capabilityHash: 0n,
      capabilityVersion: 0,
      load: 0,
      health: 0,
      hasGpu: 0,
      modelSlots: 0,
      memoryTier: 0,
      tools: 0,
      capabilityFlags: 0,
    });
  }

  /** Receipt, in the order of §16. */
  receive(b: Uint8Array, source: string, peers: DirectPeers, now: number): PingwaveResult {
    const forward: [Uint8Array, string][] = [];
    const p = parsePingwave(b);
    if (!p) return { dropped: 'malformed', forward };
    if (p.origin === this.ownNodeId) return { dropped: 'self', forward };
    if (p.hopCount >= PINGWAVE_MAX_HOPS) return { dropped: 'hops', forward };
    if (!peers.has(source)) return { dropped: 'notPeer', forward };
    this.received++;
    this.table.learn(p.origin, source, p.hopCount + 2, now);
    if (!this.firstSight(p.origin, p.seq)) return { dropped: 'duplicate', forward };
    if (p.ttl === 0) return { forward };
    const copy = forwardedPingwave(b);
    const towardOrigin = this.table.nextHop(p.origin, now);
    for (const a of peers.addresses()) if (a !== source && a !== towardOrigin) forward.push([copy, a]);
    return { forward };
  }

  /** Records (origin, seq); false if it was seen already. */
  private firstSight(origin: bigint, seq: bigint): boolean {
    const s = this.seen.get(origin);
    if (!s) {
      if (this.seen.size >= MAX_ORIGINS) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(origin, { max: seq, bits: 1n });
      return true;
    }
    if (seq > s.max) {
      const shift = seq - s.max;
      s.bits = shift >= SEEN_WINDOW ? 1n : ((s.bits << shift) | 1n) & ((1n << SEEN_WINDOW) - 1n);
      s.max = seq;
      return true;
    }
    const back = s.max - seq;
    if (back >= SEEN_WINDOW) return false;
    const bit = 1n << back;
    if (s.bits & bit) return false;
    s.bits |= bit;
    return true;
  }
}
