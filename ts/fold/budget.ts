// Token buckets keyed by node id, for the announcement receive path: how many announcements a
// direct peer may make this node decode and verify, and how often one origin's announcements are
// forwarded. Time is passed in (ms); the table holds at most `maxKeys` buckets.

export interface BucketRate {
  /** Tokens a fresh or rested bucket holds (the burst). */
  readonly burst: number;
  /** Tokens added per second. */
  readonly perSecond: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * One token bucket per key. A key seen for the first time starts full. When the table is at
 * `maxKeys`, the least recently created bucket is dropped to make room: a dropped key restarts
 * full, so the cap costs at most one extra burst per evicted key and memory stays bounded.
 */
export class BudgetTable {
  readonly #buckets = new Map<bigint, Bucket>();
  readonly #rate: BucketRate;
  readonly #maxKeys: number;

  constructor(rate: BucketRate, maxKeys: number) {
    this.#rate = rate;
    this.#maxKeys = Math.max(1, maxKeys);
  }

  /** Takes one token for `key` at `nowMs`; false when the bucket is empty (the caller drops). */
  take(key: bigint, nowMs: number): boolean {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
      b = { tokens: this.#rate.burst, atMs: nowMs };
      this.#buckets.set(key, b);
    } else if (nowMs > b.atMs) {
      b.tokens = Math.min(this.#rate.burst, b.tokens + ((nowMs - b.atMs) * this.#rate.perSecond) / 1000);
      b.atMs = nowMs;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Forgets a key (its peer went, or its origin left the fold). */
  delete(key: bigint): void {
    this.#buckets.delete(key);
  }

  /** Drops every bucket that has refilled completely by `nowMs` (it would restart full anyway). */
  prune(nowMs: number): void {
    const fullAfterMs = (this.#rate.burst * 1000) / Math.max(this.#rate.perSecond, 1e-9);
    for (const [k, b] of this.#buckets) if (nowMs - b.atMs >= fullAfterMs) this.#buckets.delete(k);
  }

  get size(): number {
    return this.#buckets.size;
  }
}
