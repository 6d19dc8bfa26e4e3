// Subscribe failure throttling (channels.md §7): failures are counted per peer in a fixed window
// that opens at the first failure and restarts at the first failure ≥ `windowMs` after it opened;
// at `limit` failures the peer is throttled for `throttleMs` (answered RateLimited without crypto
// work); once the throttle has expired, the next subscribe clears the count. limit 65535 disables.

export interface ThrottleOptions {
  limit: number;
  windowMs: number;
  throttleMs: number;
}

export const DISABLED_LIMIT = 0xffff;

interface PeerFailures {
  count: number;
  windowStart: number;
  throttledUntil: number | undefined;
}

export class SubscribeThrottle {
  readonly #peers = new Map<bigint, PeerFailures>();
  constructor(private readonly o: ThrottleOptions) {}

  /** Step 1: true while throttled. An expired throttle is cleared here (count back to 0). */
  throttled(peer: bigint, now: number): boolean {
    const p = this.#peers.get(peer);
    if (p?.throttledUntil === undefined) return false;
    if (now < p.throttledUntil) return true;
    this.#peers.delete(peer);
    return false;
  }

  /** One failed subscribe (not RateLimited, not TooManyChannels). */
  recordFailure(peer: bigint, now: number): void {
    if (this.o.limit >= DISABLED_LIMIT) return;
    let p = this.#peers.get(peer);
    if (!p || now - p.windowStart >= this.o.windowMs) {
      p = { count: 0, windowStart: now, throttledUntil: p?.throttledUntil };
      this.#peers.set(peer, p);
    }
    p.count++;
    if (p.count >= this.o.limit) p.throttledUntil = now + this.o.throttleMs;
  }

  /** An accepted subscribe clears the peer's count. */
  clear(peer: bigint): void {
    this.#peers.delete(peer);
  }

  failures(peer: bigint): number {
    return this.#peers.get(peer)?.count ?? 0;
  }

  /** Peers throttled right now. */
  throttledCount(now: number): number {
    let n = 0;
    for (const p of this.#peers.values()) if (p.throttledUntil !== undefined && now < p.throttledUntil) n++;
    return n;
  }
}
